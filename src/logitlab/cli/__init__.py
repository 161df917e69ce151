"""The ``logitlab`` command: train, predict and evaluate on CSV/Parquet files, and open the lab.

One module per command (:mod:`.train`, :mod:`.predict`, :mod:`.evaluate`, :mod:`.lab`,
:mod:`.version`), registered on the Typer app in :mod:`.commands`; past-memory training and
prediction in :mod:`.stream`, :mod:`.stream_fit`, :mod:`.stream_predict` (the scaling ring is
imported only by :mod:`.scaling`). Bad input ends with exit status 2 and one line on stderr
saying what is wrong and what to do; no traceback, and no output file is touched (files are
written atomically, and only after everything they hold has been computed).
"""

from __future__ import annotations

from .commands import app, main

__all__ = ["app", "main"]
