"""The one place the CLI imports the scaling ring (streamed files, Dask clusters).

When that ring moves (``logitlab.outofcore`` / ``logitlab.distributed`` → ``logitlab.scale``), only
these imports change. Imported lazily, by the streamed commands only.
"""

from __future__ import annotations

from ..distributed import DaskSource, connect
from ..outofcore import FileSource, detect_format, iter_batches

__all__ = ["DaskSource", "FileSource", "connect", "detect_format", "iter_batches"]
