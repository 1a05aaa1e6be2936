"""Statistics of paired replications (common random numbers).

When two scenarios are run with the same root seed, replication i of each
draws from the same generator, so the two ensembles are paired: the two
outcomes of replication i share their noise up to the point where the
scenarios differ. A difference of proportions then needs an interval for
*paired* data; treating the two samples as independent would ignore the
pairing and give intervals that are far too wide when the change is small.

We use Newcombe's square-and-add interval for paired proportions (method 10
of Newcombe 1998, Statistics in Medicine 17:2635-2650): it combines the Wilson
intervals of the two marginal proportions with the correlation between the
paired outcomes. It is closed-form (no resampling, so it is deterministic),
stays inside [-1, 1], behaves well near 0 and 1 where many of our outcomes sit,
and Newcombe found its coverage close to nominal where the Wald interval fails.
For statistics with no closed-form interval (the total variation distance
between two outcome distributions) we use a paired percentile bootstrap:
replications are resampled as pairs, which keeps the pairing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..model.outcomes import wilson_interval


def paired_difference(first: Sequence[bool], second: Sequence[bool]) -> tuple[float, float, float]:
    """(second - first, lower, upper): difference of paired proportions with Newcombe's 95% interval.

    `first[i]` and `second[i]` say whether replication i ended in the outcome
    under each scenario.
    """
    if len(first) != len(second):
        raise ValueError(f"paired samples differ in length: {len(first)} and {len(second)}")
    n = len(first)
    if n == 0:
        return 0.0, -1.0, 1.0
    x = np.asarray(first, dtype=bool)
    y = np.asarray(second, dtype=bool)
    both = int(np.sum(x & y))
    only_second = int(np.sum(~x & y))
    only_first = int(np.sum(x & ~y))
    neither = n - both - only_second - only_first
    k2, k1 = both + only_second, both + only_first
    p2, p1 = k2 / n, k1 / n
    l2, u2 = wilson_interval(k2, n)
    l1, u1 = wilson_interval(k1, n)
    phi = _corrected_phi(both, only_second, only_first, neither, n)
    diff = p2 - p1
    lower = diff - math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    upper = diff + math.sqrt(max(0.0, (u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2))
    return diff, max(-1.0, lower), min(1.0, upper)


def _corrected_phi(a: int, b: int, c: int, d: int, n: int) -> float:
    """Newcombe's correlation of the paired 2x2 table, shrunk toward zero by n/2 when positive."""
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if denom == 0:
        return 0.0
    cross = float(a * d - b * c)
    if cross > n / 2:
        cross -= n / 2
    elif cross >= 0:
        cross = 0.0
    return cross / math.sqrt(denom)


def distribution_shift(first: Sequence[str], second: Sequence[str], names: Sequence[str]) -> float:
    """Total variation distance between two outcome distributions: half the sum of |p - q|.

    0 means the same distribution, 1 disjoint ones; it equals the largest
    change in the probability of any set of outcomes.
    """
    n1, n2 = max(1, len(first)), max(1, len(second))
    return 0.5 * sum(abs(sum(o == name for o in second) / n2 - sum(o == name for o in first) / n1)
                     for name in names)


def shift_interval(first: Sequence[str], second: Sequence[str], names: Sequence[str], *,
                   resamples: int = 500, seed: int = 0) -> tuple[float, float]:
    """95% paired percentile-bootstrap interval of `distribution_shift`.

    The distance is never negative, so with no real change the interval sits
    just above zero (a distance estimated from noise); read it against the
    self-comparison of a scenario, which shows that floor.
    """
    n = len(first)
    if n != len(second):
        raise ValueError(f"paired samples differ in length: {n} and {len(second)}")
    if n == 0:
        return 0.0, 1.0
    index = {name: i for i, name in enumerate(names)}
    a = np.array([index.get(o, -1) for o in first])
    b = np.array([index.get(o, -1) for o in second])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    draws = rng.integers(0, n, size=(resamples, n))
    k = len(names)
    # counts per resample and outcome, for both scenarios at once
    ca = np.stack([np.sum(a[draws] == j, axis=1) for j in range(k)], axis=1)
    cb = np.stack([np.sum(b[draws] == j, axis=1) for j in range(k)], axis=1)
    shifts = 0.5 * np.sum(np.abs(cb - ca), axis=1) / n
    lo, hi = np.percentile(shifts, [2.5, 97.5])
    return float(lo), float(hi)
