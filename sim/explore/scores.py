"""Pure scoring functions for validation: dated scores and the persistence baseline.

*Dates.* An ensemble's forecast of when something happens is the list of days
(since the window opens) on which each replication did it, ``None`` where it
never did. Two proper scores set it against the record:

- the **month log score**: -ln of the smoothed share of replications whose date
  falls in the recorded calendar month, "never" being one more outcome beside
  the window's months. Each outcome gets `MONTH_SMOOTHING` pseudo-replications
  (add-one-half, Jeffreys' smoothing), so a month no replication hit costs a
  large but finite amount: -ln(0.5 / (n + 0.5 K)) with K outcomes.
- the **CRPS** of the date in days: the mean absolute gap between a forecast
  date and the recorded one, less half the mean gap between two forecast dates.
  "Never" is an atom at the window's end plus one day (`never_day`), both in the
  forecast and in the record; so a forecast that says "never" to a dated move is
  charged the days from its date to the window's end, and a point forecast
  scores its absolute error in days.

*Persistence.* The smoothed persistence baseline gives "no change" the
probability (persisted + 1) / (n + 2) over the n other episodes (Laplace's rule
of succession) and spreads the rest over the episode's change outcomes in
proportion to how often the other episodes ended in each, plus one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

MONTH_SMOOTHING = 0.5
"""Pseudo-replications each month (and "never") gets before the month log score is taken."""

AGREE_WINDOW_DAYS = 30
"""A dated move agrees with the record when the model's actor makes it at most this many days from the
recorded date (either side)."""


def never_day(start: date, end: date) -> int:
    """The day (since `start`) "never" stands for in a date's CRPS: the window's last day plus one."""
    return (end - start).days + 1


def month_of(start: date, day: int) -> tuple[int, int]:
    """(year, month) of the day `day` days after `start`."""
    d = start + timedelta(days=day)
    return d.year, d.month


def window_months(start: date, end: date) -> list[tuple[int, int]]:
    """Every calendar month the window [start, end] touches, in order."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_log_score(days: Sequence[int | None], observed: int | None, start: date, end: date,
                    smoothing: float = MONTH_SMOOTHING) -> float:
    """-ln of the smoothed forecast probability of the recorded month (`observed` a day since `start`, or None
    for "never"); `days` the forecast, one entry per replication (None: never). Lower is better."""
    months = window_months(start, end)
    keys: list[tuple[int, int] | None] = [*months, None]
    counts: dict[tuple[int, int] | None, int] = dict.fromkeys(keys, 0)
    for d in days:
        key = None if d is None else month_of(start, d)
        counts[key] = counts.get(key, 0) + 1
    want = None if observed is None else month_of(start, observed)
    total = len(days) + smoothing * len(counts)
    return -math.log((counts.get(want, 0) + smoothing) / total)


def crps_days(days: Sequence[int | None], observed: int | None, never: int) -> float:
    """The CRPS (in days) of an ensemble of dates against the recorded one, "never" (None) at day `never`.

    For the empirical distribution of m values x: mean|x - y| - (1 / 2m^2) sum_ij |x_i - x_j|.
    """
    xs = sorted(float(never if d is None else d) for d in days)
    if not xs:
        raise ValueError("no forecast to score")
    y = float(never if observed is None else observed)
    m = len(xs)
    spread = sum((2 * i - m + 1) * x for i, x in enumerate(xs)) * 2.0 / (m * m)  # mean |x_i - x_j|
    return sum(abs(x - y) for x in xs) / m - spread / 2.0


def persistence(outcomes: Sequence[str], quiet: str, others: Sequence[tuple[str, bool]]) -> dict[str, float]:
    """The smoothed persistence forecast of an episode whose possible `outcomes` include the no-change `quiet`.

    `others`: each other episode's recorded outcome and whether it changed the pact's stage. P(quiet) =
    (persisted + 1) / (n + 2); the rest is spread by `spread_change`.
    """
    n = len(others)
    persisted = sum(not changed for _, changed in others)
    return spread_change(outcomes, quiet, (persisted + 1) / (n + 2), others)


def spread_change(outcomes: Sequence[str], quiet: str, p_quiet: float,
                  others: Sequence[tuple[str, bool]]) -> dict[str, float]:
    """`p_quiet` on the no-change outcome, the rest over the change outcomes in proportion to 1 + how many
    of the `others` (recorded outcome, whether it changed the stage) ended in each (an outcome this episode
    cannot end in is not counted)."""
    changes = [k for k in outcomes if k != quiet]
    weights = {k: 1.0 + sum(changed and outcome == k for outcome, changed in others) for k in changes}
    total = sum(weights.values())
    out = {k: (1.0 - p_quiet) * w / total for k, w in weights.items()}
    out[quiet] = p_quiet if changes else 1.0
    return {k: out[k] for k in outcomes}


def brier(p: Mapping[str, float], outcome: str) -> float:
    """The Brier score (summed over outcomes, 0 to 2) of a forecast distribution against what happened."""
    keys = set(p) | {outcome}
    return sum((p.get(k, 0.0) - (k == outcome)) ** 2 for k in keys)


def brier_mc_variance(p: Mapping[str, float], outcome: str, runs: int) -> float:
    """The Monte Carlo variance of `brier` when `p` is the share of `runs` independent replications ending in each
    outcome (a multinomial draw), to first order (the delta method): ``g' (diag(p) - p p') g / runs`` with
    ``g = 2 (p - y)``, y the recorded outcome's indicator. It says how much of a score is the ensemble's finite size,
    not what a forecast's parameters or calibration contribute; an exact forecast (a baseline) has none."""
    if runs <= 0:
        raise ValueError(f"runs must be positive, got {runs}")
    keys = list(set(p) | {outcome})
    grad = {k: 2.0 * (p.get(k, 0.0) - (k == outcome)) for k in keys}
    mean = sum(p.get(k, 0.0) * grad[k] for k in keys)
    second = sum(p.get(k, 0.0) * grad[k] ** 2 for k in keys)
    return max(0.0, second - mean ** 2) / runs


def log_score(p: Mapping[str, float], outcome: str, floor: float) -> float:
    """-ln p(outcome), the forecast floored at `floor`."""
    return -math.log(max(p.get(outcome, 0.0), floor))
