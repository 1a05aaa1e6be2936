"""A reduced-form baseline: a monthly hazard of the pact's stage changing, fitted leave-one-out.

Every month of every episode is one row. Its outcome is 1 when the record dates a
change of the pact's stage in that month (`record.dates`), else 0; its covariates
are read from the scenario file alone, never from a simulation:

- ``deadline``: the month holds a date of the legal calendar (a notice deadline,
  expiry minus ``notice_days``, or an expiry) of an agreement with anniversaries;
- ``facts``: ln(1 + the file's dated facts that month), the triggers that are not
  actors' moves given as assumptions, polls left out;
- ``pre_signing``: the episode opens before the pact is signed (talks to come).

A logistic regression with an intercept is fitted on the other episodes' months
by penalised maximum likelihood (a ridge of `RIDGE` on the slopes, none on the
intercept: with a handful of changes, an unpenalised fit separates). Its
hazards give the episode's forecasts:

- the first change of stage: in month m with probability h_m times the product
  of (1 - h_k) before it, "never" the rest; within a month the mass is spread
  evenly over its days (for the CRPS);
- the outcome: no change with probability prod(1 - h_m); the rest spread over the
  change outcomes as `scores.persistence` spreads it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from scipy.optimize import minimize

from ..domain.lifecycle import PRE_SIGNING
from ..model.agreement import anniversaries
from ..scenario.loader import Scenario
from .scores import window_months

RIDGE = 1.0
"""The penalty on the squared slopes (covariates are 0/1 or a log count: of order one)."""
COVARIATES = ("intercept", "deadline", "facts", "pre_signing")
"""The columns of the design, in order."""


def _month_span(ym: tuple[int, int], start: date, end: date) -> tuple[date, date]:
    first = max(date(ym[0], ym[1], 1), start)
    nxt = date(ym[0] + (ym[1] == 12), ym[1] % 12 + 1, 1)
    return first, min(nxt - timedelta(days=1), end)


def calendar_marks(sc: Scenario) -> list[date]:
    """The legal calendar's dates in the window: notice deadlines and expiries (anniversary rules only)."""
    a = sc.agreement
    if a.termination != "anniversary" or a.signed is None:
        return []
    notice = timedelta(days=a.notice_days)
    expiries = anniversaries(a.signed, a.term_years, sc.start - notice, sc.end + notice)
    return [d for e in expiries for d in (e - notice, e) if sc.start <= d <= sc.end]


def design(sc: Scenario) -> tuple[np.ndarray, np.ndarray, list[tuple[date, date]]]:
    """(covariates per month, 1 where the record dates a stage change that month, each month's first and last
    day within the window)."""
    marks = calendar_marks(sc)
    facts = [t.at for t in sc.triggers if t.at is not None and not t.given and t.kind != "poll"]
    changes = list(sc.record.dates.values()) if sc.record is not None else []
    rows, ys, spans = [], [], []
    for ym in window_months(sc.start, sc.end):
        lo, hi = _month_span(ym, sc.start, sc.end)
        rows.append([1.0, float(any(lo <= d <= hi for d in marks)),
                     math.log1p(sum(lo <= d <= hi for d in facts)), float(sc.agreement.state in PRE_SIGNING)])
        ys.append(float(any(lo <= d <= hi for d in changes)))
        spans.append((lo, hi))
    return np.array(rows), np.array(ys), spans


def fit(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """The penalised logistic regression's coefficients (intercept unpenalised)."""
    penalty = np.full(x.shape[1], ridge)
    penalty[0] = 0.0

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ beta
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(np.sum(penalty * beta * beta))
        grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y) + penalty * beta
        return nll, grad

    return np.asarray(minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x)


def hazards(episodes: Sequence[Scenario], i: int, ridge: float = RIDGE) -> np.ndarray:
    """Episode i's monthly hazards from the fit on every other episode's months (with no other episode, no
    data: every coefficient stays 0 and each month's hazard is 1/2)."""
    parts = [design(sc) for j, sc in enumerate(episodes) if j != i]
    own = design(episodes[i])[0]
    if not parts:
        return np.full(len(own), 0.5)
    beta = fit(np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), ridge)
    return np.asarray(1.0 / (1.0 + np.exp(-(own @ beta))))


def first_change_days(sc: Scenario, h: np.ndarray) -> dict[int | None, float]:
    """The forecast of the first change's day (since the start; None: never) from monthly hazards `h`."""
    _, _, spans = design(sc)
    out: dict[int | None, float] = {}
    alive = 1.0
    for (lo, hi), hm in zip(spans, h, strict=True):
        mass = alive * float(hm)
        n = (hi - lo).days + 1
        for k in range(n):
            out[(lo - sc.start).days + k] = mass / n
        alive -= mass
    out[None] = alive
    return out


def month_log(days: dict[int | None, float], observed: int | None, sc: Scenario) -> float:
    """-ln of the forecast probability of the recorded month (or of "never")."""
    if observed is None:
        return -math.log(max(days.get(None, 0.0), 1e-300))
    want = sc.start + timedelta(days=observed)
    p = sum(v for d, v in days.items()
            if d is not None and (sc.start + timedelta(days=d)).replace(day=1) == want.replace(day=1))
    return -math.log(max(p, 1e-300))


def crps_discrete(days: dict[int | None, float], observed: int | None, never: int) -> float:
    """The CRPS (days) of a distribution over whole days ("never", None, at day `never`): the sum over days of
    (F(x) - 1[x >= y])^2, exact for a step function on whole days."""
    mass = {(never if d is None else d): 0.0 for d in days}
    for d, v in days.items():
        mass[never if d is None else d] += v
    y = never if observed is None else observed
    lo, hi = min(min(mass), y), max(max(mass), y)
    total, f = 0.0, 0.0
    for x in range(lo, hi + 1):
        f += mass.get(x, 0.0)
        total += (f - (x >= y)) ** 2
    return total
