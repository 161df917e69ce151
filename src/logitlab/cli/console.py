"""The two consoles every command prints through, and warnings turned into one line each.

Results go to stdout (``out``); progress, warnings and errors to stderr (``err``), so
``logitlab predict … > file.csv`` stays clean.
"""

from __future__ import annotations

import warnings

from rich.console import Console

__all__ = ["out", "err", "warn_lines"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def warn_lines(caught: list[warnings.WarningMessage]) -> None:
    """Print each distinct caught warning once, as one ``warning:`` line on stderr."""
    seen = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text not in seen:
            seen.add(text)
            err.print(f"warning: {text}", markup=False, style="yellow")
