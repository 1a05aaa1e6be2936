"""Washington, the patron: decides whether and how hard to press the allies while the pact is not
secure, at the occasions it has to do so.

Washington does not press whenever the pact is not in force. It takes the question up at dated
occasions: a scheduled meeting with the allies (a `consultation` fact in the scenario: a trilateral
meeting, the Security Consultative Meeting, a summit), a change of the situation (a stage of the pact, a
trade measure), and, while a deadline of the pact's own legal rules is pending (a notice running to its
expiry), on its agenda, whose meetings quicken as the deadline nears. What it chooses at each occasion
depends on the state (the deadline's urgency, the threat), never on a date.
"""

from __future__ import annotations

from ..choice import NOTHING
from ..stages import IN_FORCE, NORMALISED, NOTICE_GIVEN
from ..terms import patron_press
from .base import Actor

SECURE = frozenset({IN_FORCE, NORMALISED})
"""Stages in which the pact is secure: Washington has nothing to press for."""

OCCASION = "consultation"
"""The dated fact that gives Washington an occasion to press (a scheduled meeting with the allies)."""


class Patron(Actor):
    """Washington: presses the allies when the pact is at stake, at the occasions it has."""

    role = "patron"
    listens = frozenset({"notice_given", "collapsed", "nuclear_test", "missile_test", "negotiating", "suspended",
                         "terminated", OCCASION})

    def faces(self) -> str | None:
        if not self.on("quasi_alliance") or self.view.stage in SECURE:
            return None
        return "press the allies?"

    def deadline(self) -> float | None:
        ctx = self.view
        return ctx.notice_expiry if ctx.stage is NOTICE_GIVEN else None

    def on_agenda(self) -> bool:
        """Washington's agenda brings the pact up only while a deadline of its legal rules is pending (a
        notice running to its expiry); otherwise it presses only at dated occasions."""
        return self.deadline() is not None

    def takes_up(self, kind: str) -> bool:
        """A scheduled meeting with the allies is an occasion to press; other news as for any government."""
        return kind == OCCASION or super().takes_up(kind)

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
