"""How a command fails: one ``error:`` line on stderr, exit 2 for the user's mistakes, 1 otherwise."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import typer

from ..data import DataError
from .console import err

__all__ = ["UsageError", "fail", "user_errors", "one_line"]


class UsageError(DataError):
    """A bad option value or combination (reported like bad data: exit 2, one line)."""


def one_line(text: object) -> str:
    """A message with its whitespace (newlines included) collapsed to single spaces."""
    return " ".join(str(text).split())


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise."""
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors into one line and exit 2; anything unexpected into one line and exit 1."""
    try:
        yield
    except typer.Exit:
        raise
    except DataError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted; no output file was changed.", 130) from None
    except Exception as exc:
        if os.environ.get("LOGITLAB_DEBUG"):
            raise
        raise fail(f"{type(exc).__name__}: {one_line(exc)} (set LOGITLAB_DEBUG=1 to see the traceback)", 1) from None
