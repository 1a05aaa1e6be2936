"""The opposition: decides when to mobilise against the executive's line on the pact
(two-level game), and against a president caught in a scandal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.lifecycle import Stage
from ..terms import mobilise
from ..view import ActorView
from .base import Actor

PRO_PACT_EVENTS = frozenset({"negotiating", "initialled", "cabinet_approved", "revealed",
                             "in_force", "suspended", "normalised"})
ANTI_PACT_EVENTS = frozenset({"notice_given", "collapsed", "terminated"})
PACT_ADVANCING = frozenset({Stage.NEGOTIATING, Stage.INITIALLED, Stage.CABINET_APPROVED})
"""Stages in which the executive is taking the pact forward (what an opposition against it opposes)."""
PACT_RECEDING = frozenset({Stage.NOTICE_GIVEN, Stage.TERMINATED})
"""Stages in which the executive is taking the pact apart (what an opposition for it opposes)."""


class Opposition(Actor):
    """The opposition: mobilises against the executive's line on the pact."""

    role = "opposition"
    listens = PRO_PACT_EVENTS | ANTI_PACT_EVENTS | {"scandal"}

    def __init__(self, view: ActorView, name: str, facts: Mapping[str, Any], decides: bool = True) -> None:
        super().__init__(view, name, facts, decides)
        # it only ever reacts to the steps its stance opposes (and to scandals)
        self.against = facts.get("stance", "against") == "against"
        self.listens = (PRO_PACT_EVENTS if self.against else ANTI_PACT_EVENTS) | {"scandal"}

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
        elif self.contested() or why in ANTI_PACT_EVENTS or why in PRO_PACT_EVENTS:
            salience = ctx.state("anti_japan" if self.against else "threat")
        else:
            return
        what = "a scandal" if why == "scandal" else "the executive's line on the pact"
        if self.choose(f"mobilise against {what}?", {"mobilise": mobilise(salience, ctx.p), "stay_put": {}}) \
                == "mobilise":
            self.wake_at(ctx.now + ctx.draws.exponential(ctx.p.reaction_days), "protest")

    def timer(self, what: str, detail: Any) -> None:
        if what == "protest":
            self.view.emit("protest", {})
