"""The engine: one replication of a scenario as a simpy simulation.

`compile_scenario` turns a `Scenario` into a `Model`: plain numbers and sorted
lists, built once and shared by every replication (and picklable, for worker
processes). `run_replication` builds a fresh simpy environment, the world, the
agreement and the five actors, runs to the end of the window and returns a
small `ReplicationResult`. Time is in days since the scenario's start; nothing
ticks: the cost of a replication is proportional to what happens in it.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import simpy

from ..domain.kinds import KINDS
from ..domain.lifecycle import Stage
from ..domain.parameters import Parameters
from ..domain.variables import VARIABLES
from ..scenario.loader import Scenario, Trigger
from .actors import ACTOR_CLASSES, Actor
from .agreement import Agreement, Rules, anniversaries
from .choice import Decision, Terms, choose
from .outcomes import classify
from .triggers import apply_effect, sample_rate_times
from .view import ActorView
from .world import World, trajectory

MAX_REACTIONS = 5000
"""Most `after:` reactions one replication fires; stops runaway chains."""


@dataclass(frozen=True)
class LogEntry:
    """One line of a replication's story."""

    t: float
    actor: str
    action: str
    detail: str = ""
    terms: tuple[tuple[str, float], ...] = ()
    probability: float | None = None


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
    log: list[LogEntry] | None = None
    changes: list[tuple[float, str, float, float]] | None = None
    error: str | None = None


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
    election_times: tuple[float, ...]
    half_lives: Mapping[str, float]
    initial: Mapping[str, float]
    frozen: tuple[str, ...]
    poll_times: tuple[float, ...]
    poll_variables: tuple[str, ...]
    start_ordinal: int
    signed_date: date | None = None
    baselines: Mapping[str, float] = field(default_factory=dict)

    def date(self, t: float) -> date:
        """Calendar date of simulation time `t`."""
        return date.fromordinal(self.start_ordinal + int(math.floor(t)))


def compile_scenario(sc: Scenario) -> Model:
    """Precompute everything a replication needs from a validated scenario."""
    p = sc.params.as_parameters()
    timed: list[tuple[float, int, Trigger]] = []
    rated: list[tuple[float, float, int, Trigger]] = []
    reactions: dict[str, list[Trigger]] = {}
    for i, tr in enumerate(sc.triggers):
        if tr.kind == "poll":
            continue
        if tr.at is not None:
            timed.append((sc.t(tr.at), i, tr))
        elif tr.after is not None:
            reactions.setdefault(tr.after, []).append(tr)
        else:
            lo, hi = tr.between or (sc.start, sc.end)
            rated.append((sc.t(lo), sc.t(hi) + 1.0, i, tr))
    timed.sort(key=lambda x: (x[0], x[1]))
    elections = sorted(
        [sc.t(tr.at) for tr in sc.triggers if tr.kind == "election" and tr.at is not None]
        + ([float((sc.actors["executive"].facts["next_election"] - sc.start).days)]
           if "next_election" in sc.actors["executive"].facts else [])
    )
    frozen = () if "opinion_dynamics" in sc.mechanisms else ("approval", "anti_japan")
    polls = sc.polls
    signed = sc.agreement.signed
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
        half_lives={name: getattr(p, spec.half_life_param) for name, spec in VARIABLES.items()},
        initial=dict(sc.initial),
        frozen=frozen,
        poll_times=tuple(sc.t(tr.at) + 0.5 for tr in polls if tr.at is not None),  # polls are dated
        poll_variables=tuple("approval" if "approval" in tr.observed else "support" for tr in polls),
        start_ordinal=sc.start.toordinal(),
        signed_date=signed,
        # Approval regresses toward a shared norm (opinion dynamics); with the
        # mechanism off approval is frozen at its starting value instead.
        baselines={"approval": p.approval_norm} if "opinion_dynamics" in sc.mechanisms else {},
    )


