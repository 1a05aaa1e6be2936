"""Washington, the patron: decides when and how hard to press the allies while the pact
is not secure, more as a deadline nears and the threat grows."""

from __future__ import annotations

from ..choice import NOTHING
from ..stages import IN_FORCE, NORMALISED, NOTICE_GIVEN
from ..terms import patron_press
from .base import Actor

SECURE = frozenset({IN_FORCE, NORMALISED})
"""Stages in which the pact is secure: Washington has nothing to press for."""


class Patron(Actor):
    """Washington: presses the allies when the pact is at stake."""

    role = "patron"
    listens = frozenset({"notice_given", "collapsed", "nuclear_test", "missile_test", "negotiating", "suspended",
                         "terminated"})

    def faces(self) -> str | None:
        if not self.on("quasi_alliance") or self.view.stage in SECURE:
            return None
        return "press the allies?"

    def deadline(self) -> float | None:
        ctx = self.view
        return ctx.notice_expiry if ctx.stage is NOTICE_GIVEN else None

    def review(self, why: str) -> None:
        ctx = self.view
        urgency = self.urgency()
        threat = ctx.state("threat")
        chosen = self.choose("press the allies?", {
            "hold_back": NOTHING,
            "press": patron_press(urgency, threat, ctx.p, 1.0),
            "press_hard": patron_press(urgency, threat, ctx.p, 2.0),
        })
        if chosen != "hold_back":
            ctx.emit("us_pressure", {"magnitude": 2.0 if chosen == "press_hard" else 1.0})
