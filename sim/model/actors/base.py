"""What every actor shares: a decision rule that wakes on reasons.

An actor sleeps until something concerns it: an event it listens to, or a
time it asked to be woken at. Its `handle` method is its decision rule; its
`answer` method answers a question another role puts to it. It sees the
replication only through its `ActorView` (`self.view`): it reads the world and
the agreement there and asks the engine to act there. It never imports the
engine or another actor, and draws randomness only from the view's generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import simpy

from ..choice import Decision, Terms
from ..view import ActorView

Reason = tuple[str, Any]
"""Why an actor woke: (what, detail), e.g. ('event', 'missile_test') or ('cabinet', None)."""


class Actor:
    """Base class: role, name, what it listens to, and its decision rule."""

    role: str = ""
    listens: frozenset[str] = frozenset()
    """Event kinds this actor wants to hear about."""

    def __init__(self, view: ActorView, name: str, facts: Mapping[str, Any]) -> None:
        self.view = view
        self.name = name
        self.facts = facts
        self.pending: list[Reason] = []
        """Reasons to wake not yet handled (the engine fills and empties it)."""
        self.wake: simpy.Event | None = None
        """The event the engine's loop for this actor waits on."""
        self.event_details: dict[str, Any] = {}
        """The detail of the latest event of each kind this actor heard of."""

    def start(self) -> None:
        """Set the first decision dates once actors may decide. Subclasses override."""

    def handle(self, reason: Reason) -> None:
        """The decision rule. Subclasses override."""

    def answer(self, question: str) -> bool:
        """Answer a yes/no question another role puts (`view.ask`). Subclasses that are asked override."""
        raise NotImplementedError(f"{self.role} is asked '{question}' but has no rule to answer it")

    def hear_fact(self, kind: str, detail: Mapping[str, Any]) -> None:
        """A dated fact of a kind in `facts_heard`, as it happens (before the listeners wake)."""

    facts_heard: frozenset[str] = frozenset()
    """Kinds of fact the engine passes to `hear_fact` at once, not as a later wake-up."""

    # -- helpers -----------------------------------------------------------

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        """Ask to be woken at time `t` (days) with reason `what`."""
        self.view.wake_at(t, what, detail)

    def decide(self, situation: str, options: Mapping[str, Terms]) -> Decision:
        """Draw a logit choice among `options` and log it."""
        return self.view.decide(situation, options)

    def on(self, mechanism: str) -> bool:
        """Whether `mechanism` is switched on in this scenario."""
        return mechanism in self.view.mechanisms
