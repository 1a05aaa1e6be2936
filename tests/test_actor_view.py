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
from diplosim.model import attention
from diplosim.model.actors import Counterpart, Executive, Opposition, Patron, Public
from diplosim.model.choice import Decision, Options, choose
from diplosim.model.draws import Draws
from diplosim.model.world import State
from diplosim.scenario.params import load_parameters
from tests.conftest import MECHANISM_PARAMS

ACTORS_DIR = Path(__file__).resolve().parent.parent / "sim" / "model" / "actors"


class FakeView:
    """What an actor sees, set by hand; what it asks for, recorded."""

    def __init__(self, state: Mapping[str, float] | None = None, stage: Stage = Stage.IN_FORCE,
                 now: float = 10.0, seed: int = 0, **changes: float) -> None:
        self.p = load_parameters(MECHANISM_PARAMS).with_values(changes).as_parameters()
        self.rng = np.random.default_rng(seed)
        self.draws = Draws(self.rng)
        self.mechanisms = frozenset(ALL_MECHANISMS)
        self.now = now
        self.stage = stage
        self.flags: set[str] = set()
        self.notice_expiry = math.inf
        self.deadline_terms: tuple[float, float] | None = (now + 100.0, now + 190.0)
        self.world = {"threat": 0.3, "approval": 40.0, "anti_japan": 0.3, "mobilisation": 0.1,
                      "us_pressure": 0.0, "trade_dispute": 0.0, "grievance": 0.0, **(state or {})}
        self.standings: dict[str, float] = {}
        self.procedure: dict[str, Any] = {"text_remaining": 1.0, "cabinet_weekday": 1}
        self.opposition = {"seat_share": 0.4, "against": True}
        self.broke_off_by: str | None = None
        self.leader = "the president"
        self.orientation = 0.0
        self.suspension_end = math.inf
        self.suspension_has_term = False
        self.patron_is_partner = False
        self.election_in: float | None = None
        """Days to the next election (None: none known)."""
        self.extended = 0
        self.emitted: list[tuple[str, Mapping[str, Any]]] = []
        self.moves: list[Stage] = []
        self.jumps: list[tuple[str, float]] = []
        self.wakes: list[tuple[float, str]] = []
        self.decisions: list[Decision] = []
        self.questions: list[tuple[str, str]] = []

    def state(self, name: str) -> float:
        return self.world[name]

    def name_of(self, role: str) -> str:
        return {"executive": "Seoul", "counterpart": "Tokyo", "patron": "Washington"}.get(role, role)

    def standing(self, name: str) -> float:
        return self.standings.get(name, 0.0)

    def snapshot(self) -> State:
        return State(**self.world)

    def notice_deadline(self) -> tuple[float, float] | None:
        return self.deadline_terms

    def days_to_election(self) -> float | None:
        return self.election_in

    def days_to(self, kind: str) -> float | None:
        return None

    def next_weekday(self, t: float, weekday: int) -> float:
        return math.ceil(t)

    def urgency(self, deadline: float | None) -> float:
        return attention.urgency(None if deadline is None else deadline - self.now, self.p.urgency_days)

    def next_review(self, deadline: float | None) -> tuple[float, bool]:
        return attention.next_review(self.now, deadline, self.draws.exponential(), self.p.review_days,
                                     self.p.deadline_reviews, self.p.urgency_days)

    def emit(self, kind: str, detail: Mapping[str, Any] | None = None) -> None:
        self.emitted.append((kind, detail or {}))

    def move(self, to: Stage, event: str | None = None, *, detail: Mapping[str, Any] | None = None,
             notice_expiry: float | None = None) -> None:
        self.moves.append(to)
        self.stage = to
        if notice_expiry is not None:
            self.notice_expiry = notice_expiry

    def jump(self, name: str, amount: float) -> None:
        self.jumps.append((name, amount))

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        self.wakes.append((t, what))

    def ask(self, role: str, question: str) -> bool:
        self.questions.append((role, question))
        return True

    def choose(self, situation: str, options: Options) -> str:
        decision = choose(self.rng, "actor", situation, options)
        self.decisions.append(decision)
        return decision.chosen

    def note(self, text: str) -> None:
        pass

    def extend_suspension(self) -> None:
        self.extended += 1
        self.suspension_end = self.now + 30.0


