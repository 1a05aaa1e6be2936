"""The agreement's stages and the moves between them (the lifecycle graph).

    no_talks -> negotiating -> initialled -> cabinet_approved -> in_force
    in_force -> notice_given -> terminated | suspended | normalised   (normalised: the notice withdrawn)
    suspended -> normalised | terminated | notice_given   (notice_given: a suspension's term lapsed)
    normalised -> notice_given
    negotiating | initialled | cabinet_approved -> no_talks   (a collapse)
    terminated -> negotiating                                  (talks reopen)
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """States of the agreement."""

    NO_TALKS = "no_talks"
    NEGOTIATING = "negotiating"
    INITIALLED = "initialled"
    CABINET_APPROVED = "cabinet_approved"
    IN_FORCE = "in_force"
    NOTICE_GIVEN = "notice_given"
    TERMINATED = "terminated"
    SUSPENDED = "suspended"
    NORMALISED = "normalised"


TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.NO_TALKS: frozenset({Stage.NEGOTIATING}),
    Stage.NEGOTIATING: frozenset({Stage.INITIALLED, Stage.NO_TALKS}),
    Stage.INITIALLED: frozenset({Stage.CABINET_APPROVED, Stage.NO_TALKS}),
    Stage.CABINET_APPROVED: frozenset({Stage.IN_FORCE, Stage.NO_TALKS}),
    Stage.IN_FORCE: frozenset({Stage.NOTICE_GIVEN}),
    Stage.NOTICE_GIVEN: frozenset({Stage.TERMINATED, Stage.SUSPENDED, Stage.NORMALISED}),
    Stage.SUSPENDED: frozenset({Stage.NORMALISED, Stage.TERMINATED, Stage.NOTICE_GIVEN}),
    Stage.NORMALISED: frozenset({Stage.NOTICE_GIVEN}),
    Stage.TERMINATED: frozenset({Stage.NEGOTIATING}),
}

PRE_SIGNING = frozenset({Stage.NO_TALKS, Stage.NEGOTIATING, Stage.INITIALLED, Stage.CABINET_APPROVED})
"""Stages before the agreement is in force."""
