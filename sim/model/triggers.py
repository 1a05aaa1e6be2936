"""Trigger kinds, their effects on the world, and how triggers fire.

A trigger is an event from outside the agreement's lifecycle: a missile test, a
court ruling, a scandal. It fires in one of three ways:
- ``at:`` a date (a historical fact, with a ``source:``);
- ``rate:`` a random (Poisson) process, so many per year between two dates,
  with a magnitude drawn from a distribution;
- ``after:`` another event kind, with a probability and a delay.

Every kind's effect on the world state is documented in `KINDS` and applied by
`apply_effect`; the sizes of the jumps are behavioural parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..domain.parameters import Parameters
from .world import World

if TYPE_CHECKING:
    from ..scenario.loader import Trigger


def apply_effect(world: World, p: Parameters, kind: str, t: float, m: float,
                 issue: str | None = None) -> None:
    """Move the world as trigger `kind` of magnitude `m` does at time `t`."""
    if kind == "missile_test":
        world.jump("threat", t, p.missile_threat_jump * m)
    elif kind == "nuclear_test":
        world.jump("threat", t, p.nuclear_threat_jump * m)
    elif kind == "scandal":
        # lost trust does not come back within an episode: today's approval and its standing level each
        # lose a share of their support above the loyal core, which a scandal does not reach
        world.erode_toward("approval", t, p.loyal_approval, 1.0 - (1.0 - p.scandal_approval_share) ** m)
        world.jump("mobilisation", t, p.scandal_mobilisation_jump * m)
        world.flags.add("scandal")  # a president in scandal for the rest of the episode (read by `diversion`)
    elif kind == "court_ruling":
        # an unsettled claim: Tokyo's grievance over it does not fade until a settlement
        # (a ruling for Korean plaintiffs is no act of Japan's: Korean opinion answers what Tokyo does about it)
        world.shift_baseline("grievance", t, p.ruling_grievance_jump * m)
    elif kind == "export_control":
        world.impose("export_controls", t, p.export_control_trade_jump * m)
        world.jump("anti_japan", t, p.trade_anti_japan_jump * m)
    elif kind == "whitelist_removal":
        world.impose("whitelist_removed", t, p.whitelist_trade_jump * m)
        world.jump("anti_japan", t, p.trade_anti_japan_jump * m)
    elif kind == "controls_lifted":
        world.lift("export_controls", t)
    elif kind == "whitelist_restored":
        world.lift("whitelist_removed", t)
    elif kind == "boycott":
        world.flags.add("boycott")
        world.jump("anti_japan", t, p.boycott_anti_japan_jump * m)
    elif kind == "protest":
        world.jump("mobilisation", t, p.protest_mobilisation_jump * m)
    elif kind == "us_pressure":
        world.jump("us_pressure", t, p.us_pressure_jump * m)
    elif kind == "talks":
        if issue == "trade":
            world.flags.add("trade_talks")
            world.jump("trade_dispute", t, -p.trade_talks_relief * m)
    elif kind == "election":
        world.reset("mobilisation", t)
    elif kind == "history_dispute":
        world.jump("anti_japan", t, p.history_anti_japan_jump * m)
        world.jump("grievance", t, p.history_grievance_jump * m)
    elif kind == "summit":
        world.jump("anti_japan", t, -p.summit_thaw * m)
        world.jump("grievance", t, -p.summit_thaw * m)
    elif kind == "settlement":
        # the claims settled: a share of the grievance's standing level goes for good
        world.shift_baseline("grievance", t, -min(1.0, p.settlement_share * m) * world.standing("grievance"))
        world.jump("anti_japan", t, -p.summit_thaw * m)
    elif kind == "counter_measure":
        world.jump("grievance", t, p.history_grievance_jump * m)
    elif kind == "alliance_doubt":
        world.jump("abandonment", t, p.abandonment_jump * m)
    # consultation: an occasion for the patron to decide, no effect on the world

    elif kind in ("claims_step", "asset_seizure", "counterpart_election", "hosted_summit"):
        # no effect on the world: the first two use up Tokyo's patience (the counterpart hears them), the
        # last two Tokyo reads from its calendar (the engine's `anticipated`)
        pass
    # poll, government_change (the engine's) and lifecycle events: no effect on the world


def sample_rate_times(trigger: Trigger, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """Firing times (days) of a `rate:` trigger in [lo, hi): a Poisson process."""
    span = hi - lo
    if span <= 0 or trigger.rate <= 0:
        return np.empty(0)
    n = rng.poisson(trigger.rate * span / 365.25)
    return np.sort(lo + rng.random(n) * span)
