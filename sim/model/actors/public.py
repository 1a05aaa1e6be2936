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
        ctx = self.view
        p, t = ctx.p, ctx.now
        if what == "boycott":
            ctx.emit("boycott", {})
            return
        if what != "event":
            return
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
            ctx.note("rallies behind a firm line against Tokyo")
        elif kind in ("export_control", "whitelist_removal") and self.on("opinion_dynamics"):
            if "boycott" in ctx.flags or self.boycotting:
                return
            d = self.decide(f"boycott Japanese goods after {kind.replace('_', ' ')}?",
                            {"boycott": boycott(ctx.snapshot(), p), "carry_on": {}})
            if d.chosen == "boycott":
                self.boycotting = True
                self.wake_at(t + float(ctx.rng.exponential(p.reaction_days)), "boycott")
