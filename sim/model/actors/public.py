"""Public opinion: backlash at secrecy and haste, the rally, and consumer boycotts."""

from __future__ import annotations

from typing import Any

from ..choice import NOTHING
from ..terms import boycott
from .base import Actor

MEASURE_EVENTS = frozenset({"export_control", "whitelist_removal"})


class Public(Actor):
    """Public opinion: backlash at secrecy and haste, rally, boycotts."""

    role = "public"
    boycotting = False
    """The public has decided to boycott (a boycott starts once)."""
    deliberates = False  # boycotts and backlash answer events as they come
    listens = frozenset({"revealed", "cabinet_approved", "in_force", "notice_given"}) | MEASURE_EVENTS

    def react(self, kind: str) -> None:
        """Reactions that are no one's choice: backlash at secrecy and haste, the rally."""
        ctx = self.view
        p = ctx.p
        if kind == "revealed" and self.on("procedural_legitimacy"):
            ctx.jump("mobilisation", p.secrecy_backlash_jump)
            ctx.jump("approval", -p.secrecy_approval_drop)
            ctx.note("outrage at a pact approved without notice")
        elif kind in ("cabinet_approved", "in_force") and self.on("procedural_legitimacy"):
            if self.event_details.get(kind, {}).get("since_previous", 1e9) < p.haste_window_days:
                ctx.jump("mobilisation", p.haste_backlash_jump)
                ctx.note("criticism of a rushed procedure")
        elif kind == "notice_given" and self.on("rally"):
            ctx.jump("approval", p.rally_approval_gain * ctx.state("anti_japan"))
            ctx.note(f"rallies behind a firm line against {ctx.name_of('counterpart')}")

    def faces(self) -> str | None:
        if not self.on("opinion_dynamics") or self.boycotting or "boycott" in self.view.flags:
            return None
        if not {"export_controls", "whitelist_removed"} & self.view.flags:
            return None
        return f"boycott goods from {self.view.name_of('counterpart')}?"

    def on_agenda(self) -> bool:
        return False  # a boycott answers a measure as it comes, or not at all

    def review(self, why: str) -> None:
        if why not in MEASURE_EVENTS:
            return
        ctx = self.view
        if self.choose(f"boycott goods from {ctx.name_of('counterpart')} after {why.replace('_', ' ')}?",
                       {"boycott": boycott(ctx.snapshot(), ctx.p), "carry_on": NOTHING}) == "boycott":
            self.boycotting = True
            self.wake_at(ctx.now + ctx.draws.exponential(ctx.p.reaction_days), "boycott")

    def timer(self, what: str, detail: Any) -> None:
        if what == "boycott":
            self.view.emit("boycott", {})
