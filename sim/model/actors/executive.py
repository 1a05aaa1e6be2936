"""Seoul, the executive: moves the agreement through its lifecycle.

The decision it faces depends on the agreement's stage; it takes it up on any
event it listens to and when its agenda brings it up (`base.Actor`):
- no_talks, terminated: resume talks, or stay out;
- cabinet_approved: go ahead to the signing, or cancel; at the ceremony, sign or cancel;
- in_force, normalised: give notice of termination, or keep the pact (waiting
  is worth less as the notice deadline nears);
- notice_given: suspend the notice (asking Tokyo for talks in return), withdraw
  it, or hold it (a bargaining chip while time remains; at the expiry the
  notice takes effect);
- suspended: keep the notice suspended, withdraw it (normalise), or end the pact.

Two stages follow the procedure's own calendar: in negotiation, each round of
talks (the text is worked through round by round, then Seoul decides whether to
initial); once initialled, each cabinet meeting after the legal review (approve
openly, approve without public notice, wait or cancel). How Seoul takes the
pact to cabinet, when, and when it resumes talks are its own choices.

The ruling camp's veto (`ruling_camp_veto`) is a check inside Seoul's camp, not a sixth actor: before
Seoul takes a step that advances the pact in the open (resuming talks, initialling, an announced cabinet
approval, the signing ceremony), the ruling party and its candidates may force a postponement. A
postponed step is simply not taken now; a postponed cabinet item or ceremony is taken off the agenda, and
whether and when Seoul brings it back (or cancels) is left to its normal decisions at its own meetings.
An approval without public notice escapes the check, but the ceremony after it does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...domain.kinds import AGENDA_SETTERS
from ...domain.lifecycle import Stage
from ..choice import NOTHING, Options, Terms
from ..stages import (
    CABINET_APPROVED,
    IN_FORCE,
    INITIALLED,
    NEGOTIATING,
    NO_TALKS,
    NORMALISED,
    NOTICE_GIVEN,
    SUSPENDED,
    TERMINATED,
)
from ..terms import (
    diversion,
    left_standing,
    leverage,
    line_kept,
    notice_leverage,
    pact_value,
    political_stake,
    rally_gain,
    reversal_cost,
    ruling_veto,
    summed,
    waiting,
    walkaway,
)
from .base import Actor, talks_question

HOUR = 1.0 / 24.0
CABINET_HOUR = 10 * HOUR
"""Cabinet meetings sit in the morning."""
SIGNING_HOUR = 15 * HOUR
"""Signing ceremonies are held in the afternoon."""

FACES: dict[Stage, str] = {
    NO_TALKS: "resume talks?",
    TERMINATED: "resume talks?",
    CABINET_APPROVED: "go ahead with the signing?",
    IN_FORCE: "give notice of termination?",
    NORMALISED: "give notice of termination?",
    NOTICE_GIVEN: "suspend the notice?",
    SUSPENDED: "what to do with the suspended notice?",
}
"""The decision Seoul faces in each stage where its agenda and events bring it up."""


class Executive(Actor):
    """The South Korean government (the president and the NSC)."""

    role = "executive"
    listens = frozenset({"missile_test", "nuclear_test", "scandal", "court_ruling", "export_control",
                         "whitelist_removal", "boycott", "protest", "us_pressure", "talks", "trade_talks",
                         "history_dispute", "election", "revealed", "controls_lifted"})
    """Every kind that moves a term of Seoul's utilities: each prompts a review of the decision it faces."""
    facts_heard = frozenset({"talks"})
    signing_at = math.inf
    """When the signing ceremony is set (infinity while none is)."""
    withdrawn = False
    """The ruling camp had the cabinet item withdrawn: it returns to cabinet only when Seoul decides so."""

    def start(self) -> None:
        """Set the procedure's first steps for the stage at the start, then plan the agenda."""
        ctx = self.view
        self.progress = 0
        self.rounds_needed = max(1, math.ceil(ctx.procedure["text_remaining"] * ctx.p.full_text_rounds - 1e-9))
        self.revealed = True
        self.stage_entered = ctx.now
        stage = ctx.stage
        if stage is NEGOTIATING:
            self._next_round()
        elif stage is INITIALLED:
            self._schedule_cabinet(after_review=True)
        elif stage is CABINET_APPROVED:
            self._schedule_signing()
        super().start()  # from here on, reasons to wake are handled

    # -- what it faces -----------------------------------------------------------

    def faces(self) -> str | None:
        stage = self.view.stage
        if stage is INITIALLED and self.withdrawn:
            return "take the pact back to cabinet?"
        if (stage is IN_FORCE or stage is NORMALISED) and self.view.notice_deadline() is None:
            return None  # the rules leave no notice to give
        return FACES.get(stage)

    def _dormant_off_agenda(self) -> bool:
        """Under `agenda_setting`, resuming talks on a pact out of force is not on Seoul's regular agenda."""
        return self.on("agenda_setting") and self.view.stage in (NO_TALKS, TERMINATED)

    def on_agenda(self) -> bool:
        return not self._dormant_off_agenda()

    def takes_up(self, kind: str) -> bool:
        """As every government, and under `agenda_setting` a dormant pact comes up at an event that sets the
        agenda (`AGENDA_SETTERS`: the patron pressing, a nuclear test), an extraordinary meeting."""
        return super().takes_up(kind) or (kind in AGENDA_SETTERS and self._dormant_off_agenda())

    def deadline(self) -> float | None:
        ctx = self.view
        stage = ctx.stage
        if stage is IN_FORCE or stage is NORMALISED:
            terms = ctx.notice_deadline()
            return None if terms is None else terms[0]
        if stage is NOTICE_GIVEN:
            return ctx.notice_expiry
        if stage is CABINET_APPROVED:
            return None if self.signing_at == math.inf else self.signing_at  # a postponed signing has no date
        if stage is SUSPENDED and ctx.suspension_end < math.inf:
            return ctx.suspension_end  # the suspension's term
        return None

    def value(self, secrecy: bool = False, step: bool = False) -> Terms:
        """Seoul's current value of the pact, as named utility terms.

        `step` marks a step of the procedure (initialling, approval), whose
        haste since the previous step is priced; `secrecy`, a step taken
        without public notice (its domestic costs discounted).
        """
        ctx = self.view
        s = ctx.snapshot()
        p, on, opposition = ctx.p, ctx.mechanisms, ctx.opposition
        stake = political_stake(s.approval, ctx.days_to_election(), p, on)
        return pact_value(s, stake, opposition["seat_share"], opposition["against"], p, on,
                          secrecy, ctx.now - self.stage_entered if step else None, ctx.orientation)

    # -- the decision rule ---------------------------------------------------------

    def review(self, why: str) -> None:
        stage = self.view.stage
        if stage is NO_TALKS or stage is TERMINATED:
            self._consider_resuming()
        elif stage is CABINET_APPROVED:
            self._consider_cancelling()
        elif stage is INITIALLED and self.withdrawn:
            self._consider_resubmitting()
        elif stage is IN_FORCE or stage is NORMALISED:
            self._consider_notice()
        elif stage is NOTICE_GIVEN:
            self._consider_suspending()
        elif stage is SUSPENDED:
            self._consider_suspended()

    def react(self, kind: str) -> None:
        if kind == "talks" and self.view.stage is NEGOTIATING:
            self._round(scheduled=False)  # a dated round of talks counts as one

    def timer(self, what: str, detail: Any) -> None:
        stage = self.view.stage
        if what == "round" and stage is NEGOTIATING:
            self._round()
        elif what == "cabinet" and stage is INITIALLED:
            self._cabinet()
        elif what == "leak" and stage is CABINET_APPROVED and not self.revealed:
            self._reveal()
        elif what == "signing" and stage is CABINET_APPROVED and detail == self.signing_at:
            self._signing()

    def hear_fact(self, kind: str, detail: Mapping[str, Any]) -> None:
        """A dated `talks` trigger on the agreement (a given move of Seoul's) opens talks if there are none."""
        stage = self.view.stage
        if detail.get("issue", "agreement") == "agreement" and (stage is NO_TALKS or stage is TERMINATED):
            self._open_talks()

    # -- out of the pact -----------------------------------------------------------------

    def _consider_resuming(self) -> None:
        ctx = self.view
        resume = self.value()
        if ctx.broke_off_by == ctx.leader:  # resuming what it broke off itself: it reverses itself
            resume = resume.plus(reversal_cost(ctx.p, ctx.mechanisms))
        resume = resume.plus(self._diversion())
        if self.choose("resume talks?", {"resume_talks": resume, "stay_out": waiting(ctx.p, 0.0)}) == "resume_talks" \
                and not self._vetoed("resuming talks"):
            self._open_talks()

    def _open_talks(self) -> None:
        self.progress = 0
        self._move(NEGOTIATING)
        self._next_round()

    # -- the procedure ----------------------------------------------------------------------

    def _gamma(self, mean: float) -> float:
        # a bureaucratic step's duration: its regularity is procedure_step_shape
        shape = self.view.p.procedure_step_shape
        return float(self.view.rng.gamma(shape, mean / shape))

    def _move(self, to: Stage, event: str | None = None, notice_expiry: float | None = None,
              detail: Mapping[str, Any] | None = None) -> None:
        ctx = self.view
        since = self.stage_entered
        self.stage_entered = ctx.now
        ctx.move(to, event, detail={"since_previous": ctx.now - since, **(detail or {})}, notice_expiry=notice_expiry)

    def _next_round(self) -> None:
        self.wake_at(self.view.now + self._gamma(self.view.p.talks_round_days), "round")

    def _round(self, scheduled: bool = True) -> None:
        self.progress += 1
        if self.progress >= self.rounds_needed:
            v = self.value(step=True)
            chosen = self.choose("initial the text?", {
                "initial": v.plus(self._diversion()),
                "keep_talking": NOTHING,
                "break_off": v.negated().plus(walkaway(self.view.p, self.view.mechanisms)),
            })
            if chosen == "initial" and not self._vetoed("initialling"):
                if self.view.ask("counterpart", "initial the text?"):
                    self._move(INITIALLED)
                    self._schedule_cabinet(after_review=True)
                    return
            elif chosen == "break_off":
                self._collapse()
                return
        if scheduled:
            self._next_round()

    def _schedule_cabinet(self, after_review: bool) -> None:
        ctx = self.view
        t = ctx.now + (self._gamma(ctx.p.legal_review_days) if after_review else 1.0)
        self.wake_at(ctx.next_weekday(t, ctx.procedure["cabinet_weekday"]) + CABINET_HOUR, "cabinet")

    def _cabinet(self) -> None:
        ctx = self.view
        given = ctx.procedure.get("cabinet_process")  # a file may give Seoul's choice as an assumption
        options: Options = {}
        v = self.value(step=True)
        act = self._diversion()
        if given != "secret":
            options["approve"] = v.plus(act)
        if given != "public":
            options["approve_without_notice"] = self.value(secrecy=True, step=True).plus(act)
        options["wait"] = NOTHING
        options["cancel"] = v.negated().plus(walkaway(ctx.p, ctx.mechanisms))
        chosen = self.choose("approve in cabinet?", options)
        if chosen == "approve" and self._vetoed("the cabinet approval"):
            self.withdrawn = True  # off the cabinet's agenda: its return is Seoul's later decision
            self.plan()
            return
        if chosen in ("approve", "approve_without_notice"):
            secret = chosen == "approve_without_notice"
            self.revealed = not secret
            self._move(CABINET_APPROVED, detail={"secret": secret})
            self._schedule_signing()
        elif chosen == "cancel":
            self._collapse()
        else:
            self._schedule_cabinet(after_review=False)

    def _consider_resubmitting(self) -> None:
        ctx = self.view
        v = self.value()
        chosen = self.choose("take the pact back to cabinet?", {
            "back_to_cabinet": v.plus(self._diversion()),
            "wait": waiting(ctx.p, 0.0),
            "cancel": v.negated().plus(walkaway(ctx.p, ctx.mechanisms)),
        })
        if chosen == "back_to_cabinet":
            self.withdrawn = False
            self._schedule_cabinet(after_review=False)
            self.plan()
        elif chosen == "cancel":
            self._collapse()

    def _schedule_signing(self) -> None:
        ctx = self.view
        lead = 1 + int(ctx.rng.poisson(max(0.0, ctx.p.signing_lead_days - 1.0)))
        self._set_signing(math.floor(ctx.now) + lead + SIGNING_HOUR)
        if not self.revealed:  # a secret approval leaks, or is disclosed at the signing at the latest
            leak = ctx.now + ctx.draws.exponential(ctx.p.leak_days)
            if leak < self.signing_at:
                self.wake_at(leak, "leak")

    def _set_signing(self, t: float) -> None:
        self.signing_at = t
        self.wake_at(t, "signing", t)
        self.plan()  # the ceremony is the deadline of going ahead

    def _reveal(self) -> None:
        self.revealed = True
        self.view.emit("revealed")

    def _consider_cancelling(self) -> None:
        ctx = self.view
        v = self.value()
        options = {
            "go_ahead": waiting(ctx.p, self.urgency()),
            "cancel": v.negated().plus(walkaway(ctx.p, ctx.mechanisms)),
        }
        situation = "go ahead with the signing?"
        if self.signing_at == math.inf:  # the ceremony was postponed: set a new one, wait, or cancel
            situation = "set a new signing after the postponement?"
            options = {"set_a_new_signing": v.plus(self._diversion()), "wait": waiting(ctx.p, 0.0),
                       "cancel": options["cancel"]}
        chosen = self.choose(situation, options)
        if chosen == "cancel":
            self._collapse()
        elif chosen == "set_a_new_signing":
            self._schedule_signing()

    def _signing(self) -> None:
        ctx = self.view
        if not self.revealed:
            self._reveal()
        v = self.value()
        chosen = self.choose("sign at the ceremony?", {
            "sign": v.plus(self._diversion()),
            "cancel": v.negated().plus(walkaway(ctx.p, ctx.mechanisms)),
        })
        if chosen == "cancel":
            self._collapse()
        elif self._vetoed("the signing"):
            self.signing_at = math.inf  # the ceremony is off; a new one is Seoul's later decision
            self.plan()
        elif ctx.ask("counterpart", "sign?"):
            self._move(IN_FORCE)  # the engine starts the agreement's clock
        else:  # Tokyo asks for time: a new ceremony
            self._set_signing(self.signing_at + ctx.p.consent_delay_days)

    # -- checks inside Seoul's camp (issue 26 items 4 and 6) -------------------------------------------

    def _vetoed(self, step: str) -> bool:
        """Whether the ruling camp forces the postponement of `step` (always False with the mechanism off)."""
        ctx = self.view
        if "ruling_camp_veto" not in ctx.mechanisms:
            return False
        ask = ruling_veto(ctx.snapshot(), ctx.days_to_election(), ctx.p, ctx.mechanisms)
        if self.choose(f"the ruling camp: postpone {step}?", {"postpone": ask, "go_ahead": NOTHING}) == "postpone":
            ctx.note(f"the ruling camp forces the postponement of {step}")
            return True
        return False

    def _diversion(self) -> Terms:
        """What a foreign-policy act is worth now to a president in scandal (diversion)."""
        ctx = self.view
        return diversion(ctx.snapshot().approval, "scandal" in ctx.flags, ctx.p, ctx.mechanisms)

    def _collapse(self) -> None:
        self.signing_at = math.inf
        self.withdrawn = False
        self._move(NO_TALKS, "collapsed")

    # -- the agreement in force --------------------------------------------------------------

    def _consider_notice(self) -> None:
        ctx = self.view
        terms = ctx.notice_deadline()
        if terms is None:
            return
        s = ctx.snapshot()
        u = self.urgency()
        chosen = self.choose("give notice of termination?", {
            "give_notice": summed(left_standing(self.value(), ctx.p, ctx.mechanisms).negated(),
                                  walkaway(ctx.p, ctx.mechanisms), rally_gain(s, ctx.p, ctx.mechanisms),
                                  notice_leverage(s, ctx.p, ctx.mechanisms, u),
                                  self._diversion()),
            "keep_the_pact": waiting(ctx.p, u),
        })
        if chosen == "give_notice":
            self._move(NOTICE_GIVEN, notice_expiry=terms[1])  # listeners read the expiry

    def _consider_suspending(self) -> None:
        ctx = self.view
        s = ctx.snapshot()
        u = self.urgency()
        v = self.value()
        # Seoul asks Tokyo for a face-saver: talks on its export controls in return for keeping the pact
        talks = "trade_talks" in ctx.flags or ("export_controls" in ctx.flags
                                               and ctx.ask("counterpart", talks_question(self.name)))
        chosen = self.choose("suspend the notice?", {
            "suspend_notice": summed(line_kept(v, ctx.p), reversal_cost(ctx.p, ctx.mechanisms, talks),
                                     leverage(s, ctx.p, ctx.mechanisms)),
            "withdraw_notice": v.plus(reversal_cost(ctx.p, ctx.mechanisms, talks)),
            "hold_notice": summed(leverage(s, ctx.p, ctx.mechanisms, u), waiting(ctx.p, u)),
        })
        if chosen != "hold_notice":  # Tokyo, which agreed to talks, opens them when it hears of the suspension
            self._move(SUSPENDED if chosen == "suspend_notice" else NORMALISED)

    def _consider_suspended(self) -> None:
        ctx = self.view
        s = ctx.snapshot()
        v = self.value()
        u = self.urgency()
        lifted = not ({"export_controls", "whitelist_removed"} & ctx.flags)
        options = {
            # with a term, doing nothing lets the notice resume at its end: waiting is worth less as it nears
            "keep_it_suspended": summed(leverage(s, ctx.p, ctx.mechanisms, u if ctx.suspension_has_term else 0.0),
                                        waiting(ctx.p, u)),
            "withdraw_notice": v.plus(reversal_cost(ctx.p, ctx.mechanisms, lifted)),
            "end_the_pact": summed(left_standing(v, ctx.p, ctx.mechanisms).negated(), walkaway(ctx.p, ctx.mechanisms),
                                   reversal_cost(ctx.p, ctx.mechanisms), rally_gain(s, ctx.p, ctx.mechanisms)),
        }
        if ctx.suspension_has_term:  # keeps the chip for another term
            options["extend_the_suspension"] = leverage(s, ctx.p, ctx.mechanisms)
        chosen = self.choose("what to do with the suspended notice?", options)
        if chosen == "withdraw_notice":
            self._move(NORMALISED)
        elif chosen == "end_the_pact":
            self._move(TERMINATED)
        elif chosen == "extend_the_suspension":
            ctx.extend_suspension()
            self.plan()
