# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab lab``: start the interactive lab (a local web page) from the command line."""

from __future__ import annotations

import typer

from .errors import fail, user_errors

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
        serve(host=host, port=port, open_browser=open_browser)
