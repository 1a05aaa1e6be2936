"""The actor interface: each decision rule runs against a hand-made view, without simpy or the engine.

A `FakeView` stands in for the engine's `ActorView`: it holds a fixed world
snapshot and agreement stage, and records what the actor asks for (events,
moves, jumps, wake-ups, questions). So a rule is tested as a small function:
given what it sees, what does it do.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from diplosim.domain.lifecycle import Stage
from diplosim.domain.mechanisms import ALL_MECHANISMS
from diplosim.model.actors import Counterpart, Executive, Opposition, Patron, Public
from diplosim.model.choice import Decision, Terms, choose
from diplosim.scenario.params import load_parameters
from tests.conftest import MECHANISM_PARAMS

ACTORS_DIR = Path(__file__).resolve().parent.parent / "sim" / "model" / "actors"


class FakeView:
    """What an actor sees, set by hand; what it asks for, recorded."""

    def __init__(self, state: Mapping[str, float] | None = None, stage: Stage = Stage.IN_FORCE,
                 now: float = 10.0, seed: int = 0, **changes: float) -> None:
        self.p = load_parameters(MECHANISM_PARAMS).with_values(changes).as_parameters()
        self.rng = np.random.default_rng(seed)
        self.mechanisms = frozenset(ALL_MECHANISMS)
        self.now = now
        self.stage = stage
        self.flags: set[str] = set()
        self.notice_expiry = math.inf
        self.world = {"threat": 0.3, "approval": 40.0, "anti_japan": 0.3, "mobilisation": 0.1,
                      "us_pressure": 0.0, "trade_dispute": 0.0, "grievance": 0.0, **(state or {})}
        self.procedure = {"text_remaining": 1.0, "cabinet_process": "public", "cabinet_weekday": 1,
                          "review_complete": None}
        self.opposition = {"seat_share": 0.4, "against": True}
        self.emitted: list[tuple[str, Mapping[str, Any]]] = []
        self.moves: list[Stage] = []
        self.jumps: list[tuple[str, float]] = []
        self.wakes: list[tuple[float, str]] = []
        self.decisions: list[Decision] = []
        self.questions: list[tuple[str, str]] = []

    def state(self, name: str) -> float:
        return self.world[name]

    def snapshot(self) -> dict[str, float]:
        return dict(self.world)

    def days_to_election(self) -> float | None:
        return None

    def next_expiry(self) -> float | None:
        return None

    def next_weekday(self, t: float, weekday: int) -> float:
        return math.ceil(t)

    def emit(self, kind: str, detail: Mapping[str, Any] | None = None) -> None:
        self.emitted.append((kind, detail or {}))

    def move(self, to: Stage, event: str | None = None, *, detail: Mapping[str, Any] | None = None,
             notice_expiry: float | None = None) -> None:
        self.moves.append(to)
        self.stage = to

    def jump(self, name: str, amount: float) -> None:
        self.jumps.append((name, amount))

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        self.wakes.append((t, what))

    def ask(self, role: str, question: str) -> bool:
        self.questions.append((role, question))
        return True

    def decide(self, situation: str, options: Mapping[str, Terms]) -> Decision:
        decision = choose(self.rng, "actor", situation, options)
        self.decisions.append(decision)
        return decision

    def note(self, text: str) -> None:
        pass


def test_tokyo_schedules_a_review_after_a_court_ruling_and_answers_questions():
    view = FakeView()
    tokyo = Counterpart(view, "Tokyo", {})  # type: ignore[arg-type]
    tokyo.handle(("event", "court_ruling"))
    assert [w for _, w in view.wakes] == ["retaliation"] and view.wakes[0][0] >= view.now
    tokyo.handle(("event", "court_ruling"))  # a review is pending already: no second one
    assert len(view.wakes) == 1
    assert isinstance(tokyo.answer("sign?"), bool) and view.decisions[-1].situation == "sign?"


def test_tokyo_with_a_deep_grievance_imposes_export_controls_at_its_review():
    # grievance at its top and a strong retaliation weight: imposing dominates waiting
    view = FakeView({"grievance": 1.0}, retaliation_weight=10.0, retaliation_base=0.0)
    Counterpart(view, "Tokyo", {}).handle(("retaliation", None))  # type: ignore[arg-type]
    assert view.emitted[0][0] == "export_control"


def test_washington_reviews_while_a_notice_is_pending_and_stays_out_when_disengaged():
    view = FakeView(stage=Stage.NOTICE_GIVEN)
    view.notice_expiry = view.now + 60.0
    Patron(view, "Washington", {}).handle(("event", "notice_given"))  # type: ignore[arg-type]
    assert view.wakes and all(what == "review" and t < view.notice_expiry for t, what in view.wakes)
    idle = FakeView(stage=Stage.NOTICE_GIVEN)
    Patron(idle, "Washington", {"engaged": False}).handle(("event", "notice_given"))  # type: ignore[arg-type]
    assert idle.wakes == [] and idle.decisions == []


def test_the_public_punishes_a_secret_approval_once_it_is_revealed():
    view = FakeView()
    Public(view, "Public", {}).handle(("event", "revealed"))  # type: ignore[arg-type]
    moved = dict(view.jumps)
    assert moved["mobilisation"] > 0 and moved["approval"] < 0


def test_the_opposition_hears_only_the_steps_its_stance_opposes():
    against = Opposition(FakeView(), "Opposition", {"stance": "against"})  # type: ignore[arg-type]
    for_pact = Opposition(FakeView(), "Opposition", {"stance": "for"})  # type: ignore[arg-type]
    assert "in_force" in against.listens and "in_force" not in for_pact.listens
    assert "notice_given" in for_pact.listens and "notice_given" not in against.listens
    view = FakeView({"anti_japan": 1.0}, opposition_mobilise_base=3.0, opposition_mobilise_weight=8.0)
    Opposition(view, "Opposition", {}).handle(("event", "in_force"))  # type: ignore[arg-type]
    assert [w for _, w in view.wakes] == ["protest"]  # it decided to mobilise and will protest later


def test_seoul_opens_talks_on_a_dated_talks_fact_and_asks_tokyo_before_initialling():
    view = FakeView(stage=Stage.NO_TALKS)
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.hear_fact("talks", {"issue": "trade"})
    assert view.moves == []  # trade talks do not open talks on the pact
    seoul.hear_fact("talks", {"issue": "agreement"})
    assert view.moves == [Stage.NEGOTIATING] and [w for _, w in view.wakes] == ["round"]
    # text done and a pact worth a great deal: Seoul initials, after asking Tokyo
    keen = FakeView({"threat": 1.0, "anti_japan": 0.0, "mobilisation": 0.0}, stage=Stage.NEGOTIATING,
                    executive_pact_base=4.0, threat_weight=6.0, haste_cost=0.0)
    seoul = Executive(keen, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.rounds_needed = 1
    seoul.handle(("round", None))
    assert keen.questions == [("counterpart", "initial the text?")] and keen.moves == [Stage.INITIALLED]


def test_no_actor_module_imports_the_engine_or_another_actor():
    for path in ACTORS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = (node.module or "")
                assert "engine" not in module, f"{path.name} imports the engine"
                if node.level == 1 and path.name != "__init__.py":
                    assert module == "base", f"{path.name} imports another actor module ({module})"


def test_every_trigger_kind_has_an_effect_or_is_declared_inert():
    # the "add a trigger kind" recipe (docs/architecture.md): a kind declared in
    # domain/kinds.py without its branch in model/triggers.py fails here
    import inspect

    from diplosim.domain.kinds import TRIGGER_KINDS
    from diplosim.model.triggers import apply_effect

    inert = {"poll"}  # an observation: the model does not act on it
    source = inspect.getsource(apply_effect)
    missing = [k for k in TRIGGER_KINDS if k not in inert and f'"{k}"' not in source]
    assert not missing, f"kinds without an effect in model/triggers.py: {missing}"


def test_what_actors_listen_to_is_an_event_the_model_can_produce():
    from diplosim.domain.kinds import EVENT_KINDS
    from diplosim.model.actors import ACTOR_CLASSES

    for cls in ACTOR_CLASSES.values():
        unknown = (cls.listens | cls.facts_heard) - set(EVENT_KINDS) - {"trade_talks"}
        assert not unknown, f"{cls.__name__} listens to kinds nothing emits: {unknown}"
