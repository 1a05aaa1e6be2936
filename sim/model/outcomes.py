"""Outcomes: classifying a replication, and summarising an ensemble.

A replication's outcome is read off the agreement's transitions:
- from a start before signing: ``signed``, ``collapsed`` (cancelled, not
  signed after), ``stalled`` (still pending at the end) or ``no_talks``;
- from a start in force: ``renewed`` (no notice), ``notice_pending``,
  ``terminated``, ``suspended`` (a notice suspended and still suspended at the
  end) or ``normalised`` (a notice withdrawn: the agreement back to normal);
- from a start with a notice pending or suspended: the same, by the stage the
  agreement ends in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..domain.lifecycle import PRE_SIGNING, Stage
from ..domain.outcomes import IN_FORCE_OUTCOMES, PRE_SIGNING_OUTCOMES, possible_outcomes

__all__ = ["FINAL_OUTCOME", "IN_FORCE_OUTCOMES", "PRE_SIGNING_OUTCOMES", "classify", "median", "possible_outcomes",
           "status_quo", "wilson_interval"]

Transition = tuple[float, Stage, Stage, str]



def status_quo(start: Stage) -> str:
    """The outcome in which nothing changes: the 'status quo persists' baseline."""
    if start is Stage.NO_TALKS:
        return "no_talks"
    if start in PRE_SIGNING:
        return "stalled"
    return {Stage.NOTICE_GIVEN: "notice_pending", Stage.SUSPENDED: "suspended",
            Stage.TERMINATED: "terminated"}.get(start, "renewed")


FINAL_OUTCOME: dict[Stage, str] = {
    Stage.NOTICE_GIVEN: "notice_pending",
    Stage.TERMINATED: "terminated",
    Stage.SUSPENDED: "suspended",
    Stage.NORMALISED: "normalised",
}
"""The outcome of an episode that starts with the agreement in force (or noticed, or suspended), by the
stage it ends in; an agreement in force at the end renewed."""


def classify(start: Stage, transitions: Sequence[Transition], final: Stage,
             renews: bool = True) -> tuple[str, float | None]:
    """(outcome, time in days of the decisive transition or None); `renews` False for an agreement
    without renewal dates, whose quiet outcome is ``continued``."""
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
    if start is Stage.TERMINATED:
        signed = [t for t, _, to, _ in transitions if to is Stage.IN_FORCE]
        return ("signed", signed[0]) if signed else ("terminated", None)
    ended = [t for t, _, to, _ in transitions if to is Stage.TERMINATED]
    if ended:  # once ended, whatever talks follow, the episode's agreement ended
        return "terminated", ended[0]
    quiet = "renewed" if renews else "continued"
    outcome = FINAL_OUTCOME.get(final, quiet)
    if outcome == "normalised" and start is Stage.NORMALISED and not transitions:
        return quiet, None  # a normalised pact that nothing touched simply renewed (or continued)
    if outcome == quiet:
        return quiet, None
    entered = [t for t, _, to, _ in transitions if to is final]
    return outcome, entered[-1] if entered else None


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