def utilities(decision: Decision) -> dict[str, float]:
    """Each option's total utility in a recorded decision."""
    return {name: terms.total() for name, terms in decision.terms.items()}


def test_tokyo_faces_trade_measures_only_over_an_unsettled_claim_and_answers_questions():
    view = FakeView()
    tokyo = Counterpart(view, "Tokyo", {})  # type: ignore[arg-type]
    tokyo.handle(("event", "court_ruling"))  # before actors may decide: ignored
    assert view.decisions == [] and view.wakes == []
    tokyo.start()
    tokyo.handle(("event", "court_ruling"))  # the ruling's standing grievance is not in this view: nothing to answer
    assert view.decisions == [] and tokyo.faces() is None
    view.standings["grievance"] = 0.4  # a ruling stands unsettled
    tokyo.handle(("event", "court_ruling"))  # news waits for its next cabinet meeting (deliberation)
    assert view.decisions == []
    tokyo.handle(("event", "notice_given"))  # a change of the situation calls an extraordinary meeting
    assert [d.situation for d in view.decisions] == ["trade measures over the rulings?"]
    view.mechanisms = view.mechanisms - {"deliberation"}
    tokyo.handle(("event", "court_ruling"))  # without deliberation, any news it listens to prompts a review
    assert len(view.decisions) == 2
    tokyo.handle(("stage", None))  # its agenda brings the decision up later, without a deadline
    assert view.wakes and view.wakes[-1][1] == "review" and view.wakes[-1][0] > view.now
    assert isinstance(tokyo.answer("sign?"), bool) and view.decisions[-1].situation == "sign?"


def test_tokyo_with_a_deep_grievance_imposes_export_controls_at_its_review():
    # grievance at its top and a strong retaliation weight: imposing dominates waiting
    view = FakeView({"grievance": 1.0}, retaliation_weight=10.0, retaliation_base=0.0)
    view.standings["grievance"] = 1.0
    Counterpart(view, "Tokyo", {}).review("agenda")  # type: ignore[arg-type]
    assert view.emitted[0][0] == "export_control"


def test_tokyo_keeps_its_measures_while_the_grievance_stands_and_lifts_them_once_it_fades():
    # keeping a measure is worth what it answers (the grievance) less what it costs Tokyo's own exporters;
    # lifting backs down in the open. A deep grievance keeps them; a settled one makes lifting the better move.
    def utilities_at(grievance: float) -> dict[str, float]:
        view = FakeView({"grievance": grievance}, retaliation_weight=8.0, retaliation_base=4.0, walkaway_cost=2.0)
        view.standings["grievance"] = grievance
        view.flags |= {"export_controls", "whitelist_removed"}
        Counterpart(view, "Tokyo", {}).review("agenda")  # type: ignore[arg-type]
        return utilities(view.decisions[0])

    deep, settled = utilities_at(1.0), utilities_at(0.0)
    assert deep["keep_measures"] > deep["lift_measures"] + 1.0  # 0 against 4 - 8 - 2
    assert settled["lift_measures"] > settled["keep_measures"] + 1.0  # 4 - 2 against 0


def test_washington_presses_while_the_pact_is_at_stake_and_not_when_it_takes_no_initiatives():
    view = FakeView(stage=Stage.NOTICE_GIVEN)
    view.notice_expiry = view.now + 60.0
    washington = Patron(view, "Washington", {})  # type: ignore[arg-type]
    washington.start()
    assert view.wakes and all(t <= view.notice_expiry for t, _ in view.wakes)  # reviews, or a replan at expiry
    washington.handle(("event", "notice_given"))
    assert view.decisions[-1].situation == "press the allies?"
    assert set(view.decisions[-1].terms) == {"hold_back", "press", "press_hard"}
    secure = FakeView(stage=Stage.IN_FORCE)
    Patron(secure, "Washington", {}).handle(("event", "nuclear_test"))  # type: ignore[arg-type]
    assert secure.decisions == []  # the pact is in force: nothing to press for
    idle = FakeView(stage=Stage.NOTICE_GIVEN)
    quiet = Patron(idle, "Washington", {}, decides=False)  # type: ignore[arg-type]
    quiet.start()
    quiet.handle(("event", "notice_given"))
    assert idle.wakes == [] and idle.decisions == []


