"""Seoul, the executive: moves the agreement through its lifecycle.

Decision situations, by stage of the agreement:
- no_talks: after a nuclear test or US pressure, resume talks or not;
- negotiating: at each round of talks, once the remaining text is worked
  through, initial the text, keep talking, or break off;
- initialled: at each cabinet meeting after legal review, approve, wait or cancel;
- cabinet_approved: about an hour before the signing, sign or cancel;
- in_force: shortly before the notice deadline, give notice or let it renew;
- notice_given: on a Japanese offer of talks or a nuclear test, and a few hours
  before expiry, suspend the notice or hold it;
- suspended: at the next notice deadline, normalise, stay suspended or end it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...domain.lifecycle import Stage
from ..terms import leverage, negated, pact_value, political_stake, rally_gain, suspension_cost, walkaway, with_terms
from .base import Actor, Reason

HOUR = 1.0 / 24.0


class Executive(Actor):
    """The South Korean government (the president and the NSC)."""

    role = "executive"
    listens = frozenset({"nuclear_test", "us_pressure", "talks", "trade_talks"})
    """Only the kinds its rule acts on: a wake-up that decides nothing still costs a simpy event."""
    facts_heard = frozenset({"talks"})
    resume_blocked_until = 0.0
    """Before this time news does not prompt Seoul to resume talks (after it cancelled the pact)."""

    def start(self) -> None:
        """Set the first decision dates for the agreement's stage at the start."""
        ctx = self.view
        stage = ctx.stage
        self.progress = 0
        self.rounds_needed = max(1, math.ceil(ctx.procedure["text_remaining"] * ctx.p.full_text_rounds - 1e-9))
        self.revealed = ctx.procedure["cabinet_process"] == "public"
        self.stage_entered = ctx.now
        if stage is Stage.NEGOTIATING:
            self._next_round()
        elif stage is Stage.INITIALLED:
            self._schedule_cabinet(after_review=True)
        elif stage is Stage.CABINET_APPROVED:
            self._schedule_signing()
        elif stage is Stage.NOTICE_GIVEN and ctx.notice_expiry < math.inf:  # a notice given before the window
            self.wake_at(ctx.notice_expiry - ctx.p.final_margin_hours * HOUR, "final_review")

    # -- helpers -------------------------------------------------------------

    def value(self, secrecy: bool = False, step: bool = False) -> dict[str, float]:
        """Seoul's current value of the pact, as named utility terms.

        `step` marks a step of the procedure (initialling, approval), whose
        haste since the previous step is priced.
        """
        ctx = self.view
        t = ctx.now
        s = ctx.snapshot()
        stake = political_stake(s["approval"], ctx.days_to_election(), ctx.p, ctx.mechanisms)
        return pact_value(s, stake, ctx.opposition["seat_share"], ctx.opposition["against"], ctx.p, ctx.mechanisms,
                          secrecy, t - self.stage_entered if step else None)

    def _gamma(self, mean: float) -> float:
        # a bureaucratic step's duration: its regularity is procedure_step_shape
        shape = self.view.p.procedure_step_shape
        return float(self.view.rng.gamma(shape, mean / shape))

    def _move(self, to: Stage, event: str | None = None, notice_expiry: float | None = None) -> None:
        ctx = self.view
        since = self.stage_entered
        self.stage_entered = ctx.now
        ctx.move(to, event, detail={"since_previous": ctx.now - since}, notice_expiry=notice_expiry)

    def _next_round(self) -> None:
        self.wake_at(self.view.now + self._gamma(self.view.p.talks_round_days), "round")

    def _schedule_cabinet(self, after_review: bool) -> None:
        ctx = self.view
        if after_review and ctx.procedure["review_complete"] is not None and ctx.procedure["review_complete"] > ctx.now:
            t = ctx.procedure["review_complete"]  # the scenario knows when the review was done
        else:
            t = ctx.now + (self._gamma(ctx.p.legal_review_days) if after_review else 1.0)
        self.wake_at(ctx.next_weekday(t, ctx.procedure["cabinet_weekday"]) + 10 * HOUR, "cabinet")

    def _schedule_signing(self) -> None:
        ctx = self.view
        lead = 1 + int(ctx.rng.poisson(max(0.0, ctx.p.signing_lead_days - 1.0)))
        self.signing_at = math.floor(ctx.now) + lead + 15 * HOUR
        self.wake_at(self.signing_at - HOUR, "signing")
        if not self.revealed:
            leak = ctx.now + float(ctx.rng.exponential(ctx.p.leak_days))
            self.wake_at(min(leak, self.signing_at - 2 * HOUR), "reveal")

    # -- the decision rule ---------------------------------------------------

    def handle(self, reason: Reason) -> None:
        what, detail = reason
        stage = self.view.stage
        if what == "round" and stage is Stage.NEGOTIATING:
            self._round()
        elif what == "cabinet" and stage is Stage.INITIALLED:
            self._cabinet()
        elif what == "reveal" and stage is Stage.CABINET_APPROVED and not self.revealed:
            self.revealed = True
            self.view.emit("revealed")
        elif what == "signing" and stage is Stage.CABINET_APPROVED:
            self._signing()
        elif what == "notice_window":
            self._notice_window(detail)
        elif what == "final_review" and stage is Stage.NOTICE_GIVEN:
            self._review_notice(final=True)
        elif what == "event":
            self._on_event(detail, stage)

    def _on_event(self, kind: str, stage: Stage) -> None:
        ctx = self.view
        if stage is Stage.NOTICE_GIVEN and kind in ("trade_talks", "nuclear_test"):
            # a pending notice is reconsidered on a concession or a security shock;
            # pressure alone weighs at the last decision (Seoul held out past
            # the US visits of Nov 2019 until hours before expiry)
            self._review_notice(final=False)
        elif stage is Stage.NO_TALKS and kind in ("nuclear_test", "us_pressure"):
            if ctx.now >= self.resume_blocked_until:
                d = self.decide("resume talks?", {
                    "resume_talks": with_terms(self.value(), **walkaway(ctx.p, ctx.mechanisms)),
                    "stay_out": {},
                })
                if d.chosen == "resume_talks":
                    self._open_talks()
        elif stage is Stage.NEGOTIATING and kind == "talks":
            self._round(scheduled=False)

    def hear_fact(self, kind: str, detail: Mapping[str, Any]) -> None:
        """Talks on the agreement (a dated `talks` trigger) while there are none open them."""
        if detail.get("issue", "agreement") == "agreement" and self.view.stage in (Stage.NO_TALKS, Stage.TERMINATED):
            self._open_talks()

    def _open_talks(self) -> None:
        self.progress = 0
        self._move(Stage.NEGOTIATING)
        self._next_round()

    def _round(self, scheduled: bool = True) -> None:
        self.progress += 1
        if self.progress >= self.rounds_needed:
            v = self.value(step=True)
            d = self.decide("initial the text?", {
                "initial": v,
                "keep_talking": {},
                "break_off": with_terms(negated(v), **walkaway(self.view.p, self.view.mechanisms)),
            })
            if d.chosen == "initial":
                if self.view.ask("counterpart", "initial the text?"):
                    self._move(Stage.INITIALLED)
                    self._schedule_cabinet(after_review=True)
                    return
            elif d.chosen == "break_off":
                self._collapse()
                return
        if scheduled:
            self._next_round()

    def _cabinet(self) -> None:
        ctx = self.view
        secret = ctx.procedure["cabinet_process"] == "secret"
        v = self.value(secrecy=secret, step=True)
        d = self.decide("approve in cabinet?" + (" (without public notice)" if secret else ""), {
            "approve": v,
            "wait": {},
            "cancel": with_terms(negated(v), **walkaway(ctx.p, ctx.mechanisms)),
        })
        if d.chosen == "approve":
            self._move(Stage.CABINET_APPROVED, None if not secret else "cabinet_approved_secretly")
            self._schedule_signing()
        elif d.chosen == "cancel":
            self._collapse()
        else:
            self._schedule_cabinet(after_review=False)

    def _signing(self) -> None:
        ctx = self.view
        if not self.revealed:  # disclosed on signing day at the latest
            self.revealed = True
            ctx.emit("revealed", {})
        v = self.value()
        d = self.decide("sign on the signing day?", {
            "sign": v,
            "cancel": with_terms(negated(v), **walkaway(ctx.p, ctx.mechanisms)),
        })
        if d.chosen == "sign":
            if ctx.ask("counterpart", "sign?"):
                self._move(Stage.IN_FORCE)  # the engine starts the agreement's clock
            else:  # Tokyo asks for time: a new signing date
                self.signing_at += ctx.p.consent_delay_days
                self.wake_at(self.signing_at - HOUR, "signing")
        else:
            self._collapse()

    def _collapse(self) -> None:
        ctx = self.view
        self._move(Stage.NO_TALKS, "collapsed")
        # a cancelled pact is not reopened on the next news item: the executive
        # would be seen to reverse itself; only a dated `talks` trigger reopens sooner
        self.resume_blocked_until = ctx.now + ctx.p.collapse_dormancy_days

    def _notice_window(self, expiry: float) -> None:
        ctx = self.view
        stage = ctx.stage
        s = ctx.snapshot()
        v = self.value()
        if stage in (Stage.IN_FORCE, Stage.NORMALISED):
            d = self.decide("give notice of termination?", {
                "give_notice": with_terms(negated(v), **walkaway(ctx.p, ctx.mechanisms),
                                          **rally_gain(s, ctx.p, ctx.mechanisms)),
                "let_it_renew": {},
            })
            if d.chosen == "give_notice":
                self._move(Stage.NOTICE_GIVEN, notice_expiry=expiry)  # listeners read the expiry
                self.wake_at(expiry - ctx.p.final_margin_hours * HOUR, "final_review")
        elif stage is Stage.SUSPENDED:
            d = self.decide("what to do with the suspended notice?", {
                "normalise": v,
                "stay_suspended": leverage(s, ctx.p, ctx.mechanisms),
                "terminate": with_terms(negated(v), **walkaway(ctx.p, ctx.mechanisms)),
            })
            if d.chosen == "normalise":
                self._move(Stage.NORMALISED)
            elif d.chosen == "terminate":
                self._move(Stage.TERMINATED)

    def _review_notice(self, final: bool) -> None:
        ctx = self.view
        s = ctx.snapshot()
        face_saver = "trade_talks" in ctx.flags
        keep = with_terms(self.value(), **suspension_cost(ctx.p, ctx.mechanisms, face_saver))
        if final:
            d = self.decide("suspend the notice before it takes effect?", {
                "suspend_notice": keep, "let_it_expire": {},
            })
        else:
            d = self.decide("suspend the notice now?", {
                "suspend_notice": keep, "hold_notice": leverage(s, ctx.p, ctx.mechanisms),
            })
        if d.chosen == "suspend_notice":
            self._move(Stage.SUSPENDED)
