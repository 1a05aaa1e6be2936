"""Random draws in blocks: one call to the generator for many uniforms.

A replication makes hundreds of scalar draws (logit choices, review times,
delays); each scalar call into numpy costs more than the arithmetic around it.
`Draws` takes uniforms from the replication's generator a block at a time and
hands them out one by one. The draws stay a deterministic function of the
replication's seed: the blocks are read in the same order every time.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK = 256
"""Uniforms taken from the generator at once."""


class Draws:
    """Uniform and exponential draws from one generator, read in blocks."""

    __slots__ = ("rng", "_buf", "_i")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._buf: list[float] = []
        self._i = 0

    def uniform(self) -> float:
        """The next uniform draw in [0, 1)."""
        i = self._i
        if i >= len(self._buf):
            self._buf = self.rng.random(BLOCK).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def exponential(self, mean: float = 1.0) -> float:
        """An exponential draw with `mean` (by inversion of the next uniform)."""
        return -mean * math.log(1.0 - self.uniform())
