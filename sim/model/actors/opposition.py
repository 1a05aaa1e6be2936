"""The opposition: mobilises against the executive's line on the pact (two-level game)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..terms import mobilise
from ..view import ActorView
from .base import Actor, Reason

PRO_PACT_EVENTS = frozenset({"negotiating", "initialled", "cabinet_approved", "revealed",
                             "in_force", "suspended", "normalised"})
ANTI_PACT_EVENTS = frozenset({"notice_given", "collapsed", "terminated"})


class Opposition(Actor):
    """The opposition: mobilises against the executive's line on the pact."""

    role = "opposition"
    listens = PRO_PACT_EVENTS | ANTI_PACT_EVENTS | {"scandal"}

    def __init__(self, view: ActorView, name: str, facts: Mapping[str, Any]) -> None:
        super().__init__(view, name, facts)
        # it only ever reacts to the steps its stance opposes (and to scandals)
        against = facts.get("stance", "against") == "against"
        self.listens = (PRO_PACT_EVENTS if against else ANTI_PACT_EVENTS) | {"scandal"}

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.view
        if what == "protest":
            ctx.emit("protest", {"magnitude": self.facts.get("seat_share", 0.4) * 2})
            return
        if what != "event" or not self.on("two_level_game"):
            return
        against = ctx.opposition["against"]
        t = ctx.now
        if kind == "scandal":
            salience = 1.0 - ctx.state("approval") / 100.0
        elif (kind in PRO_PACT_EVENTS and against) or (kind in ANTI_PACT_EVENTS and not against):
            salience = ctx.state("anti_japan" if against else "threat")
        else:
            return
        d = self.decide(f"mobilise after {kind.replace('_', ' ')}?",
                        {"mobilise": mobilise(salience, ctx.p), "stay_put": {}})
        if d.chosen == "mobilise":
            self.wake_at(t + float(ctx.rng.exponential(ctx.p.reaction_days)), "protest")
