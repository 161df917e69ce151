# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab lab``: start the interactive lab (a local web page) from the command line."""

from __future__ import annotations

import typer

from .errors import UsageError, fail, one_line, user_errors

__all__ = ["lab"]


def lab(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the lab in a web browser."),
) -> None:
    """Start the interactive lab (a local web page) for the cost function and gradient descent."""
    try:
        from ..lab.server import serve
    except ImportError as exc:
        raise fail(f"the lab is not available ({exc}); install it with: pip install 'logitlab[lab]'.") from None
    with user_errors():
        if not 0 < port < 65536:
            raise UsageError(f"--port {port} is not a port number; use 1–65535 (e.g. 8765).")
        try:
            serve(host=host, port=port, open_browser=open_browser)
        except ValueError as exc:  # serve refuses a port it cannot listen on before it starts
            raise UsageError(one_line(exc)) from None
