"""Tokyo, Washington, the opposition and the public: the actors around Seoul.

Each reacts to events in its own way and acts through events of its own
(export controls, pressure, protests, boycotts), so that history's moves by
these actors can be given as dated facts or produced by the model.
"""

from __future__ import annotations

import math

from ..terms import boycott, mobilise, offer_talks, patron_press, retaliation, tokyo_consent, walkaway, with_terms
from .base import Actor, Reason

PRO_PACT_EVENTS = frozenset({"negotiating", "initialled", "cabinet_approved", "revealed",
                             "in_force", "suspended", "normalised"})
ANTI_PACT_EVENTS = frozenset({"notice_given", "collapsed", "terminated"})


class Counterpart(Actor):
    """Tokyo: consents to the pact's steps, retaliates for rulings, offers talks at the deadline."""

    role = "counterpart"
    listens = frozenset({"court_ruling", "history_dispute", "notice_given"})

    def consents(self, situation: str) -> bool:
        """Tokyo's answer when Seoul proposes a step (a logit choice)."""
        ctx = self.ctx
        s = ctx.world.snapshot(ctx.env.now)
        d = self.decide(situation, {"agree": tokyo_consent(s, ctx.p, ctx.mechanisms), "ask_for_time": {}})
        return d.chosen == "agree"

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.ctx
        if what == "event" and kind in ("court_ruling", "history_dispute") and self.on("issue_linkage"):
            if not getattr(self, "review_pending", False):
                self.review_pending = True
                self.wake_at(ctx.env.now + float(ctx.rng.exponential(ctx.p.tokyo_review_days)), "retaliation")
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
        ctx = self.ctx
        flags = ctx.world.flags
        s = ctx.world.snapshot(ctx.env.now)
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
            ctx.emit("export_control", self, {})
        elif d.chosen == "remove_from_white_list":
            ctx.emit("whitelist_removal", self, {})
        elif d.chosen == "lift_export_controls":
            ctx.emit("controls_lifted", self, {})
        if d.chosen not in ("lift_export_controls",) and s["grievance"] > 0.15:
            self.review_pending = True
            self.wake_at(ctx.env.now + float(ctx.rng.exponential(ctx.p.tokyo_review_days)), "retaliation")

    def _consider_offer(self) -> None:
        ctx = self.ctx
        if ctx.agreement.stage.value != "notice_given" or "trade_talks" in ctx.world.flags:
            return
        if not self.on("quasi_alliance") or getattr(self, "offered", False):
            return
        t = ctx.env.now
        s = ctx.world.snapshot(t)
        urgency = math.exp(-max(0.0, ctx.notice_expiry - t) / ctx.p.patron_urgency_days)
        d = self.decide("offer export-control talks?",
                        {"offer_talks": offer_talks(s, ctx.p, urgency), "not_yet": {}})
        if d.chosen == "offer_talks":
            self.offered = True
            ctx.emit("talks", self, {"issue": "trade"})


class Patron(Actor):
    """Washington: presses the allies when the pact is at stake."""

    role = "patron"
    listens = frozenset({"notice_given", "collapsed", "nuclear_test", "negotiating"})

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.ctx
        if not self.facts.get("engaged", True) or not self.on("quasi_alliance"):
            return
        if what == "event" and kind == "notice_given":
            self.expiry = ctx.notice_expiry
            self._schedule_review()
        elif what == "review" and ctx.agreement.stage.value == "notice_given":
            self._press("keep the pact", self._schedule_review)
        elif what == "event" and kind in ("collapsed", "nuclear_test", "negotiating"):
            self._press(f"press after {kind.replace('_', ' ')}?", None)

    def _schedule_review(self) -> None:
        ctx = self.ctx
        t = ctx.env.now + float(ctx.rng.exponential(ctx.p.patron_review_days))
        if t < self.expiry:
            self.wake_at(t, "review")

    def _press(self, situation: str, then) -> None:
        ctx = self.ctx
        t = ctx.env.now
        urgency = 0.0
        if ctx.agreement.stage.value == "notice_given":
            urgency = math.exp(-max(0.0, self.expiry - t) / ctx.p.patron_urgency_days)
        threat = ctx.world.get("threat", t)
        d = self.decide(situation, {"press": patron_press(urgency, threat, ctx.p), "hold_back": {}})
        if d.chosen == "press":
            ctx.emit("us_pressure", self, {})
        if then is not None:
            then()


class Opposition(Actor):
    """The opposition: mobilises against the executive's line on the pact."""

    role = "opposition"
    listens = PRO_PACT_EVENTS | ANTI_PACT_EVENTS | {"scandal"}

    def __init__(self, ctx, name, facts) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, name, facts)
        # it only ever reacts to the steps its stance opposes (and to scandals)
        against = facts.get("stance", "against") == "against"
        self.listens = (PRO_PACT_EVENTS if against else ANTI_PACT_EVENTS) | {"scandal"}

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.ctx
        if what == "protest":
            ctx.emit("protest", self, {"magnitude": self.facts.get("seat_share", 0.4) * 2})
            return
        if what != "event" or not self.on("two_level_game"):
            return
        against = ctx.opposition_against
        t = ctx.env.now
        if kind == "scandal":
            salience = 1.0 - ctx.world.get("approval", t) / 100.0
        elif (kind in PRO_PACT_EVENTS and against) or (kind in ANTI_PACT_EVENTS and not against):
            salience = ctx.world.get("anti_japan" if against else "threat", t)
        else:
            return
        d = self.decide(f"mobilise after {kind.replace('_', ' ')}?",
                        {"mobilise": mobilise(salience, ctx.p), "stay_put": {}})
        if d.chosen == "mobilise":
            self.wake_at(t + float(ctx.rng.exponential(ctx.p.reaction_days)), "protest")


class Public(Actor):
    """Public opinion: backlash at secrecy and haste, rally, boycotts."""

    role = "public"
    listens = frozenset({"revealed", "cabinet_approved", "in_force", "notice_given",
                         "export_control", "whitelist_removal"})

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.ctx
        p, world, t = ctx.p, ctx.world, ctx.env.now
        if what == "boycott":
            ctx.emit("boycott", self, {})
            return
        if what != "event":
            return
        if kind == "revealed" and self.on("procedural_legitimacy"):
            world.jump("mobilisation", t, p.secrecy_backlash_jump)
            world.jump("approval", t, -p.secrecy_approval_drop)
            ctx.note(self, "outrage at a pact approved without notice")
        elif kind in ("cabinet_approved", "in_force") and self.on("procedural_legitimacy"):
            if self.event_details.get(kind, {}).get("since_previous", 1e9) < p.haste_window_days:
                world.jump("mobilisation", t, p.haste_backlash_jump)
                ctx.note(self, "criticism of a rushed procedure")
        elif kind == "notice_given" and self.on("rally"):
            world.jump("approval", t, p.rally_approval_gain * world.get("anti_japan", t))
            ctx.note(self, "rallies behind a firm line against Tokyo")
        elif kind in ("export_control", "whitelist_removal") and self.on("opinion_dynamics"):
            if "boycott" in world.flags or getattr(self, "boycotting", False):
                return
            d = self.decide(f"boycott Japanese goods after {kind.replace('_', ' ')}?",
                            {"boycott": boycott(world.snapshot(t), p), "carry_on": {}})
            if d.chosen == "boycott":
                self.boycotting = True
                self.wake_at(t + float(ctx.rng.exponential(p.reaction_days)), "boycott")