def test_washington_presses_harder_as_the_expiry_nears():
    far, near = FakeView(stage=Stage.NOTICE_GIVEN), FakeView(stage=Stage.NOTICE_GIVEN)
    far.notice_expiry, near.notice_expiry = far.now + 80.0, near.now + 1.0
    for view in (far, near):
        Patron(view, "Washington", {}).review("agenda")  # type: ignore[arg-type]
    assert utilities(near.decisions[0])["press"] > utilities(far.decisions[0])["press"]


def test_the_public_punishes_a_secret_approval_once_it_is_revealed():
    view = FakeView()
    public = Public(view, "Public", {})  # type: ignore[arg-type]
    public.start()
    public.handle(("event", "revealed"))
    moved = dict(view.jumps)
    assert moved["mobilisation"] > 0 and moved["approval"] < 0


def test_the_opposition_hears_only_the_steps_its_stance_opposes():
    for_view = FakeView()
    for_view.opposition = {"seat_share": 0.4, "against": False}
    against = Opposition(FakeView(), "Opposition", {})  # type: ignore[arg-type]
    for_pact = Opposition(for_view, "Opposition", {})  # type: ignore[arg-type]
    assert against.opposes("in_force") and not for_pact.opposes("in_force")
    assert for_pact.opposes("notice_given") and not against.opposes("notice_given")
    for_pact.start()
    for_pact.handle(("event", "in_force"))  # a step it supports: nothing to mobilise against
    assert for_view.decisions == []
    view = FakeView({"anti_japan": 1.0}, opposition_mobilise_base=3.0, opposition_mobilise_weight=8.0)
    opposition = Opposition(view, "Opposition", {})  # type: ignore[arg-type]
    opposition.start()
    opposition.handle(("event", "in_force"))
    assert [w for _, w in view.wakes] == ["protest"]  # it decided to mobilise and will protest later
    # while the executive takes the pact forward, its own agenda brings mobilising up unprompted
    busy = FakeView(stage=Stage.NEGOTIATING)
    Opposition(busy, "Opposition", {}).start()  # type: ignore[arg-type]
    assert [w for _, w in busy.wakes] == ["review"]
    calm = FakeView(stage=Stage.IN_FORCE)
    Opposition(calm, "Opposition", {}).start()  # type: ignore[arg-type]
    assert calm.wakes == []


