"""Progress of long work on stderr: a redrawn bar on a terminal, plain lines elsewhere.

Outside a terminal (a notebook, a log file, redirected output) a redrawn bar
would be control characters, and silence would look like a hang; so a plain
line is written every `line_every` seconds instead, and a last one at the end
if any was written. Work shorter than that prints nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LINE_EVERY_S = 5.0
"""Seconds between progress lines outside a terminal."""


class ProgressBar:
    """Call with (done, total); shows replications done, rate and time left.

    `enabled`: True draws the bar, False shows nothing, None (the default) draws
    the bar on a terminal and writes plain lines elsewhere.
    """

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None, *,
                 clock: Callable[[], float] = time.monotonic, line_every: float = LINE_EVERY_S) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled is not False
        self.lines = enabled is None and not self.stream.isatty()
        self.clock = clock
        self.line_every = line_every
        self.t0 = clock()
        self.last = 0.0
        self.last_line = self.t0
        self.wrote_line = False
        self.first: int | None = None
        """Replications already done at the first call (a resumed ensemble's saved ones)."""

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.first is None:
            self.first = done
        now = self.clock()
        elapsed = max(now - self.t0, 1e-9)
        rate = (done - self.first) / elapsed  # this run's rate, not counting resumed replications
        left = (total - done) / rate if rate > 0 else float("inf")
        eta = f"{left:5.1f}s left" if left != float("inf") else "   ?s left"
        if self.lines:
            self._line(now, done, total, rate, eta)
            return
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 28
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {rate:,.0f}/s {eta}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def _line(self, now: float, done: int, total: int, rate: float, eta: str) -> None:
        finished = done >= total
        if not (now - self.last_line >= self.line_every or (finished and self.wrote_line)):
            return
        self.last_line, self.wrote_line = now, True
        pct = 100.0 * done / max(total, 1)
        tail = "done" if finished else eta.strip()
        self.stream.write(f"{self.label}: {done}/{total} ({pct:.0f}%), {rate:,.0f}/s, {tail}\n")
        self.stream.flush()
