"""What an actor sees and may do: the narrow interface between the engine and an actor.

An actor holds one `ActorView` and nothing else of the replication. Through it
the actor *reads* a snapshot of the world, the agreement's stage and legal
calendar, the few scenario facts its rule needs, its parameters, the time and
its random draws; and it *asks* the engine to act: emit an event, move the
agreement, nudge a state variable, wake it later, put a question to another
role, draw a logged choice. The engine carries every request out, so an actor
never touches another actor, the simpy environment or the engine's bookkeeping,
and a decision rule can be tested with a hand-made view (see
tests/test_actor_view.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import TYPE_CHECKING, Any

import numpy as np

from ..domain.lifecycle import Stage
from ..domain.parameters import Parameters
from . import attention
from .choice import Options
from .draws import Draws
from .world import State

if TYPE_CHECKING:
    from .engine import Context


class ActorView:
    """One actor's window on a replication (made by the engine; an actor keeps only this)."""

    __slots__ = ("_ctx", "_actor", "p", "rng", "draws", "mechanisms")

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._actor: Any = None
        self.p: Parameters = ctx.p
        """The behavioural parameters (read-only)."""
        self.rng: np.random.Generator = ctx.rng
        """The replication's random generator (for gamma and Poisson draws)."""
        self.draws: Draws = ctx.draws
        """Uniform and exponential draws, in blocks from the same generator."""
        self.mechanisms: frozenset[str] = ctx.mechanisms
        """The mechanisms switched on in this scenario."""

    def bind(self, actor: Any) -> None:
        """Whose view this is (the engine binds it once the actor exists)."""
        self._actor = actor

    # -- reading ------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulation time in days since the scenario's start."""
        return self._ctx.now

    @property
    def stage(self) -> Stage:
        """The agreement's current stage."""
        return self._ctx.stage

    @property
    def flags(self) -> Set[str]:
        """Measures in force (``export_controls``, ``whitelist_removed``, ``trade_talks``, ``boycott``), and
        ``scandal`` while the leader is in one."""
        return self._ctx.world.flags

    @property
    def notice_expiry(self) -> float:
        """When a notice given takes effect (infinity while none is pending)."""
        return self._ctx.notice_expiry

    def notice_deadline(self) -> tuple[float | None, float] | None:
        """For a notice given now: (the last moment it may be given for the expiry it answers, or None when
        the rules set no such moment; when it would take effect), or None when the rules allow no notice."""
        return self._ctx.notice_terms()

    @property
    def suspension_end(self) -> float:
        """When a suspended notice's term runs out (infinity: suspended until lifted, or none)."""
        return self._ctx.suspension_end

    @property
    def suspension_has_term(self) -> bool:
        """Whether the agreement's rules give a suspension a term (that can be extended)."""
        return self._ctx.agreement.rules.suspension_days is not None

    @property
    def orientation(self) -> float:
        """The executive leader's line toward the counterpart: -1 conciliatory ... +1 hard-line."""
        return self._ctx.orientation

    @property
    def patron_is_partner(self) -> bool:
        """Whether the patron is also the treaty partner (the counterpart)."""
        return self._ctx.patron_is_partner

    def state(self, name: str) -> float:
        """A state variable's value now."""
        return self._ctx.world.get(name, self._ctx.now)

    def standing(self, name: str) -> float:
        """A state variable's standing level (what persistent causes hold it at: measures, unsettled claims)."""
        return self._ctx.world.standing(name)

    def snapshot(self) -> State:
        """Every state variable's value now."""
        return self._ctx.world.snapshot(self._ctx.now)

    def days_to_election(self) -> float | None:
        """Days from now to the next election the scenario knows of, or None."""
        return self._ctx.days_to_election(self._ctx.now)

    def days_to(self, kind: str) -> float | None:
        """Days from now to the next dated trigger of `kind` on the calendar (an election in Japan, a summit
        Tokyo hosts: `ANTICIPATED_KINDS`), or None."""
        return self._ctx.days_to(kind, self._ctx.now)

    def next_weekday(self, t: float, weekday: int) -> float:
        """The first day at or after `t` that falls on `weekday` (0 = Monday)."""
        return self._ctx.next_weekday(t, weekday)

    @property
    def procedure(self) -> Mapping[str, Any]:
        """The scenario's facts about the agreement's procedure (text left, cabinet day) and the
        executive's choices a file gives as assumptions (``cabinet_process``)."""
        return self._ctx.procedure

    @property
    def opposition(self) -> Mapping[str, Any]:
        """The scenario's facts about the opposition (seat share, whether it is against the pact)."""
        return self._ctx.opposition

    @property
    def broke_off_by(self) -> str | None:
        """The leader who last broke off or ended the pact in this run (or before it), if any."""
        return self._ctx.broke_off_by

    @property
    def leader(self) -> str:
        """The executive's leader now."""
        return self._ctx.leader

    def name_of(self, role: str) -> str:
        """The name the scenario gives the actor in `role` (for the story's wording, never for a decision)."""
        return self._ctx.actors[role].name

    def urgency(self, deadline: float | None) -> float:
        """How much `deadline` (simulation days, or None) presses now, in [0, 1]."""
        return attention.urgency(None if deadline is None else deadline - self._ctx.now, self.p.urgency_days)

    def next_review(self, deadline: float | None) -> tuple[float, bool]:
        """When this actor's agenda next brings up a decision with `deadline`: see `attention.next_review`."""
        p = self.p
        return attention.next_review(self._ctx.now, deadline, self.draws.exponential(), p.review_days,
                                     p.deadline_reviews, p.urgency_days)

    # -- acting --------------------------------------------------------------------

    def emit(self, kind: str, detail: Mapping[str, Any] | None = None) -> None:
        """Something this actor does happens now (its effect, the listeners, the reactions)."""
        self._ctx.emit(kind, self._actor, detail or {})

    def move(self, to: Stage, event: str | None = None, *, detail: Mapping[str, Any] | None = None,
             notice_expiry: float | None = None) -> None:
        """Move the agreement to `to` and emit the event (`event`, else the stage's name) with `detail`.

        `notice_expiry` (with a notice) is when it takes effect; entering
        ``in_force`` starts the agreement's clock.
        """
        self._ctx.move(self._actor, to, event, detail, notice_expiry)

    def jump(self, name: str, amount: float) -> None:
        """Move a state variable by `amount` now (clipped to its range)."""
        self._ctx.world.jump(name, self._ctx.now, amount)

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        """Wake this actor at time `t` (days) with reason `what`."""
        self._ctx.wake_at(self._actor, t, what, detail)

    def ask(self, role: str, question: str) -> bool:
        """Put a yes/no question to the actor in `role` (its `answer` decides)."""
        return self._ctx.ask(role, question)

    def extend_suspension(self) -> None:
        """Extend the suspension of the notice for another term (the executive's move)."""
        self._ctx.extend_suspension(self._actor)

    def choose(self, situation: str, options: Options) -> str:
        """Draw a logit choice among `options` (logged in the story); the option chosen."""
        return self._ctx.choose(self._actor, situation, options)

    def note(self, text: str) -> None:
        """A line in the story that is not a decision or an event."""
        self._ctx.note(self._actor, text)
