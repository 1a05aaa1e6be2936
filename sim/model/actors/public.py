"""Public opinion: backlash at secrecy and haste, the rally, and consumer boycotts."""

from __future__ import annotations

from ..terms import boycott
from .base import Actor, Reason


class Public(Actor):
    """Public opinion: backlash at secrecy and haste, rally, boycotts."""

    role = "public"
    boycotting = False
    """The public has decided to boycott (a boycott starts once)."""
    listens = frozenset({"revealed", "cabinet_approved", "in_force", "notice_given",
                         "export_control", "whitelist_removal"})

    def handle(self, reason: Reason) -> None:
        what, kind = reason
        ctx = self.ctx
        p, world, t = ctx.p, ctx.world, ctx.env.now
        if what == "boycott":
            ctx.emit("boycott", self, {})
            return
        if what != "event":
            return
        if kind == "revealed" and self.on("procedural_legitimacy"):
            world.jump("mobilisation", t, p.secrecy_backlash_jump)
            world.jump("approval", t, -p.secrecy_approval_drop)
            ctx.note(self, "outrage at a pact approved without notice")
        elif kind in ("cabinet_approved", "in_force") and self.on("procedural_legitimacy"):
            if self.event_details.get(kind, {}).get("since_previous", 1e9) < p.haste_window_days:
                world.jump("mobilisation", t, p.haste_backlash_jump)
                ctx.note(self, "criticism of a rushed procedure")
        elif kind == "notice_given" and self.on("rally"):
            world.jump("approval", t, p.rally_approval_gain * world.get("anti_japan", t))
            ctx.note(self, "rallies behind a firm line against Tokyo")
        elif kind in ("export_control", "whitelist_removal") and self.on("opinion_dynamics"):
            if "boycott" in world.flags or self.boycotting:
                return
            d = self.decide(f"boycott Japanese goods after {kind.replace('_', ' ')}?",
                            {"boycott": boycott(world.snapshot(t), p), "carry_on": {}})
            if d.chosen == "boycott":
                self.boycotting = True
                self.wake_at(t + float(ctx.rng.exponential(p.reaction_days)), "boycott")