class Context:
    """Everything the actors of one replication share."""

    def __init__(self, model: Model, rng: np.random.Generator, record_log: bool) -> None:
        sc = model.scenario
        self.model = model
        self.env = simpy.Environment()
        self.rng = rng
        self.p = model.p
        self.mechanisms = model.mechanisms
        self.world = World(model.initial, model.half_lives, model.frozen, model.baselines)
        self.agreement = Agreement(sc.agreement.state,
                                   Rules(sc.agreement.term_years, sc.agreement.notice_days))
        if model.signed_date is not None:
            self.agreement.signed_at = float((model.signed_date - sc.start).days)
        self.log: list[LogEntry] | None = [] if record_log else None
        self.events = 0
        self.reactions_fired = 0
        review = sc.agreement.review_complete
        self.procedure: Mapping[str, Any] = {
            "text_remaining": sc.agreement.text_remaining,
            "cabinet_process": sc.agreement.cabinet_process,
            "cabinet_weekday": sc.agreement.cabinet_weekday,
            "review_complete": float((review - sc.start).days) if review is not None else None,
        }
        """The scenario's facts about the agreement's procedure, as actors read them."""
        opp = sc.actors["opposition"].facts
        self.opposition: Mapping[str, Any] = {
            "seat_share": float(opp.get("seat_share", 0.4)),
            "against": opp.get("stance", "against") == "against",
        }
        """The scenario's facts about the opposition, as actors read them."""
        self.notice_expiry = math.inf
        self.listeners: dict[str, list[Actor]] = {}
        self.fact_hearers: dict[str, list[Actor]] = {}
        self.actors: dict[str, Actor] = {}
        for role, cls in ACTOR_CLASSES.items():
            casting = sc.actors[role]
            view = ActorView(self)
            actor = cls(view, casting.name, casting.facts)
            view.bind(actor)
            self.actors[role] = actor
            for kind in actor.listens:
                self.listeners.setdefault(kind, []).append(actor)
            for kind in actor.facts_heard:
                self.fact_hearers.setdefault(kind, []).append(actor)
        self.executive = self.actors["executive"]

    # -- time -----------------------------------------------------------------

    def days_to_election(self, t: float) -> float | None:
        """Days from `t` to the next election the scenario knows of, or None."""
        times = self.model.election_times
        i = bisect.bisect_right(times, t)
        return times[i] - t if i < len(times) else None

    def next_weekday(self, t: float, weekday: int) -> float:
        """The first day at or after `t` that falls on `weekday` (0 = Monday), at 00:00."""
        day = math.ceil(t - 1e-9)
        d = self.model.date(day)
        return float(day + (weekday - d.weekday()) % 7)

    # -- events -----------------------------------------------------------------

    def emit(self, kind: str, actor: Actor | None, detail: Mapping[str, Any],
             trigger: Trigger | None = None, magnitude: float = 1.0) -> None:
        """Something happened: apply its effect, log it, tell the listeners, fire reactions."""
        t = self.env.now
        self.events += 1
        if kind in KINDS:
            apply_effect(self.world, self.p, kind, t, magnitude, detail.get("issue"))
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
            for hearer in self.fact_hearers.get(kind, ()):
                hearer.hear_fact(kind, detail)
        heard = "trade_talks" if kind == "talks" and detail.get("issue") == "trade" else kind
        if t >= self.model.t_decide:
            for listener in self.listeners.get(heard, ()):
                if listener is not actor:
                    listener.event_details[heard] = detail
                    self.notify(listener, "event", heard)
        for reaction in self.model.reactions.get(kind, ()):
            if self.reactions_fired >= MAX_REACTIONS:
                break
            if self.rng.random() < reaction.probability:
                self.reactions_fired += 1
                delay = reaction.delay.sample(self.rng)
                if t + delay < self.model.horizon:
                    self.fire_at(t + delay, reaction)

    def fire(self, trigger: Trigger, magnitude: float) -> None:
        """A scenario trigger fires now."""
        self.emit(trigger.kind, None, {"issue": trigger.issue, "id": trigger.id}, trigger, magnitude)

    def fire_at(self, t: float, trigger: Trigger) -> None:
        """Schedule `trigger` to fire at time `t`, with a fresh magnitude draw."""
        m = trigger.magnitude.sample(self.rng)
        timer = self.env.timeout(max(0.0, t - self.env.now))
        timer.callbacks.append(lambda _ev: self.fire(trigger, m))

    # -- what actors ask of the engine (through their ActorView) -------------------

    def notify(self, actor: Actor, what: str, detail: Any = None) -> None:
        """Give `actor` a reason to wake now."""
        actor.pending.append((what, detail))
        wake = actor.wake
        if wake is not None and not wake.triggered:
            wake.succeed()

    def wake_at(self, actor: Actor, t: float, what: str, detail: Any = None) -> None:
        """Wake `actor` at time `t` (days) with reason `what`."""
        timer = self.env.timeout(max(0.0, t - self.env.now))
        timer.callbacks.append(lambda _ev: self.notify(actor, what, detail))

    def move(self, actor: Actor, to: Stage, event: str | None, detail: Mapping[str, Any] | None,
             notice_expiry: float | None) -> None:
        """`actor` moves the agreement to `to`; the event follows (entering in_force starts the clock)."""
        if notice_expiry is not None:
            self.notice_expiry = notice_expiry  # before the event: its listeners read it
        self.agreement.move(to, self.env.now, actor.name)
        self.emit(event or to.value, actor, detail or {})
        if to is Stage.IN_FORCE:
            self.start_agreement_clock()

    def ask(self, role: str, question: str) -> bool:
        """Put `question` to the actor in `role`."""
        return self.actors[role].answer(question)

    def decide(self, actor: Actor, situation: str, options: Mapping[str, Terms]) -> Decision:
        """`actor` draws a logit choice; it is logged."""
        decision = choose(self.rng, actor.name, situation, options)
        self.log_decision(actor, decision)
        return decision

    def log_decision(self, actor: Actor, decision: Decision) -> None:
        """Record a decision (only when a story is being kept)."""
        self.events += 1
        if self.log is not None:
            p = decision.probabilities[decision.chosen]
            self.log.append(LogEntry(self.env.now, actor.name,
                                     f"{decision.situation} -> {decision.chosen.replace('_', ' ')}",
                                     "", tuple(decision.top_terms()), p))

    def note(self, actor: Actor, text: str) -> None:
        """A line in the story that is not a decision or an event."""
        if self.log is not None:
            self.log.append(LogEntry(self.env.now, actor.name, text))

    # -- the agreement's clock -------------------------------------------------

    def start_agreement_clock(self) -> None:
        """Schedule notice windows and expiries for the agreement in force."""
        model = self.model
        sc = model.scenario
        signed_t = self.agreement.signed_at
        if signed_t is None:
            return
        signed = sc.start + timedelta(days=int(math.floor(signed_t)))
        now = self.env.now
        for expiry_date in anniversaries(signed, sc.agreement.term_years, model.date(now), sc.end):
            expiry = float((expiry_date - sc.start).days)
            deadline = expiry - sc.agreement.notice_days
            if deadline > now:
                margin = min(float(self.rng.exponential(self.p.notice_margin_days)), deadline - now)
                self.wake_at(self.executive, deadline - margin, "notice_window", expiry)
            timer = self.env.timeout(expiry - now)
            timer.callbacks.append(self._expiry_callback(expiry))

    def next_expiry(self) -> float | None:
        """Time of the agreement's next expiry after now, within the window, or None."""
        model = self.model
        sc = model.scenario
        if self.agreement.signed_at is None:
            return None
        signed = sc.start + timedelta(days=int(math.floor(self.agreement.signed_at)))
        dates = anniversaries(signed, sc.agreement.term_years, model.date(self.env.now), sc.end)
        return float((dates[0] - sc.start).days) if dates else None

    def _expiry_callback(self, expiry: float) -> Callable[[simpy.Event], None]:
        return lambda _ev: self._expiry(expiry)

    def _expiry(self, expiry: float) -> None:
        stage = self.agreement.stage
        if stage is Stage.NOTICE_GIVEN:
            self.agreement.move(Stage.TERMINATED, self.env.now, "the agreement's rules")
            self.emit("terminated", None, {})
        elif stage in (Stage.IN_FORCE, Stage.NORMALISED, Stage.SUSPENDED):
            self.emit("renewed", None, {})


