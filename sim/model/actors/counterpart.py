"""Tokyo, the counterpart: consents to the pact's steps, answers court rulings with
trade measures, and weighs an offer of export-control talks at the deadline."""

from __future__ import annotations

import math

from ..terms import offer_talks, retaliation, tokyo_consent, walkaway, with_terms
from .base import Actor, Reason


class Counterpart(Actor):
    """Tokyo: consents to the pact's steps, retaliates for rulings, offers talks at the deadline."""

    role = "counterpart"
    review_pending = False
    """A review of trade measures is scheduled."""
    offered = False
    """Tokyo has offered export-control talks (it does so once)."""
    listens = frozenset({"court_ruling", "history_dispute", "notice_given"})

    def answer(self, question: str) -> bool:
        """Tokyo's answer when Seoul proposes a step (a logit choice): agree, or ask for time."""
        ctx = self.view
        s = ctx.snapshot()
        d = self.decide(question, {"agree": tokyo_consent(s, ctx.p, ctx.mechanisms), "ask_for_time": {}})
        return d.chosen == "agree"

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.view
        if what == "event" and kind in ("court_ruling", "history_dispute") and self.on("issue_linkage"):
            if not self.review_pending:
                self.review_pending = True
                self.wake_at(ctx.now + float(ctx.rng.exponential(ctx.p.tokyo_review_days)), "retaliation")
        elif what == "retaliation":
            self.review_pending = False
            self._retaliation_review()
        elif what == "event" and kind == "notice_given":
            # Tokyo holds that trade and security are separate files and weighs a
            # concession once, a day before the notice takes effect (brinkmanship);
            # an earlier offer can be given as a dated `talks` trigger (issue: trade)
            self.wake_at(ctx.notice_expiry - 1.0, "last_offer")
        elif what == "last_offer":
            self._consider_offer()

    def _retaliation_review(self) -> None:
        ctx = self.view
        flags = ctx.flags
        s = {"grievance": ctx.state("grievance")}  # all this rule reads (a hot path)
        gain = retaliation(s, ctx.p)
        if "export_controls" not in flags:
            options = {"impose_export_controls": gain, "wait": {}}
        elif "whitelist_removed" not in flags:
            options = {"remove_from_white_list": gain, "wait": {},
                       "lift_export_controls": with_terms({k: -v for k, v in gain.items()},
                                                          **walkaway(ctx.p, ctx.mechanisms))}
        else:
            options = {"keep_measures": {},
                       "lift_export_controls": with_terms({k: -v for k, v in gain.items()},
                                                          **walkaway(ctx.p, ctx.mechanisms))}
        d = self.decide("trade measures over the rulings?", options)
        if d.chosen == "impose_export_controls":
            ctx.emit("export_control", {})
        elif d.chosen == "remove_from_white_list":
            ctx.emit("whitelist_removal", {})
        elif d.chosen == "lift_export_controls":
            ctx.emit("controls_lifted", {})
        if d.chosen not in ("lift_export_controls",) and s["grievance"] > ctx.p.tokyo_grievance_threshold:
            self.review_pending = True
            self.wake_at(ctx.now + float(ctx.rng.exponential(ctx.p.tokyo_review_days)), "retaliation")

    def _consider_offer(self) -> None:
        ctx = self.view
        if ctx.stage.value != "notice_given" or "trade_talks" in ctx.flags:
            return
        if not self.on("quasi_alliance") or self.offered:
            return
        t = ctx.now
        s = ctx.snapshot()
        urgency = math.exp(-max(0.0, ctx.notice_expiry - t) / ctx.p.patron_urgency_days)
        d = self.decide("offer export-control talks?",
                        {"offer_talks": offer_talks(s, ctx.p, urgency), "not_yet": {}})
        if d.chosen == "offer_talks":
            self.offered = True
            ctx.emit("talks", {"issue": "trade"})
