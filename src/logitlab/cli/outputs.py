"""Writing a run's output files (model.json, report.html, predictions): checked before the work, written together.

The checks run before any data is read or any model is fitted, so a run that cannot write its
results fails in a second, not after the fit. The files of one run are written to temporary
files first and renamed into place only when all of them are complete; if a rename fails, the
ones already renamed are put back, so the previous run's files stay as they were.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..data import DataError
from .console import out

__all__ = ["OutputError", "check_writable_dir", "check_output_file", "write_outputs", "print_written"]


class OutputError(DataError):
    """An output place that cannot be written (exit 2, one line, nothing written)."""


def _existing_ancestor(path: Path) -> Path:
    """``path`` itself if it exists, else its nearest existing ancestor (which mkdir would write in)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe(where: Path, option: str, shown: Path) -> None:
    """Create and delete a file in ``where``: the only test that tells read-only file systems, full
    disks and permissions apart from a directory we may write in (os.access answers for root)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".logitlab-probe-", dir=where)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise OutputError(f"{option} {shown}: cannot write in {where} ({why}); choose a writable "
                          f"place with {option}.") from None
    os.close(fd)
    os.unlink(name)


def check_writable_dir(out_dir: Path, names: list[str], option: str = "--out") -> None:
    """``out_dir`` is (or can be made) a directory we can write ``names`` in; nothing is created."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{option} {out_dir} is a file; give a directory for {' and '.join(names)}.")
    base = _existing_ancestor(out_dir)
    if not base.is_dir():
        raise OutputError(f"{option} {out_dir}: {base} is a file, so the directory cannot be made; "
                          f"choose another {option}.")
    for name in names:
        if (out_dir / name).is_dir():
            raise OutputError(f"{option} {out_dir}: {out_dir / name} is a directory; remove it or "
                              f"choose another {option}.")
    _probe(base, option, out_dir)


def check_output_file(path: Path, option: str = "--out", example: str = "predictions.csv") -> None:
    """``path`` can be written as a file: not a directory, and its directory is writable."""
    if path.is_dir():
        raise OutputError(f"{option} {path} is a directory; give a file name, e.g. {path / example}.")
    base = _existing_ancestor(path.parent)
    if not base.is_dir():
        raise OutputError(f"{option} {path}: {base} is a file, not a directory; choose another {option}.")
    _probe(base, option, path)


def write_outputs(files: dict[Path, str | bytes]) -> None:
    """Write all ``files`` or none: each to a temporary file beside it (fsynced), then all renamed."""
    temps: dict[Path, Path] = {}
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            temps[path] = _write_temp(path, data)
        _rename_all(temps)
    except OSError as exc:
        shown = exc.filename or next(iter(files))
        raise OutputError(f"cannot write {shown} ({exc.strerror or type(exc).__name__}); no output file "
                          "was changed.") from None
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _write_temp(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, 0o644)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _rename_all(temps: dict[Path, Path]) -> None:
    """Rename every temporary file over its target; on a failure, put back the targets renamed so far."""
    backups: dict[Path, Path | None] = {}
    try:
        for path, tmp in temps.items():
            backups[path] = _backup(path)
            os.replace(tmp, path)
    except BaseException:
        for path, backup in backups.items():
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, path)
                elif path.exists() and not temps[path].exists():
                    path.unlink()  # a new file of this run: the run lands whole or not at all
        raise
    for backup in backups.values():
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def _backup(path: Path) -> Path | None:
    """A hard link to the current ``path`` (None when there is none, or links are not supported)."""
    if not path.is_file():
        return None
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
    os.close(fd)
    os.unlink(name)
    try:
        os.link(path, name)
    except OSError:
        return None
    return Path(name)


def print_written(files: dict[Path, str | bytes]) -> None:
    """Where the run's files went (``model:`` and ``report:`` lines)."""
    for path in files:
        label = "model: " if path.name == "model.json" else "report:"
        out.print(f"{label} {path}")