def _feeder(ctx: Context, model: Model, rng: np.random.Generator):
    """One process that fires every dated and random-rate trigger in time order."""
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
    env = ctx.env
    while queue:
        t, _, _, tr, m = heapq.heappop(queue)
        if t > env.now:
            yield env.timeout(t - env.now)
        ctx.fire(tr, m)


def _actor_loop(env: simpy.Environment, actor: Actor) -> Generator[simpy.Event, Any, None]:
    """One actor's process: wait for a reason to wake, then let its rule handle everything pending."""
    while True:
        actor.wake = env.event()
        yield actor.wake
        pending, actor.pending = actor.pending, []
        for reason in pending:
            actor.handle(reason)


def _start_actors(ctx: Context, model: Model) -> Generator[simpy.Event, Any, None]:
    """Wait until actors may decide, then start their processes and clocks."""
    if model.t_decide > 0:
        yield ctx.env.timeout(model.t_decide)
    for actor in ctx.actors.values():
        ctx.env.process(_actor_loop(ctx.env, actor))
    if ctx.agreement.stage is Stage.NOTICE_GIVEN:  # a notice given before the window
        expiry = ctx.next_expiry()
        if expiry is not None:
            ctx.notice_expiry = expiry
    for actor in ctx.actors.values():
        actor.start()
    if ctx.agreement.stage is Stage.NOTICE_GIVEN and ctx.notice_expiry < math.inf:
        # a notice given before the window: Washington and Tokyo know of it from the start
        for role in ("patron", "counterpart"):
            ctx.notify(ctx.actors[role], "event", "notice_given")
    if ctx.agreement.stage in (Stage.IN_FORCE, Stage.NORMALISED, Stage.SUSPENDED, Stage.NOTICE_GIVEN):
        ctx.start_agreement_clock()


