"""Which outcomes an episode can end in, by the stage it starts from."""

from __future__ import annotations

from .lifecycle import PRE_SIGNING, Stage

PRE_SIGNING_OUTCOMES = ("signed", "collapsed", "stalled", "no_talks")
IN_FORCE_OUTCOMES = ("renewed", "notice_pending", "terminated", "suspended")


def possible_outcomes(start: Stage) -> tuple[str, ...]:
    """The outcomes a replication starting in `start` can end in."""
    if start is Stage.NO_TALKS:
        return PRE_SIGNING_OUTCOMES
    if start in PRE_SIGNING:
        return PRE_SIGNING_OUTCOMES[:3]
    return IN_FORCE_OUTCOMES
