"""``logitlab version``."""

from __future__ import annotations

from .. import __version__
from .console import out

__all__ = ["version"]


def version() -> None:
    """Print the logitlab version."""
    out.print(f"logitlab {__version__}")