def run_replication(model: Model, rng: np.random.Generator, index: int = 0, *,
                    record_log: bool = False, record_changes: bool = False) -> ReplicationResult:
    """Run one replication of `model` drawing only from `rng`."""
    ctx = Context(model, rng, record_log)
    env = ctx.env
    env.process(_start_actors(ctx, model))
    env.process(_feeder(ctx, model, rng))
    env.run(until=model.horizon)
    stage_t: dict[str, float] = {}
    start_stage = model.scenario.agreement.state.value
    stage_t[start_stage] = float((model.scenario.agreement.since - model.scenario.start).days)
    for t, _, to, _ in ctx.agreement.transitions:
        stage_t.setdefault(to.value, t)
    outcome, outcome_t = classify(model.scenario.agreement.state, ctx.agreement.transitions,
                                  ctx.agreement.stage)
    if outcome == "collapsed":
        stage_t.setdefault("collapsed", outcome_t)  # type: ignore[arg-type]
    polls = poll_values(ctx.world, model)
    return ReplicationResult(
        index=index,
        outcome=outcome,
        outcome_t=outcome_t,
        stage_t=stage_t,
        final=finite_state(ctx.world.snapshot(model.horizon)),
        polls=polls,
        events=ctx.events,
        transitions=[(t, a.value, b.value, by) for t, a, b, by in ctx.agreement.transitions],
        log=ctx.log,
        changes=list(ctx.world.changes) if record_changes else None,
    )


def finite_state(state: dict[str, float]) -> dict[str, float]:
    """`state`, or an error if a value is not finite: such a replication fails, it is never a result."""
    bad = [name for name, value in state.items() if not math.isfinite(value)]
    if bad:
        raise FloatingPointError(f"the state became non-finite ({', '.join(bad)})")
    return state


def poll_values(world: World, model: Model) -> list[float | None]:
    """Simulated value on each poll date (None where the poll measures no state variable)."""
    out: list[float | None] = [None] * len(model.poll_times)
    for name in set(model.poll_variables) & set(VARIABLES):
        idx = [i for i, v in enumerate(model.poll_variables) if v == name]
        times = [model.poll_times[i] for i in idx]  # poll_times are in date order
        for i, value in zip(idx, trajectory(world.changes, name, times, world._half[name]), strict=True):  # noqa: SLF001
            out[i] = value
    return out