def test_seoul_opens_talks_on_a_dated_talks_fact_and_asks_tokyo_before_initialling():
    view = FakeView(stage=Stage.NO_TALKS)
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.hear_fact("talks", {"issue": "trade"})
    assert view.moves == []  # trade talks do not open talks on the pact
    seoul.hear_fact("talks", {"issue": "agreement"})
    assert view.moves == [Stage.NEGOTIATING] and "round" in [w for _, w in view.wakes]
    # text done and a pact worth a great deal: Seoul initials, after asking Tokyo
    keen = FakeView({"threat": 1.0, "anti_japan": 0.0, "mobilisation": 0.0}, stage=Stage.NEGOTIATING,
                    executive_pact_base=4.0, threat_weight=6.0, haste_cost=0.0,
                    ruling_veto_base=-6.0, ruling_veto_election_weight=0.0)  # a ruling camp that defers
    seoul = Executive(keen, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.rounds_needed = 1
    seoul.handle(("round", None))
    assert keen.questions == [("counterpart", "initial the text?")] and keen.moves == [Stage.INITIALLED]


def test_seoul_chooses_its_cabinet_procedure_unless_a_file_gives_it():
    # a strong, mobilised opposition: approving without notice is worth more than approving openly
    view = FakeView({"mobilisation": 1.0, "approval": 60.0}, stage=Stage.INITIALLED, domestic_cost_weight=10.0,
                    secrecy_discount=0.8)
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.handle(("cabinet", None))
    u = utilities(view.decisions[0])
    assert u["approve_without_notice"] > u["approve"] + 1.0
    given = FakeView(stage=Stage.INITIALLED)
    given.procedure["cabinet_process"] = "public"
    seoul = Executive(given, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.handle(("cabinet", None))
    assert "approve_without_notice" not in given.decisions[0].terms and "approve" in given.decisions[0].terms


def test_seouls_notice_decision_weighs_waiting_less_as_the_deadline_nears():
    far, near = FakeView(stage=Stage.IN_FORCE), FakeView(stage=Stage.IN_FORCE)
    far.deadline_terms = (far.now + 60.0, far.now + 150.0)
    near.deadline_terms = (near.now + 0.5, near.now + 90.5)
    for view in (far, near):
        seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
        seoul.start()
        seoul.review("agenda")
    keep_far = utilities(far.decisions[0])["keep_the_pact"]
    keep_near = utilities(near.decisions[0])["keep_the_pact"]
    assert keep_far > keep_near
    assert utilities(far.decisions[0])["give_notice"] == utilities(near.decisions[0])["give_notice"]


def test_seoul_suspends_a_notice_when_the_pact_is_worth_keeping_and_asks_tokyo_for_talks():
    view = FakeView({"threat": 1.0, "us_pressure": 1.0}, stage=Stage.NOTICE_GIVEN, threat_weight=6.0,
                    patron_weight=6.0)
    view.notice_expiry = view.now + 0.25  # hours before it takes effect
    view.flags.add("export_controls")
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.handle(("event", "us_pressure"))  # news: it waits for the next meeting (deliberation)
    assert view.questions == []
    seoul.handle(("event", "whitelist_removal"))  # a new measure calls an extraordinary meeting
    assert ("counterpart", "talks if Seoul keeps the pact?") in view.questions
    assert view.moves and view.moves[-1] in (Stage.SUSPENDED, Stage.NORMALISED)


def test_a_suspended_notice_can_be_withdrawn_on_any_event_seoul_listens_to():
    # Tokyo lifted its measures and the pact is worth a great deal: Seoul withdraws the notice,
    # at the event (no date of the year is special)
    view = FakeView({"threat": 1.0}, stage=Stage.SUSPENDED, threat_weight=6.0, executive_pact_base=4.0,
                    audience_cost=0.0, leverage_value=0.0)
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.handle(("event", "controls_lifted"))
    assert view.decisions[0].situation == "what to do with the suspended notice?"
    assert view.moves == [Stage.NORMALISED]


def test_resuming_talks_a_leader_broke_off_itself_costs_it_an_audience_cost():
    own, other = FakeView(stage=Stage.NO_TALKS), FakeView(stage=Stage.NO_TALKS)
    own.broke_off_by = own.leader
    other.broke_off_by = "another president"
    for view in (own, other):
        seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
        seoul.start()
        seoul.review("agenda")
    assert utilities(own.decisions[0])["resume_talks"] < utilities(other.decisions[0])["resume_talks"]


def test_no_decision_is_scheduled_at_an_offset_from_a_deadline():
    # wake-ups in the model take a time that is an agenda draw, a procedure's duration or a
    # ceremony's own date, never a deadline plus or minus a constant
    deadline_names = {"notice_expiry", "expiry", "deadline", "signing_at"}
    model_dir = ACTORS_DIR.parent
    for path in model_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "wake_at":
                when = node.args[0] if node.args else None
                for sub in ast.walk(when) if isinstance(when, ast.BinOp) else ():
                    name = sub.attr if isinstance(sub, ast.Attribute) else sub.id if isinstance(sub, ast.Name) else ""
                    assert name not in deadline_names, \
                        f"{path.name}:{node.lineno}: a wake-up at an offset from {name}"


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

    # an observation; a change the engine makes to who governs; an occasion the patron decides at
    inert = {"poll", "government_change", "consultation"}
    source = inspect.getsource(apply_effect)
    missing = [k for k in TRIGGER_KINDS if k not in inert and f'"{k}"' not in source]
    assert not missing, f"kinds without an effect in model/triggers.py: {missing}"


def test_what_actors_listen_to_is_an_event_the_model_can_produce():
    from diplosim.domain.kinds import EVENT_KINDS
    from diplosim.model.actors import ACTOR_CLASSES

    for cls in ACTOR_CLASSES.values():
        unknown = (cls.listens | cls.facts_heard) - set(EVENT_KINDS) - {"trade_talks"}
        assert not unknown, f"{cls.__name__} listens to kinds nothing emits: {unknown}"


# -- issue 26 item 5: Washington presses at dated occasions, not whenever the pact is not in force -------

def test_washington_takes_the_pact_up_only_at_occasions_while_no_legal_deadline_is_pending():
    view = FakeView(stage=Stage.NO_TALKS, state={"threat": 0.8})
    washington = Patron(view, "Washington", {})  # type: ignore[arg-type]
    washington.start()
    assert view.wakes == []  # no deadline of the pact's rules pending: no agenda of its own
    washington.handle(("event", "nuclear_test"))  # news changes the state; under deliberation no occasion
    assert view.decisions == []
    washington.handle(("event", "consultation"))  # a scheduled meeting with the allies: an occasion
    assert [d.situation for d in view.decisions] == ["press the allies?"]
    pending = FakeView(stage=Stage.NOTICE_GIVEN)
    pending.notice_expiry = pending.now + 60.0
    Patron(pending, "Washington", {}).start()  # type: ignore[arg-type]
    assert pending.wakes  # a notice running to its expiry: its agenda takes the pact up


def insisting_camp(stage: Stage) -> FakeView:
    """Seoul wants the pact (base 4 + threat 6); its ruling camp, an election today and the issue salient
    (mobilisation and anti-Japan sentiment 0.5), asks for postponement at utility 3 + 10 x 1 x 0.5 = 8."""
    view = FakeView({"threat": 1.0, "approval": 10.0, "mobilisation": 0.5, "anti_japan": 0.5}, stage=stage,
                    executive_pact_base=4.0, threat_weight=6.0, ruling_veto_base=3.0,
                    ruling_veto_election_weight=10.0)
    view.election_in = 0.0
    return view


def test_a_ruling_camp_that_insists_postpones_the_ceremony_and_seoul_may_set_a_new_one():
    view = insisting_camp(Stage.CABINET_APPROVED)
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    ceremony = seoul.signing_at
    assert math.isfinite(ceremony) and seoul.deadline() == ceremony
    seoul.handle(("signing", ceremony))
    situations = [d.situation for d in view.decisions]
    assert situations == ["sign at the ceremony?", "the ruling camp: postpone the signing?"]
    assert view.decisions[-1].chosen == "postpone"
    assert view.moves == [] and view.stage is Stage.CABINET_APPROVED  # postponed, not collapsed
    assert seoul.signing_at == math.inf and seoul.deadline() is None
    seoul.review("agenda")  # later, Seoul decides what to do with the postponed signing
    assert set(view.decisions[-1].terms) == {"set_a_new_signing", "wait", "cancel"}


def test_with_the_veto_off_the_ruling_camp_is_never_asked():
    view = insisting_camp(Stage.CABINET_APPROVED)
    view.mechanisms = view.mechanisms - {"ruling_camp_veto"}
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    seoul.handle(("signing", seoul.signing_at))
    assert [d.situation for d in view.decisions] == ["sign at the ceremony?"]


def test_a_vetoed_cabinet_item_leaves_the_cabinets_agenda_until_seoul_brings_it_back():
    view = insisting_camp(Stage.INITIALLED)
    view.procedure["cabinet_process"] = "public"  # an announced approval: the ruling camp is asked
    seoul = Executive(view, "Seoul", {})  # type: ignore[arg-type]
    seoul.start()
    cabinets = sum(w == "cabinet" for _, w in view.wakes)
    seoul.handle(("cabinet", None))
    asked = ["approve in cabinet?", "the ruling camp: postpone the cabinet approval?"]
    assert [d.situation for d in view.decisions] == asked
    assert view.moves == [] and seoul.faces() == "take the pact back to cabinet?"
    assert sum(w == "cabinet" for _, w in view.wakes) == cabinets  # no meeting set for it
    seoul.review("agenda")
    assert set(view.decisions[-1].terms) == {"back_to_cabinet", "wait", "cancel"}
