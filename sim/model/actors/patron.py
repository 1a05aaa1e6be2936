"""Washington, the patron: presses the allies when the pact is at stake, more as a
deadline nears."""

from __future__ import annotations

import math

from ..terms import patron_press
from .base import Actor, Reason


class Patron(Actor):
    """Washington: presses the allies when the pact is at stake."""

    role = "patron"
    listens = frozenset({"notice_given", "collapsed", "nuclear_test", "negotiating"})

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.view
        if not self.facts.get("engaged", True) or not self.on("quasi_alliance"):
            return
        if what == "event" and kind == "notice_given":
            self._schedule_review()
        elif what == "review" and ctx.stage.value == "notice_given":
            self._press("keep the pact", self._schedule_review)
        elif what == "event" and kind in ("collapsed", "nuclear_test", "negotiating"):
            self._press(f"press after {kind.replace('_', ' ')}?", None)

    def _schedule_review(self) -> None:
        ctx = self.view
        t = ctx.now + float(ctx.rng.exponential(ctx.p.patron_review_days))
        if t < ctx.notice_expiry:  # the notice's expiry, set by Seoul when it gives (or starts with) notice
            self.wake_at(t, "review")

    def _press(self, situation: str, then) -> None:
        ctx = self.view
        t = ctx.now
        urgency = 0.0
        if ctx.stage.value == "notice_given":
            urgency = math.exp(-max(0.0, ctx.notice_expiry - t) / ctx.p.patron_urgency_days)
        threat = ctx.state("threat")
        d = self.decide(situation, {"press": patron_press(urgency, threat, ctx.p), "hold_back": {}})
        if d.chosen == "press":
            ctx.emit("us_pressure", {})
        if then is not None:
            then()
