"""Tokyo, the counterpart: consents to the pact's steps, answers Korean court rulings with
trade measures (and decides whether to keep or lift them), and agrees to talks on its
measures when Seoul asks in return for keeping the pact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..choice import NOTHING, Terms
from ..stages import NOTICE_GIVEN
from ..terms import host_restraint, offer_talks, retaliation, tokyo_consent, tokyo_election_factor, walkaway
from .base import Actor, talks_question

MEASURES = frozenset({"export_controls", "whitelist_removed"})


class Counterpart(Actor):
    """Tokyo: consents to the pact's steps, retaliates for rulings, keeps or lifts its measures."""

    role = "counterpart"
    listens = frozenset({"court_ruling", "history_dispute", "notice_given", "suspended", "normalised",
                         "boycott", "terminated", "summit", "settlement", "counter_measure",
                         "claims_step", "asset_seizure", "counterpart_election", "hosted_summit"})
    facts_heard = frozenset({"claims_step", "asset_seizure"})
    promised_talks = False
    """Tokyo agreed to talks on its measures if Seoul keeps the pact (it opens them once Seoul does)."""
    patience_left = 1.0
    """Share of its patience (tokyo_patience) Tokyo has left: each unanswered step of the 1965 agreement's
    procedure and each seizure of a Japanese firm's assets uses up a share of it."""

    def answer(self, question: str) -> bool:
        """Tokyo's answers (logit choices): consent to a step of the pact, or talks in return for it."""
        ctx = self.view
        s = ctx.snapshot()
        if question == talks_question(ctx.name_of("executive")):
            urgency = ctx.urgency(ctx.notice_expiry if ctx.stage is NOTICE_GIVEN else None)
            agreed = self.choose(question, {"agree_to_talks": offer_talks(s, ctx.p, urgency),
                                            "hold_out": NOTHING}) == "agree_to_talks"
            self.promised_talks = agreed
            return agreed
        # a partner that is also the patron values the pact as the patron does
        stake = s.threat * ctx.p.patron_threat_share if ctx.patron_is_partner else 0.0
        return self.choose(question, {"agree": tokyo_consent(s, ctx.p, ctx.mechanisms, stake),
                                      "ask_for_time": NOTHING}) == "agree"

    def hear_fact(self, kind: str, detail: Mapping[str, Any]) -> None:
        """A legal step left unanswered, or assets seized, uses up a share of Tokyo's patience."""
        p = self.view.p
        share = p.claims_step_patience_share if kind == "claims_step" else p.seizure_patience_share
        self.patience_left *= (1.0 - share) ** float(detail.get("magnitude", 1.0))

    def react(self, kind: str) -> None:
        if kind in ("suspended", "normalised") and self.promised_talks and "trade_talks" not in self.view.flags:
            self.promised_talks = False
            self.view.emit("talks", {"issue": "trade"})  # keeps its word, whoever else decides
        elif kind in ("suspended", "normalised", "terminated"):
            self.promised_talks = False

    def faces(self) -> str | None:
        # trade measures answer an unsettled claim (a ruling's standing grievance) or are in force already
        if not self.on("issue_linkage"):
            return None
        if self.view.standing("grievance") <= 0.0 and not (MEASURES & self.view.flags):
            return None
        return "trade measures over the rulings?"

    def review(self, why: str) -> None:
        ctx = self.view
        flags = ctx.flags
        grievance = ctx.state("grievance")  # all this rule reads (a hot path)
        # Tokyo's own politics: an election in Japan near makes the grievance weigh more (for imposing,
        # keeping and lifting alike); a summit Tokyo hosts near makes a new measure against a guest costly
        gain = retaliation(grievance, ctx.p, tokyo_election_factor(ctx.days_to("counterpart_election"), ctx.p,
                                                                   ctx.mechanisms))
        escalate = gain.plus(host_restraint(ctx.days_to("hosted_summit"), gain, ctx.p, ctx.mechanisms))
        # Tokyo's own patience, not Seoul's option value; unanswered legal steps and seizures use it up
        hold = Terms(issue_linkage=ctx.p.tokyo_patience * self.patience_left)
        if not MEASURES & flags:
            options = {"impose_export_controls": escalate, "wait": hold}
        else:
            # Lifting gives up a measure's net value now (what it answers, the grievance, less what it costs
            # Tokyo's own exporters while in force) and backs down in the open: once the grievance fades (a
            # settlement, a summit) or an election has passed, lifting beats keeping.
            lift = gain.negated().plus(walkaway(ctx.p, ctx.mechanisms))
            if "whitelist_removed" not in flags:
                options = {"remove_from_white_list": escalate, "wait": hold, "lift_measures": lift}
            else:
                options = {"keep_measures": NOTHING, "lift_measures": lift}  # nothing further held in reserve
        chosen = self.choose("trade measures over the rulings?", options)
        if chosen == "impose_export_controls":
            ctx.emit("export_control", {})
        elif chosen == "remove_from_white_list":
            ctx.emit("whitelist_removal", {})
        elif chosen == "lift_measures":
            if "export_controls" in flags:
                ctx.emit("controls_lifted", {})
            if "whitelist_removed" in ctx.flags:
                ctx.emit("whitelist_restored", {})
