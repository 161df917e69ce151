"""The in-memory fit's progress bar (the live cost J), drawn only once a fit runs longer than a moment."""

from __future__ import annotations

import time
from typing import Any

from .console import err

__all__ = ["FitProgress"]


class FitProgress:
    """A progress bar with the live cost J, drawn only once a fit has run longer than ``delay`` s."""

    def __init__(self, solver: str, total: int | None, enabled: bool = True, delay: float = 0.4) -> None:
        self.solver, self.total, self.enabled, self.delay = solver, total, enabled, delay
        self.start = time.perf_counter()
        self.progress = None
        self.task = None
        self.last = 0.0

    def __call__(self, iteration: int, theta: Any, J: float) -> None:
        if not self.enabled:
            return None
        now = time.perf_counter()
        if self.progress is None:
            if now - self.start < self.delay:
                return None
            self._start(J)
        if now - self.last > 0.1:  # redraw at most ten times a second
            self.last = now
            self.progress.update(self.task, completed=iteration, J=f"{J:.8g}")
            self.progress.refresh()
        return None

    def _start(self, J: float) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(), TextColumn("fitting ({task.fields[solver]})"), BarColumn(),
            TextColumn("iteration {task.completed:.0f}"), TextColumn("J = {task.fields[J]}"),
            TimeElapsedColumn(), console=err, transient=True, auto_refresh=False,
        )
        self.progress.start()
        self.task = self.progress.add_task("fit", total=self.total, solver=self.solver, J=f"{J:.8g}")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
