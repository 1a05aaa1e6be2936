"""What every actor shares: decisions taken up when something concerns the actor.

An actor faces at most one pending decision at a time, which depends on the
state of the world and the agreement (`faces`). It takes that decision up
(`review`) when its agenda brings it up: a Poisson process of meetings whose
rate rises as the deadline the decision has nears (`model/attention.py`). Under
the `deliberation` mechanism a government (`deliberates`) takes it up between
meetings only when an event it listens to changes the situation itself
(`SITUATION_CHANGES`: an extraordinary meeting); other news changes the state
the next meeting reads, so the volume of news does not multiply the chances of
a move. Without the mechanism, and for actors that do not deliberate (the
opposition), every event it listens to prompts a review at once. A review is a logit choice among
options that include waiting; most reviews end in waiting. Nothing is ever
scheduled at an offset from a deadline.

An actor also *answers* questions another role puts to it (`answer`), and some
react to events without choosing (the public's backlash). In a run where a role
is silenced (its moves are given as assumptions, or a conditional validation),
it takes no initiative: it neither reviews nor moves, but still answers and
reacts.

An actor sees the replication only through its `ActorView` (`self.view`). It
never imports the engine or another actor, and draws randomness only from the
view's generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ...domain.kinds import SITUATION_CHANGES
from ..choice import Options
from ..view import ActorView

Reason = tuple[str, Any]
"""Why an actor woke: (what, detail), e.g. ('event', 'missile_test'), ('review', token), ('stage', None)."""


def talks_question(executive: str) -> str:
    """What the executive (named `executive`) asks the counterpart: talks on its measures in return for
    keeping the pact ('talks if Seoul keeps the pact?'); the story shows it as asked."""
    return f"talks if {executive} keeps the pact?"


class Actor:
    """Base class: role, name, what it listens to, and its decision rule."""

    role: ClassVar[str] = ""
    listens: ClassVar[frozenset[str]] = frozenset()
    """Event kinds this actor wants to hear about (each prompts a review of the decision it faces)."""
    facts_heard: ClassVar[frozenset[str]] = frozenset()
    """Kinds of fact the engine passes to `hear_fact` at once, not as a later wake-up."""
    deliberates: ClassVar[bool] = True
    """Whether this actor is a government that decides at meetings (`deliberation`); False for actors that
    answer events as they come (the opposition's campaigns, the public)."""

    def __init__(self, view: ActorView, name: str, facts: Mapping[str, Any], decides: bool = True) -> None:
        self.view = view
        self.name = name
        self.facts = facts
        self.decides = decides
        """Whether this actor takes initiatives in this run (False: its moves are given, or it is silenced)."""
        self.event_details: dict[str, Any] = {}
        """The detail of the latest event of each kind this actor heard of."""
        self._token = 0
        """Identifies the agenda review in force: replanning makes older ones stale."""
        self.started = False
        """Whether actors may decide yet (before `start`, every reason to wake is ignored)."""
        self._planned_faces: str | None = None
        self._planned_deadline: float | None = None
        self._planned_at = -1.0
        """The decision and deadline the pending agenda review was drawn for, and its time."""

    # -- what a subclass defines ---------------------------------------------------

    def faces(self) -> str | None:
        """The decision this actor faces now (a short name), or None. Subclasses override."""
        return None

    def deadline(self) -> float | None:
        """The deadline of the decision it faces (simulation days), or None."""
        return None

    def on_agenda(self) -> bool:
        """Whether its agenda brings the decision faced up unprompted (else only events do)."""
        return True

    def review(self, why: str) -> None:
        """Take up the decision it faces now (`why`: the event kind, or 'agenda'). Subclasses override."""

    def react(self, kind: str) -> None:
        """React to an event it heard without choosing (backlash, rally). Subclasses override."""

    def answer(self, question: str) -> bool:
        """Answer a yes/no question another role puts (`view.ask`). Subclasses that are asked override."""
        raise NotImplementedError(f"{self.role} is asked '{question}' but has no rule to answer it")

    def hear_fact(self, kind: str, detail: Mapping[str, Any]) -> None:
        """A dated fact of a kind in `facts_heard`, as it happens (before the listeners wake)."""

    # -- what the engine calls ---------------------------------------------------------

    def start(self) -> None:
        """Actors may decide from now: plan the first review."""
        self.started = True
        self.plan()

    def handle(self, reason: Reason) -> None:
        """Dispatch a reason to wake: an event, an agenda review, a change of stage, or an own timer."""
        if not self.started:
            return
        what, detail = reason
        if what == "event":
            self.react(detail)
            if self.decides and self.faces() is not None and self.takes_up(detail):
                self.review(detail)
            self.plan()  # news may have put a decision before it (a ruling's grievance): its meetings take it up
        elif what == "review":
            if detail == self._token and self.decides:
                if self.faces() is not None and self.on_agenda():
                    self.review("agenda")
                self.plan()
        elif what == "stage" or (what == "replan" and detail == self._token):
            self.plan()
        elif what != "replan":
            self.timer(what, detail)

    def takes_up(self, kind: str) -> bool:
        """Whether an event of `kind` makes the actor take up the decision it faces at once: under
        `deliberation` a government does so only for a change of the situation (an extraordinary meeting)."""
        return not self.deliberates or kind in SITUATION_CHANGES or "deliberation" not in self.view.mechanisms

    def timer(self, what: str, detail: Any) -> None:
        """A wake-up the actor asked for with `wake_at` (other than its agenda). Subclasses override."""

    # -- helpers -----------------------------------------------------------------------

    def plan(self) -> None:
        """Plan the next agenda review of the decision faced now (none if it faces none).

        A review already planned for the same decision and deadline stands: the agenda is a
        Poisson process, so a review drawn earlier is as good as one drawn now.
        """
        faces = self.faces() if self.decides and self.on_agenda() else None
        deadline = self.deadline() if faces is not None else None
        if faces == self._planned_faces and deadline == self._planned_deadline and self._planned_at > self.view.now:
            return
        self._token += 1
        self._planned_faces = faces
        self._planned_deadline = deadline
        self._planned_at = -1.0
        if faces is None:
            return
        t, is_review = self.view.next_review(deadline)
        # past the deadline the decision is another one (next year's notice, a notice run out): plan again there
        self._planned_at = t
        self.view.wake_at(t, "review" if is_review else "replan", self._token)

    def urgency(self) -> float:
        """How much the deadline of the decision faced presses now, in [0, 1]."""
        return self.view.urgency(self.deadline())

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        """Ask to be woken at time `t` (days) with reason `what`."""
        self.view.wake_at(t, what, detail)

    def choose(self, situation: str, options: Options) -> str:
        """Draw a logit choice among `options`; the story logs it. Returns the option chosen."""
        return self.view.choose(situation, options)

    def on(self, mechanism: str) -> bool:
        """Whether `mechanism` is switched on in this scenario."""
        return mechanism in self.view.mechanisms
