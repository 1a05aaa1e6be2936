"""Which outcomes an episode can end in, by the stage it starts from."""

from __future__ import annotations

from .lifecycle import PRE_SIGNING, Stage

PRE_SIGNING_OUTCOMES = ("signed", "collapsed", "stalled", "no_talks")
IN_FORCE_OUTCOMES = ("renewed", "notice_pending", "terminated", "suspended", "normalised")
NOTICE_OUTCOMES = ("notice_pending", "terminated", "suspended", "normalised")
SUSPENDED_OUTCOMES = ("suspended", "normalised", "terminated", "notice_pending")


def possible_outcomes(start: Stage, renews: bool = True) -> tuple[str, ...]:
    """The outcomes a replication starting in `start` can end in; `renews` is False for an agreement
    without renewal dates (it ends only by notice), whose quiet outcome is ``continued``, not ``renewed``."""
    if not renews:
        return tuple("continued" if o == "renewed" else o for o in possible_outcomes(start))
    if start is Stage.NO_TALKS:
        return PRE_SIGNING_OUTCOMES
    if start in PRE_SIGNING:
        return PRE_SIGNING_OUTCOMES[:3]
    if start is Stage.NOTICE_GIVEN:
        return NOTICE_OUTCOMES
    if start is Stage.SUSPENDED:
        return SUSPENDED_OUTCOMES
    if start is Stage.TERMINATED:
        return ("terminated", "signed")
    return IN_FORCE_OUTCOMES
