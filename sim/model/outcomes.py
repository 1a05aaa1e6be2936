"""Outcomes: classifying a replication, and summarising an ensemble.

A replication's outcome is read off the agreement's transitions:
- from a start before signing: ``signed``, ``collapsed`` (cancelled, not
  signed after), ``stalled`` (still pending at the end) or ``no_talks``;
- from a start in force: ``renewed`` (no notice), ``notice_pending``,
  ``terminated`` or ``suspended``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..domain.lifecycle import PRE_SIGNING, Stage
from ..domain.outcomes import IN_FORCE_OUTCOMES, PRE_SIGNING_OUTCOMES, possible_outcomes

__all__ = ["IN_FORCE_OUTCOMES", "PRE_SIGNING_OUTCOMES", "classify", "median", "possible_outcomes", "status_quo",
           "wilson_interval"]

Transition = tuple[float, Stage, Stage, str]



def status_quo(start: Stage) -> str:
    """The outcome in which nothing changes: the 'status quo persists' baseline."""
    if start is Stage.NO_TALKS:
        return "no_talks"
    return "stalled" if start in PRE_SIGNING else "renewed"


def classify(start: Stage, transitions: Sequence[Transition], final: Stage) -> tuple[str, float | None]:
    """(outcome, time in days of the decisive transition or None)."""
    if start in PRE_SIGNING:
        signed = [t for t, _, to, _ in transitions if to is Stage.IN_FORCE]
        if signed:
            return "signed", signed[0]
        collapses = [t for t, frm, to, _ in transitions if to is Stage.NO_TALKS and frm is not Stage.NO_TALKS]
        if collapses:
            return "collapsed", collapses[0]
        if final is Stage.NO_TALKS:
            return "no_talks", None
        return "stalled", None
    notices = [t for t, _, to, _ in transitions if to is Stage.NOTICE_GIVEN]
    if start in (Stage.NOTICE_GIVEN, Stage.SUSPENDED, Stage.TERMINATED) and not notices:
        # the notice was given before the window: its fate is the outcome
        if final is Stage.TERMINATED:
            ended = [t for t, _, to, _ in transitions if to is Stage.TERMINATED]
            return "terminated", ended[-1] if ended else None
        if final in (Stage.SUSPENDED, Stage.NORMALISED):
            suspended = [t for t, _, to, _ in transitions if to is Stage.SUSPENDED]
            return "suspended", suspended[-1] if suspended else None
        if final is Stage.NOTICE_GIVEN:
            return "notice_pending", None
    if not notices:
        return "renewed", None
    ended = [t for t, _, to, _ in transitions if to is Stage.TERMINATED]
    suspended = [t for t, _, to, _ in transitions if to is Stage.SUSPENDED]
    if final is Stage.TERMINATED and ended:
        return "terminated", ended[-1]
    if suspended and final in (Stage.SUSPENDED, Stage.NORMALISED):
        return "suspended", suspended[-1]
    if final is Stage.NOTICE_GIVEN:
        return "notice_pending", notices[-1]
    return ("terminated", ended[-1]) if ended else ("suspended", suspended[-1])


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a binomial proportion."""
    if n == 0:
        return (0.0, 1.0)
    phat = successes / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def median(values: Sequence[float]) -> float | None:
    """Median of `values`, or None when empty."""
    if not values:
        return None
    s = sorted(values)
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) / 2
