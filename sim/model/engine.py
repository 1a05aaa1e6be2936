"""The engine: one replication of a scenario as a simpy simulation.

`compile_scenario` turns a `Scenario` into a `Model`: plain numbers and sorted
lists, built once and shared by every replication (and picklable, for worker
processes). `run_replication` builds a fresh simpy environment, the world, the
agreement and the five actors, runs to the end of the window and returns a
small `ReplicationResult`. Time is in days since the scenario's start; nothing
ticks: the cost of a replication is proportional to what happens in it.

simpy owns time and the event queue. Actors are not processes: they wake
through callbacks on simpy timeouts (their agenda, their own timers) and on the
events they listen to. Reasons to wake raised while an actor is acting are
queued and handed out, first in first out, once it is done, all at the same
simulated moment.

Triggers are used in a canonical order (by what they say, never by their id or
their place in the file), so listing a file's triggers in another order or
renaming them gives the same results for a seed.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import simpy

from ..domain.kinds import ACTOR_MOVES, ANTICIPATED_KINDS, KINDS
from ..domain.lifecycle import Stage
from ..domain.parameters import PARAMETERS, Parameters, PriorDraw, as_row
from ..domain.variables import VARIABLES
from ..scenario.loader import ORIENTATIONS, POLL_MEASURES, Scenario, Trigger
from ..scenario.variants import deciding
from . import pickle_by_fields
from .actors import ACTOR_CLASSES, Actor
from .agreement import Agreement, Rules, anniversaries
from .choice import Decision, Options, pick, pick_name, standing_draw
from .draws import Draws
from .outcomes import classify
from .stages import IN_FORCE, NO_TALKS, NORMALISED, NOTICE_GIVEN, SUSPENDED, TERMINATED
from .triggers import apply_effect, sample_rate_times
from .view import ActorView
from .world import World, trajectory

MAX_REACTIONS = 5000
"""Most `after:` reactions one replication fires; stops runaway chains."""

MOVE_KINDS = frozenset(ACTOR_MOVES)
"""Event kinds that are an actor's move when an actor (not the world) emits them."""


@dataclass(frozen=True)
class LogEntry:
    """One line of a replication's story."""

    t: float
    actor: str
    action: str
    detail: str = ""
    terms: tuple[tuple[str, float], ...] = ()
    probability: float | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickle_by_fields(self)


@dataclass
class ReplicationResult:
    """What one replication produced: small and plain, cheap to send between processes."""

    index: int
    outcome: str
    outcome_t: float | None
    stage_t: dict[str, float]
    final: dict[str, float]
    polls: list[float | None]
    events: int
    transitions: list[tuple[float, str, str, str]] = field(default_factory=list)
    moves: list[tuple[float, str, str]] = field(default_factory=list)
    """Every move an actor made: (time in days, role, kind), in time order."""
    draw: int | None = None
    """Which particle of the posterior gave this replication its parameters (None: the values in force)."""
    half_lives: dict[str, float] | None = None
    """The half-lives the replication's state decayed with, when it drew its parameters (None: the
    model's); not kept in saved results, like the log and the changes."""
    log: list[LogEntry] | None = None
    changes: list[tuple[float, str, float, float]] | None = None
    error: str | None = None


ROLES: tuple[str, ...] = tuple(ACTOR_CLASSES)
"""The five roles, in the order the engine makes and tells their actors."""


def _roles_by_kind(attribute: str) -> dict[str, tuple[int, ...]]:
    out: dict[str, list[int]] = {}
    for i, cls in enumerate(ACTOR_CLASSES.values()):
        for kind in sorted(getattr(cls, attribute)):
            out.setdefault(kind, []).append(i)
    return {kind: tuple(roles) for kind, roles in out.items()}


LISTENING: dict[str, tuple[int, ...]] = _roles_by_kind("listens")
"""Event kind -> the actors (by place in `ROLES`) that review their decision when it happens."""
HEARING: dict[str, tuple[int, ...]] = _roles_by_kind("facts_heard")
"""Event kind -> the actors (by place in `ROLES`) told of it as a fact, before the listeners wake."""


