"""World state: jumps, decay toward the baseline, ranges, change logs."""

import math

from diplosim.domain.variables import VARIABLES
from diplosim.model.world import World, clip, decayed, trajectory, value_at

HALF = {name: 10.0 for name in VARIABLES}


def test_decay_halves_the_gap_every_half_life():
    assert decayed(1.0, 0.0, 10.0, 10.0) == 0.5
    assert math.isclose(decayed(0.8, 0.2, 20.0, 10.0), 0.2 + 0.6 / 4)
    assert decayed(0.7, 0.2, 0.0, 10.0) == 0.7


def test_jump_then_fades_back_to_baseline():
    w = World({"threat": 0.2}, HALF)
    w.jump("threat", 5.0, 0.4)
    assert math.isclose(w.get("threat", 5.0), 0.6)
    assert math.isclose(w.get("threat", 15.0), 0.4)
    assert w.get("threat", 500.0) < 0.2001


def test_values_never_leave_their_range():
    w = World({"approval": 10.0, "threat": 0.9}, HALF)
    w.jump("approval", 1.0, -50.0)
    w.jump("threat", 1.0, 5.0)
    assert w.get("approval", 1.0) == 0.0
    assert w.get("threat", 1.0) == 1.0
    w.shift_baseline("threat", 2.0, 3.0)
    assert w.get("threat", 100.0) == 1.0


def test_baseline_shift_persists():
    w = World({"trade_dispute": 0.0}, HALF)
    w.shift_baseline("trade_dispute", 0.0, 0.5)
    assert math.isclose(w.get("trade_dispute", 1000.0), 0.5)


def test_frozen_variables_do_not_move():
    w = World({"approval": 40.0}, HALF, frozen=("approval",))
    w.jump("approval", 1.0, -20.0)
    assert w.get("approval", 1.0) == 40.0


def test_change_log_reconstructs_values():
    w = World({"threat": 0.3}, HALF)
    w.jump("threat", 10.0, 0.5)
    w.jump("threat", 20.0, 0.1)
    for t in (0.0, 5.0, 10.0, 12.0, 20.0, 35.0):
        assert math.isclose(value_at(w.changes, "threat", t, 10.0), w.get("threat", t)) or t < 20.0
    ts = [0.0, 10.0, 25.0, 40.0]
    traj = trajectory(w.changes, "threat", ts, 10.0)
    assert math.isclose(traj[-1], w.get("threat", 40.0))
    assert traj[0] == 0.3


def test_clip():
    assert clip(2.0, 0.0, 1.0) == 1.0 and clip(-1.0, 0.0, 1.0) == 0.0 and clip(0.5, 0.0, 1.0) == 0.5
