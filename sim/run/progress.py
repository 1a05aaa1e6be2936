"""A progress bar on stderr when it is a terminal; silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Call with (done, total); draws replications done, rate and time left."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.t0 = time.monotonic()
        self.last = 0.0
        self.first: int | None = None
        """Replications already done at the first call (a resumed ensemble's saved ones)."""

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.first is None:
            self.first = done
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.t0, 1e-9)
        rate = (done - self.first) / elapsed  # this run's rate, not counting resumed replications
        left = (total - done) / rate if rate > 0 else float("inf")
        width = 28
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        eta = f"{left:5.1f}s left" if left != float("inf") else "   ?s left"
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {rate:,.0f}/s {eta}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