@dataclass(frozen=True)
class Cast:
    """What a scenario says of its actors and its agreement that every replication starts from."""

    rules: Rules
    signed_at: float | None
    """When the agreement was signed (days since the start; negative before it), if it was."""
    leader: str
    orientation: float
    patron_is_partner: bool
    procedure: Mapping[str, Any]
    """The agreement's procedure (text left, cabinet day) and the executive's choices a file gives."""
    opposition: Mapping[str, Any]
    """The opposition at the start: its seat share and whether it is against the pact."""
    names: tuple[str, ...]
    facts: tuple[Mapping[str, Any], ...]
    decides: tuple[bool, ...]
    """Each role's (in `ROLES` order) name, facts and whether it takes initiatives in this run."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickle_by_fields(self)


def cast_of(sc: Scenario, silenced: frozenset[str]) -> Cast:
    """The `Cast` of a validated scenario, with the roles in `silenced` taking no initiatives."""
    executive = sc.actors["executive"].facts
    opposition = sc.actors["opposition"].facts
    return Cast(
        rules=Rules(sc.agreement.term_years, sc.agreement.notice_days, sc.agreement.termination,
                    sc.agreement.suspension_days),
        signed_at=float((sc.agreement.signed - sc.start).days) if sc.agreement.signed is not None else None,
        leader=str(executive.get("leader", sc.actors["executive"].name)),
        orientation=ORIENTATIONS[executive.get("orientation", "neutral")],
        patron_is_partner=sc.actors["patron"].facts.get("same_as") == "counterpart",
        procedure={
            "text_remaining": sc.agreement.text_remaining,
            "cabinet_weekday": sc.agreement.cabinet_weekday,
            **({"cabinet_process": executive["cabinet_process"]} if "cabinet_process" in executive else {}),
        },
        opposition={"seat_share": float(opposition.get("seat_share", 0.4)),
                    "against": opposition.get("stance", "against") == "against"},
        names=tuple(sc.actors[role].name for role in ROLES),
        facts=tuple(sc.actors[role].facts for role in ROLES),
        decides=tuple(role not in silenced for role in ROLES),
    )


@dataclass(frozen=True)
class Model:
    """A scenario compiled for fast replication."""

    scenario: Scenario
    p: Parameters
    mechanisms: frozenset[str]
    horizon: float
    t_decide: float
    timed: tuple[tuple[float, int, Trigger], ...]
    rated: tuple[tuple[float, float, int, Trigger], ...]
    reactions: Mapping[str, tuple[Trigger, ...]]
    election_times: tuple[tuple[float, float], ...]
    """(time of an election, time from which it is known), in time order."""
    half_lives: Mapping[str, float]
    initial: Mapping[str, float]
    frozen: tuple[str, ...]
    poll_times: tuple[float, ...]
    poll_variables: tuple[str, ...]
    start_ordinal: int
    cast: Cast
    baselines: Mapping[str, float] = field(default_factory=dict)
    silenced: frozenset[str] = frozenset()
    """Roles that take no initiatives in this run (their moves are given, or the file says so)."""
    renews: bool = True
    """Whether the agreement renews at anniversaries (else its quiet outcome is 'continued')."""
    draws: tuple[Parameters, ...] = ()
    """The posterior's particles as parameter objects: each replication draws one (empty: `p` for all)."""
    draw_cumulative: tuple[float, ...] = ()
    """The particles' cumulative weights, for drawing one."""
    anticipated: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    """Times of the dated triggers of each kind in `ANTICIPATED_KINDS` (on the calendar from the start)."""
    prior_draw: PriorDraw | None = None
    """Draws `nuisance` from their priors (None: nothing to draw)."""
    draw_rows: tuple[np.ndarray, ...] = ()
    """Each particle's values in declaration order (`draws` as rows), the base `prior_draw` fills in."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickle_by_fields(self)

    @property
    def nuisance(self) -> tuple[str, ...]:
        """The parameters each replication that draws a particle also draws from their priors
        (`ParameterSet.from_prior`: the uncalibrated ones, integrated out)."""
        return () if self.prior_draw is None else self.prior_draw.names

    def parameters_for(self, draw: int | None, rng: np.random.Generator) -> Parameters:
        """The parameters of a replication: the values in force (`draw` None), or particle `draw` with every
        parameter of `nuisance` drawn from its prior, from `rng`. A fresh draw per replication, as each
        simulation of the calibration draws them: tied to the particle, they would be integrated over only as
        many draws as the posterior has effective particles. One uniform is read for every declared parameter,
        drawn or not, so that holding one more parameter fixed (an override, a sweep) leaves every other
        draw of the replication as it was: compared runs keep their common random numbers."""
        if draw is None:
            return self.p
        units = rng.random(len(PARAMETERS))
        if self.prior_draw is None:
            return self.draws[draw]
        return self.prior_draw(self.draw_rows[draw], units)

    def date(self, t: float) -> date:
        """Calendar date of simulation time `t`."""
        return date.fromordinal(self.start_ordinal + int(math.floor(t)))


def half_lives(p: Parameters) -> dict[str, float]:
    """The half-life of each state variable under parameters `p` (days)."""
    return {name: getattr(p, spec.half_life_param) for name, spec in VARIABLES.items()}


def canonical_key(tr: Trigger) -> tuple[Any, ...]:
    """What a trigger says, as a sort key: its id, source, note and place in the file do not count."""
    return (tr.kind, tr.at or date.min, tr.between or (date.min, date.min), tr.rate, tr.after or "",
            tr.probability, repr(tr.delay), repr(tr.magnitude), tr.issue or "", tr.by or "", tr.given)


def silenced_roles(sc: Scenario) -> frozenset[str]:
    """Roles whose initiatives are off: those whose moves the file gives, and those it says do not decide
    (`scenario.variants.deciding`, which the run's header reads too)."""
    return frozenset(role for role in sc.actors if not deciding(sc, role))


def compile_scenario(sc: Scenario) -> Model:
    """Precompute everything a replication needs from a validated scenario."""
    p = sc.params.as_parameters()
    draws = sc.params.draws()
    nuisance = tuple(sc.params.from_prior()) if draws else ()
    timed: list[tuple[float, int, Trigger]] = []
    rated: list[tuple[float, float, int, Trigger]] = []
    reactions: dict[str, list[Trigger]] = {}
    ordered = sorted((tr for tr in sc.triggers if tr.kind != "poll"), key=canonical_key)
    for i, tr in enumerate(ordered):
        if tr.at is not None:
            timed.append((sc.t(tr.at), i, tr))
        elif tr.after is not None:
            reactions.setdefault(tr.after, []).append(tr)
        else:
            lo, hi = tr.between or (sc.start, sc.end)
            rated.append((sc.t(lo), sc.t(hi) + 1.0, i, tr))
    timed.sort(key=lambda x: (x[0], x[1]))
    # (when, known from): scheduled elections are known from the start; one a change of government or an
    # election announces (a snap election after an impeachment) only from that day
    elections = sorted(
        [(sc.t(tr.at), -math.inf) for tr in sc.triggers if tr.kind == "election" and tr.at is not None]
        + ([(float((sc.actors["executive"].facts["next_election"] - sc.start).days), -math.inf)]
           if "next_election" in sc.actors["executive"].facts else [])
        + [(sc.t(tr.change["next_election"]), sc.t(tr.at)) for tr in sc.triggers
           if "next_election" in tr.change and tr.at is not None]
    )
    frozen = () if "opinion_dynamics" in sc.mechanisms else ("approval", "anti_japan")
    polls = sc.polls
    return Model(
        scenario=sc,
        p=p,
        mechanisms=sc.mechanisms,
        horizon=sc.days,
        t_decide=sc.t(sc.decisions_from),
        timed=tuple(timed),
        rated=tuple(rated),
        reactions={k: tuple(v) for k, v in reactions.items()},
        election_times=tuple(elections),
        half_lives=half_lives(p),
        initial=dict(sc.initial),
        frozen=frozen,
        poll_times=tuple(sc.t(tr.at) + 0.5 for tr in polls if tr.at is not None),  # polls are dated
        poll_variables=tuple(poll_variable(tr) for tr in polls),
        start_ordinal=sc.start.toordinal(),
        cast=cast_of(sc, silenced_roles(sc)),
        # Approval regresses toward a shared norm (opinion dynamics); with the
        # mechanism off approval is frozen at its starting value instead.
        baselines={"approval": p.approval_norm} if "opinion_dynamics" in sc.mechanisms else {},
        silenced=silenced_roles(sc),
        renews=sc.agreement.termination == "anniversary",
        draws=tuple(draws),
        draw_cumulative=tuple(itertools.accumulate(sc.params.posterior.weights))
        if draws and sc.params.posterior is not None else (),
        prior_draw=PriorDraw(nuisance) if nuisance else None,
        draw_rows=tuple(as_row(d) for d in draws) if nuisance else (),
        anticipated={kind: tuple(sorted(sc.t(tr.at) for tr in sc.triggers if tr.kind == kind and tr.at is not None))
                     for kind in ANTICIPATED_KINDS},
    )


class Context:
    """Everything the actors of one replication share."""

    def __init__(self, model: Model, rng: np.random.Generator, record_log: bool,
                 p: Parameters | None = None) -> None:
        sc = model.scenario
        self.model = model
        self.env = simpy.Environment()
        self.now = 0.0
        """Simulation time (days): what simpy's clock reads in the timer now running (`at` sets it)."""
        self.rng = rng
        self.draws = Draws(rng)
        self.p = p = model.p if p is None else p
        self.mechanisms = model.mechanisms
        # approval regresses toward a shared norm (opinion dynamics); with the mechanism off it is frozen
        self.baselines = {"approval": p.approval_norm} if model.baselines else {}
        self.half_lives = model.half_lives if p is model.p else half_lives(p)
        """The half-lives the state variables decay with (the replication's own parameters')."""
        self.world = World(model.initial, self.half_lives,
                           model.frozen, self.baselines)
        cast = model.cast
        self.agreement = Agreement(sc.agreement.state, cast.rules, cast.signed_at)
        self.stage: Stage = self.agreement.stage
        """The agreement's stage now (kept with the agreement's by `transition`)."""
        self.log: list[LogEntry] | None = [] if record_log else None
        self.events = 0
        self.reactions_fired = 0
        self.moves: list[tuple[float, str, str]] = []
        self.leader: str = cast.leader
        self.orientation: float = cast.orientation
        self.broke_off_by: str | None = None
        self.patron_is_partner = cast.patron_is_partner
        self.suspension_end = math.inf
        """When a suspension with a term lapses (infinity: none, or no term)."""
        self.procedure: Mapping[str, Any] = cast.procedure
        """The scenario's facts about the agreement's procedure, and Seoul's choices it gives, as actors read them."""
        self.opposition: dict[str, Any] = dict(cast.opposition)
        """The scenario's facts about the opposition, as actors read them (an election can change them)."""
        self.notice_expiry = math.inf
        self.expiries: list[float] = []
        """Expiry times of the agreement in force (its anniversaries), from its signing."""
        self._terms: tuple[float | None, float] | None = None
        self._terms_from = math.inf
        self._terms_until = -math.inf
        self._terms_for: list[float] = self.expiries
        """The notice terms last worked out under anniversary rules, and for which moments and expiries they
        hold (the same expiry answers from when they were worked out until its deadline)."""
        self._clock = 0
        self._queue: deque[tuple[Actor, tuple[str, Any]]] = deque()
        self._dispatching = False
        self.standing = "standing_disposition" in self.mechanisms
        self.stances: dict[tuple[str, str], float] = {}
        """Each actor's standing draw on each question put to it so far (`standing_disposition`)."""
        self.actors: dict[str, Actor] = {}
        self.cast: list[Actor] = []
        """The actors in `ROLES` order (what `LISTENING` and `HEARING` point at)."""
        for i, cls in enumerate(ACTOR_CLASSES.values()):
            view = ActorView(self)
            actor = cls(view, cast.names[i], cast.facts[i], cast.decides[i])
            view.bind(actor)
            self.actors[ROLES[i]] = actor
            self.cast.append(actor)
        self.executive = self.actors["executive"]

    # -- time -----------------------------------------------------------------

    def at(self, t: float, action: Callable[[], None]) -> None:
        """Run `action` when simpy's clock reaches `t` (days; at once, after what is due now, if `t` is past).

        simpy owns time and the event queue: this sets a timeout and, when simpy processes it, sets
        `now` to the time simpy's clock then reads (its own sum, `now + delay`) before acting.
        """
        delay = t - self.now
        if delay < 0.0:
            delay = 0.0
        when = self.now + delay
        self.env.timeout(delay).callbacks.append(_Timer(self, when, action))

    def days_to_election(self, t: float) -> float | None:
        """Days from `t` to the next election known at `t`, or None."""
        for when, known in self.model.election_times:
            if when > t and known <= t:
                return when - t
        return None

    def days_to(self, kind: str, t: float) -> float | None:
        """Days from `t` to the next dated trigger of `kind` (one of `ANTICIPATED_KINDS`), or None."""
        for when in self.model.anticipated.get(kind, ()):
            if when > t:
                return when - t
        return None

    def next_weekday(self, t: float, weekday: int) -> float:
        """The first day at or after `t` that falls on `weekday` (0 = Monday), at 00:00."""
        day = math.ceil(t - 1e-9)
        d = self.model.date(day)
        return float(day + (weekday - d.weekday()) % 7)

    # -- events -----------------------------------------------------------------

    def emit(self, kind: str, actor: Actor | None, detail: Mapping[str, Any],
             trigger: Trigger | None = None, magnitude: float | None = None) -> None:
        """Something happened: apply its effect, log it, tell the listeners, fire reactions."""
        t = self.now
        self.events += 1
        if magnitude is None:
            magnitude = float(detail.get("magnitude", 1.0))
        if kind in KINDS:
            apply_effect(self.world, self.p, kind, t, magnitude, detail.get("issue"))
        if kind == "government_change":
            self.change_government(detail.get("change", {}))
        elif kind == "election":
            self.new_parliament(detail.get("change") or {})
        if actor is not None and kind in MOVE_KINDS:
            self.moves.append((t, actor.role, kind))
        if self.log is not None:
            who = actor.name if actor is not None else "world"
            what = kind.replace("_", " ")
            if trigger is not None:
                text = trigger.note or ""
                if trigger.source:
                    text = f"{text} [{trigger.source}]".strip()
                self.log.append(LogEntry(t, who, what, text))
            else:
                self.log.append(LogEntry(t, who, what))
        if t >= self.model.t_decide:
            for i in HEARING.get(kind, ()):
                self.cast[i].hear_fact(kind, detail)
            heard = "trade_talks" if kind == "talks" and detail.get("issue") == "trade" else kind
            for i in LISTENING.get(heard, ()):
                listener = self.cast[i]
                if listener is not actor:
                    listener.event_details[heard] = detail
                    self.notify(listener, "event", heard)
        for reaction in self.model.reactions.get(kind, ()):
            if self.reactions_fired >= MAX_REACTIONS:
                break
            if self.draws.uniform() < reaction.probability:
                self.reactions_fired += 1
                delay = reaction.delay.sample(self.rng)
                if t + delay < self.model.horizon:
                    self.fire_at(t + delay, reaction)

    def fire(self, trigger: Trigger, magnitude: float) -> None:
        """A scenario trigger fires now (a given move is its actor's move)."""
        actor = self.actors[trigger.by] if trigger.given and trigger.by is not None else None
        detail = {"issue": trigger.issue, "id": trigger.id, "change": trigger.change, "magnitude": magnitude}
        if actor is not None:  # heard by every listener but the mover, recorded as its move
            self.emit(trigger.kind, actor, detail, trigger, magnitude)
        else:
            self.emit(trigger.kind, None, detail, trigger, magnitude)

    def new_parliament(self, change: Mapping[str, Any]) -> None:
        """The opposition's seats and stance as an election or a change of government leaves them."""
        if "seat_share" in change:
            self.opposition["seat_share"] = float(change["seat_share"])
        if "stance" in change:
            self.opposition["against"] = change["stance"] == "against"

    def change_government(self, change: Mapping[str, Any]) -> None:
        """A new leader takes office: its line, the opposition it faces, its election calendar, its approval."""
        if not change:
            return
        self.leader = str(change.get("leader", self.leader))
        self.orientation = ORIENTATIONS[change.get("orientation", "neutral")]
        self.new_parliament(change)
        self.world.flags.discard("scandal")  # the scandal was the outgoing leader's (diversion reads it)
        norm = self.baselines.get("approval")
        if norm is not None:  # a new term: approval's standing level back at the norm, its value as observed
            self.world.start_over("approval", self.now, float(change.get("approval", norm)), norm)
        for actor in self.actors.values():
            self.notify(actor, "stage")

    def fire_at(self, t: float, trigger: Trigger) -> None:
        """Schedule `trigger` to fire at time `t`, with a fresh magnitude draw."""
        m = trigger.magnitude.sample(self.rng)
        self.at(t, lambda: self.fire(trigger, m))

    # -- what actors ask of the engine (through their ActorView) -------------------

    def notify(self, actor: Actor, what: str, detail: Any = None) -> None:
        """Give `actor` a reason to wake now: handled at once, or after the actor now acting is done."""
        if self._dispatching:
            self._queue.append((actor, (what, detail)))
            return
        self._dispatching = True
        try:
            actor.handle((what, detail))  # the queue is empty whenever nobody is acting
            queue = self._queue
            while queue:
                who, reason = queue.popleft()
                who.handle(reason)
        finally:
            self._dispatching = False

    def wake_at(self, actor: Actor, t: float, what: str, detail: Any = None) -> None:
        """Wake `actor` at time `t` (days) with reason `what`."""
        if t >= self.model.horizon:
            return  # after the window nothing more happens
        self.at(t, lambda: self.notify(actor, what, detail))

    def move(self, actor: Actor, to: Stage, event: str | None, detail: Mapping[str, Any] | None,
             notice_expiry: float | None) -> None:
        """`actor` moves the agreement to `to`; the event follows (entering in_force starts the clock)."""
        if notice_expiry is not None:
            self.notice_expiry = notice_expiry  # before the event: its listeners read it
        t = self.now
        self.transition(to, actor.name)
        name = event or to.value
        self.moves.append((t, actor.role, name))
        if detail and detail.get("secret"):
            self.moves.append((t, actor.role, "secret_approval"))
        if to is NO_TALKS or to is TERMINATED:
            self.broke_off_by = self.leader
        if to is not NOTICE_GIVEN:
            self.notice_expiry = math.inf  # no notice is pending any more
        if to is SUSPENDED:
            self.suspend()
        else:
            self.suspension_end = math.inf
        if to is IN_FORCE:
            self.start_agreement_clock()
        if to is NOTICE_GIVEN:
            self.arm_notice()
        self.emit(name, actor, detail or {})
        for other in self.actors.values():
            self.notify(other, "stage")

    def transition(self, to: Stage, by: str) -> None:
        """The agreement moves to `to` now, on behalf of `by` (an actor's name, or its rules)."""
        self.agreement.move(to, self.now, by)
        self.stage = to

    def ask(self, role: str, question: str) -> bool:
        """Put `question` to the actor in `role`."""
        return self.actors[role].answer(question)

    def choose(self, actor: Actor, situation: str, options: Options) -> str:
        """`actor` chooses among `options` by logit; the story logs it with its reasons. Under
        `standing_disposition` the uniform draw is the actor's standing one for this question (drawn the first
        time the question is put to it, `standing_draw`), otherwise a fresh one at each meeting."""
        self.events += 1
        if self.standing:
            u = standing_draw(self.stances, (actor.role, situation), self.draws.uniform)
        else:
            u = self.draws.uniform()
        if self.log is None:
            return pick_name(options, u)
        chosen, probabilities = pick(options, u)
        decision = Decision(actor.name, situation, chosen, probabilities, options)
        self.log.append(LogEntry(self.now, actor.name, f"{situation} -> {chosen.replace('_', ' ')}",
                                 "", tuple(decision.top_terms()), probabilities[chosen]))
        return chosen

    def note(self, actor: Actor, text: str) -> None:
        """A line in the story that is not a decision or an event."""
        if self.log is not None:
            self.log.append(LogEntry(self.now, actor.name, text))

    # -- the agreement's legal calendar -------------------------------------------

    def notice_terms(self) -> tuple[float | None, float] | None:
        """For a notice given now: (the last moment it may be given for the expiry it answers, or None when
        any moment will do; when it takes effect), or None when the rules allow no notice."""
        now = self.now
        if self._terms_from <= now <= self._terms_until and self._terms_for is self.expiries:
            return self._terms
        rules = self.agreement.rules
        if rules.termination == "none":
            return None
        if rules.termination == "after_notice":
            return None, now + float(rules.notice_days)
        notice = float(rules.notice_days)
        for expiry in self.expiries:
            if expiry - notice >= now:
                self._terms = (expiry - notice, expiry)
                self._terms_from, self._terms_until, self._terms_for = now, expiry - notice, self.expiries
                return self._terms
        return None

    def suspend(self, since: float | None = None) -> None:
        """A notice is suspended (from `since`, default now): with a term in the rules, it lapses and the
        notice resumes at the term's end."""
        days = self.agreement.rules.suspension_days
        start = self.now if since is None else since
        self.suspension_end = math.inf if days is None else max(self.now, start + float(days))
        if days is not None and self.suspension_end < self.model.horizon:
            end = self.suspension_end
            self.at(end, lambda: self._suspension_lapses(end))

    def _suspension_lapses(self, end: float) -> None:
        if self.stage is not SUSPENDED or self.suspension_end != end:
            return  # lifted, ended or extended meanwhile
        terms = self.notice_terms()
        self.suspension_end = math.inf
        self.notice_expiry = terms[1] if terms is not None else self.now
        self.transition(NOTICE_GIVEN, "the agreement's rules")
        self.emit("suspension_lapsed", None, {})
        for other in self.actors.values():
            self.notify(other, "stage")
        self.arm_notice()

    def extend_suspension(self, actor: Actor) -> None:
        """`actor` extends its notice's suspension for another term (a move of its own)."""
        self.moves.append((self.now, actor.role, "suspension_extended"))
        self.suspend()
        self.emit("suspension_extended", actor, {})

    def arm_notice(self) -> None:
        """A notice is pending: under rules without anniversaries (or past the last one in view), it takes
        effect on its own date; under anniversary rules the expiry's own timer does it."""
        expiry = self.notice_expiry
        if self.agreement.rules.termination == "anniversary" and expiry in self.expiries:
            return
        if expiry < self.model.horizon:
            self.at(expiry, lambda: self._expiry(expiry))

    def start_agreement_clock(self) -> None:
        """Work out the agreement's expiries from its signing and set each one's timer."""
        sc = self.model.scenario
        signed_t = self.agreement.signed_at
        if signed_t is None or sc.agreement.termination != "anniversary":
            self.expiries = []  # no renewal dates: nothing to time
            return
        self._clock += 1
        clock = self._clock
        signed = sc.start + timedelta(days=int(math.floor(signed_t)))
        notice = timedelta(days=sc.agreement.notice_days)
        later = sc.end + notice + timedelta(days=366 * sc.agreement.term_years)
        now = self.now
        self.expiries = [float((d - sc.start).days)
                         for d in anniversaries(signed, sc.agreement.term_years, self.model.date(now), later)]
        for expiry in self.expiries:
            if now < expiry < self.model.horizon:
                self.at(expiry, self._expiry_callback(expiry, clock))

    def _expiry_callback(self, expiry: float, clock: int) -> Callable[[], None]:
        return lambda: self._expiry(expiry) if clock == self._clock else None

    def _expiry(self, expiry: float) -> None:
        stage = self.stage
        if stage is NOTICE_GIVEN and self.notice_expiry <= expiry + 1e-9:  # the notice takes effect
            self.transition(TERMINATED, "the agreement's rules")
            self.notice_expiry = math.inf
            self.broke_off_by = self.leader
            self.emit("terminated", None, {})
            for other in self.actors.values():
                self.notify(other, "stage")
        elif (stage is IN_FORCE or stage is NORMALISED or stage is SUSPENDED or stage is NOTICE_GIVEN) and \
                expiry in self.expiries:
            self.emit("renewed", None, {})


class _Timer:
    """A timeout's callback: the model's clock set to the time simpy reached, then the action."""

    __slots__ = ("ctx", "when", "action")

    def __init__(self, ctx: Context, when: float, action: Callable[[], None]) -> None:
        self.ctx = ctx
        self.when = when
        self.action = action

    def __call__(self, _event: simpy.Event) -> None:
        self.ctx.now = self.when
        self.action()


def _start_feeder(ctx: Context, model: Model, rng: np.random.Generator) -> None:
    """Fire every dated and random-rate trigger in time order, each on a timeout's callback."""
    queue: list[tuple[float, int, int, Trigger, float]] = []
    seq = 0
    for t, i, tr in model.timed:
        queue.append((t, i, seq, tr, tr.magnitude.sample(rng)))
        seq += 1
    for lo, hi, i, tr in model.rated:
        for t in sample_rate_times(tr, lo, min(hi, model.horizon), rng):
            queue.append((float(t), i, seq, tr, tr.magnitude.sample(rng)))
            seq += 1
    heapq.heapify(queue)

    def step() -> None:
        while queue and queue[0][0] <= ctx.now:
            _, _, _, tr, m = heapq.heappop(queue)
            ctx.fire(tr, m)
        if queue and queue[0][0] < model.horizon:
            ctx.at(queue[0][0], step)

    if queue:
        ctx.at(queue[0][0], step)


def _start_actors(ctx: Context, model: Model) -> None:
    """Once actors may decide: the agreement's clock, any notice pending or suspended from before, the
    actors' first plans."""
    stage = ctx.agreement.stage
    if stage is IN_FORCE or stage is NORMALISED or stage is SUSPENDED or stage is NOTICE_GIVEN:
        ctx.start_agreement_clock()
    if stage is NOTICE_GIVEN:  # a notice given before the window
        sc = model.scenario
        if sc.agreement.termination == "anniversary":
            later = [e for e in ctx.expiries if e > ctx.now]
            if later:
                ctx.notice_expiry = later[0]
        else:
            ctx.notice_expiry = max(ctx.now, sc.t(sc.agreement.since) + sc.agreement.notice_days)
        ctx.arm_notice()
    if stage is SUSPENDED:  # suspended before the window: a term runs from the suspension
        ctx.suspend(since=model.scenario.t(model.scenario.agreement.since))
    for actor in ctx.actors.values():
        actor.start()


def run_replication(model: Model, rng: np.random.Generator, index: int = 0, *,
                    record_log: bool = False, record_changes: bool = False) -> ReplicationResult:
    """Run one replication of `model` drawing only from `rng` (its parameters first, from the posterior)."""
    draw = bisect.bisect_right(model.draw_cumulative, float(rng.random()) * model.draw_cumulative[-1]) \
        if model.draws else None
    if draw is not None:
        draw = min(draw, len(model.draws) - 1)
    ctx = Context(model, rng, record_log, model.parameters_for(draw, rng))
    env = ctx.env
    p = ctx.p
    for measure in model.scenario.measures:  # in force from before the window: their standing effect only
        jump = p.export_control_trade_jump if measure.measure == "export_controls" else p.whitelist_trade_jump
        ctx.world.impose(measure.measure, 0.0, jump)
    for claim in model.scenario.claims:  # unsettled from before the window: Tokyo's standing grievance
        ctx.world.shift_baseline("grievance", 0.0, p.ruling_grievance_jump * claim.magnitude)
    if model.t_decide > 0:
        ctx.at(model.t_decide, lambda: _start_actors(ctx, model))
    else:
        _start_actors(ctx, model)
    _start_feeder(ctx, model, rng)
    env.run(until=model.horizon)
    stage_t: dict[str, float] = {}
    start_stage = model.scenario.agreement.state.value
    stage_t[start_stage] = float((model.scenario.agreement.since - model.scenario.start).days)
    for t, _, to, _ in ctx.agreement.transitions:
        stage_t.setdefault(to.value, t)
    outcome, outcome_t = classify(model.scenario.agreement.state, ctx.agreement.transitions,
                                  ctx.agreement.stage, model.renews)
    if outcome == "collapsed":
        stage_t.setdefault("collapsed", outcome_t)  # type: ignore[arg-type]
    polls = poll_values(ctx.world, model)
    return ReplicationResult(
        index=index,
        outcome=outcome,
        outcome_t=outcome_t,
        stage_t=stage_t,
        final=finite_state(ctx.world.values(model.horizon)),
        polls=polls,
        events=ctx.events,
        transitions=[(t, a.value, b.value, by) for t, a, b, by in ctx.agreement.transitions],
        moves=ctx.moves,
        draw=draw,
        half_lives=None if draw is None else dict(ctx.half_lives),
        log=ctx.log,
        changes=list(ctx.world.changes) if record_changes else None,
    )


def finite_state(state: dict[str, float]) -> dict[str, float]:
    """`state`, or an error if a value is not finite: such a replication fails, it is never a result."""
    bad = [name for name, value in state.items() if not math.isfinite(value)]
    if bad:
        raise FloatingPointError(f"the state became non-finite ({', '.join(bad)})")
    return state


def poll_variable(poll: Trigger) -> str:
    """What a poll measures: approval, anti-Japan sentiment (both state variables) or support for the
    agreement (not simulated)."""
    return next(k for k in POLL_MEASURES if k in poll.observed)


def poll_values(world: World, model: Model) -> list[float | None]:
    """Simulated value on each poll date (None where the poll measures no state variable)."""
    out: list[float | None] = [None] * len(model.poll_times)
    for name in set(model.poll_variables) & set(VARIABLES):
        idx = [i for i, v in enumerate(model.poll_variables) if v == name]
        times = [model.poll_times[i] for i in idx]  # poll_times are in date order
        for i, value in zip(idx, trajectory(world.changes, name, times, world.half_life(name)), strict=True):
            out[i] = value
    return out
