"""The opposition: decides when to mobilise against the executive's line on the pact
(two-level game), and against a president caught in a scandal."""

from __future__ import annotations

from typing import Any

from ..choice import NOTHING
from ..stages import CABINET_APPROVED, INITIALLED, NEGOTIATING, NOTICE_GIVEN, TERMINATED
from ..terms import mobilise
from .base import Actor

PRO_PACT_EVENTS = frozenset({"negotiating", "initialled", "cabinet_approved", "revealed",
                             "in_force", "suspended", "normalised"})
ANTI_PACT_EVENTS = frozenset({"notice_given", "collapsed", "terminated"})
PACT_ADVANCING = frozenset({NEGOTIATING, INITIALLED, CABINET_APPROVED})
"""Stages in which the executive is taking the pact forward (what an opposition against it opposes)."""
PACT_RECEDING = frozenset({NOTICE_GIVEN, TERMINATED})
"""Stages in which the executive is taking the pact apart (what an opposition for it opposes)."""


class Opposition(Actor):
    """The opposition: mobilises against the executive's line on the pact."""

    role = "opposition"
    deliberates = False  # a campaign answers the events it opposes as they come
    listens = PRO_PACT_EVENTS | ANTI_PACT_EVENTS | {"scandal"}

    @property
    def against(self) -> bool:
        """Whether this opposition is against the pact now (a change of government can turn it)."""
        return bool(self.view.opposition["against"])

    def opposes(self, kind: str) -> bool:
        """Whether an event is a step of the line it opposes (or a scandal, which it always seizes on)."""
        return kind == "scandal" or kind in (PRO_PACT_EVENTS if self.against else ANTI_PACT_EVENTS)

    def contested(self) -> bool:
        """Whether the executive's line on the pact is one this opposition opposes now."""
        return self.view.stage in (PACT_ADVANCING if self.against else PACT_RECEDING)

    def faces(self) -> str | None:
        return "mobilise?" if self.on("two_level_game") else None

    def on_agenda(self) -> bool:
        return self.contested()

    def review(self, why: str) -> None:
        ctx = self.view
        if why == "scandal":
            salience = 1.0 - ctx.state("approval") / 100.0
        elif self.opposes(why) or (why == "agenda" and self.contested()):
            salience = ctx.state("anti_japan" if self.against else "threat")
        else:
            return  # a step of the line it supports
        what = "a scandal" if why == "scandal" else "the executive's line on the pact"
        if self.choose(f"mobilise against {what}?", {"mobilise": mobilise(salience, ctx.p), "stay_put": NOTHING}) \
                == "mobilise":
            self.wake_at(ctx.now + ctx.draws.exponential(ctx.p.reaction_days), "protest")

    def timer(self, what: str, detail: Any) -> None:
        if what == "protest":
            self.view.emit("protest", {})
