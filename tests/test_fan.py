"""The fan-chart reducer: quantiles from streaming histograms, merging, and the ensemble it rides on."""

import numpy as np
import pytest

from diplosim import compile_scenario, load_scenario, run_ensemble
from diplosim.domain.variables import STATE_NAMES, VARIABLES
from diplosim.model.world import trajectory
from diplosim.run.ensemble import run_one
from diplosim.run.fan import FAN_QUANTILES, FanReducer, fan_grid, run_with_fan
from tests.conftest import scenario_dict

HALF_LIVES = {name: 30.0 for name in STATE_NAMES}


def _sample(n: int, seed: int) -> np.ndarray:
    """n replications x variables x 4 grid points, each variable inside its range."""
    rng = np.random.default_rng(seed)
    lo = np.array([VARIABLES[v].lower for v in STATE_NAMES])[None, :, None]
    hi = np.array([VARIABLES[v].upper for v in STATE_NAMES])[None, :, None]
    share = np.clip(rng.normal(0.45, 0.15, (n, len(STATE_NAMES), 4)), 0.0, 1.0)
    share[:, :, 3] = 0.3  # one grid point where nothing ever moves
    return lo + share * (hi - lo)


def test_quantiles_match_numpy_within_one_bin_width():
    # 1000 values per cell: neighbouring order statistics near the 5% to 95%
    # quantiles lie far closer together than one bin (1/200 of the range), so
    # the histogram estimate must be within one bin width of numpy's.
    values = _sample(1000, seed=3)
    fan = FanReducer([0.0, 1.0, 2.0, 3.0], HALF_LIVES)
    for v in values:
        fan.add_values(v)
    width = fan.bin_width[:, None]
    for q in FAN_QUANTILES:
        assert np.all(np.abs(fan.quantile(q) - np.quantile(values, q, axis=0)) <= width), q


def test_a_variable_that_never_moves_has_its_exact_value_as_every_quantile():
    values = _sample(50, seed=4)
    fan = FanReducer([0.0, 1.0, 2.0, 3.0], HALF_LIVES)
    for v in values:
        fan.add_values(v)
    for q in FAN_QUANTILES:
        assert np.allclose(fan.quantile(q)[:, 3], values[0, :, 3])


def test_merging_two_halves_equals_one_reducer_over_all():
    values = _sample(300, seed=5)
    whole, first, second = (FanReducer([0.0, 1.0, 2.0, 3.0], HALF_LIVES) for _ in range(3))
    for i, v in enumerate(values):
        whole.add_values(v)
        (first if i % 2 else second).add_values(v)
    merged = first.merge(second)
    assert merged.runs == whole.runs == 300
    assert np.array_equal(merged.counts, whole.counts)
    for q in FAN_QUANTILES:
        assert np.array_equal(merged.quantile(q), whole.quantile(q))


def test_merging_reducers_on_different_grids_is_refused():
    with pytest.raises(ValueError, match="different grids"):
        FanReducer([0.0, 1.0], HALF_LIVES).merge(FanReducer([0.0, 2.0], HALF_LIVES))


def test_a_replication_without_its_change_log_is_refused(write_scenario):
    model = compile_scenario(load_scenario(write_scenario(scenario_dict())))
    result = run_ensemble(model, 1, 0).results[0]
    with pytest.raises(ValueError, match="record_changes"):
        FanReducer.for_model(model).add(result)


def test_fan_grid_covers_the_window_in_whole_days():
    assert fan_grid(10) == [float(d) for d in range(10)]
    grid = fan_grid(3 * 365)
    assert grid[0] == 0.0 and grid[-1] == 3 * 365 - 1
    assert len(grid) <= 241 and all(b > a for a, b in zip(grid, grid[1:], strict=False))


def test_run_with_fan_gives_the_same_results_and_keeps_no_trajectories(write_scenario):
    sc = load_scenario(write_scenario(scenario_dict(triggers=[
        {"id": "m", "kind": "missile_test", "rate": 12},
        {"id": "c", "kind": "court_ruling", "at": "2017-03-01", "source": "test"},
    ])))
    model = compile_scenario(sc)
    plain = run_ensemble(model, 60, 7)
    ens, fan = run_with_fan(model, 60, 7)
    assert ens.summary() == plain.summary()
    assert all(r.changes is None for r in ens.results)
    assert fan.runs == 60
    data = fan.to_dict(model)
    assert data["dates"][0] == "2017-01-01" and data["dates"][-1] == "2017-12-31"
    assert data["order"] == list(STATE_NAMES)
    grievance = data["variables"]["grievance"]["quantiles"]
    # The court ruling on 1 March raises Tokyo's grievance in every replication.
    march = next(i for i, d in enumerate(data["dates"]) if d >= "2017-03-01")
    assert grievance["50"][march] > grievance["50"][march - 1]
    for name in STATE_NAMES:
        q = data["variables"][name]["quantiles"]
        assert all(a <= b <= c <= d <= e for a, b, c, d, e in zip(q["5"], q["25"], q["50"], q["75"], q["95"],
                                                                  strict=True))


def test_grid_values_are_the_world_trajectories(write_scenario):
    sc = load_scenario(write_scenario(scenario_dict(triggers=[
        {"id": "m", "kind": "missile_test", "rate": 20},
        {"id": "e", "kind": "export_control", "at": "2017-05-01", "source": "test"},
    ])))
    model = compile_scenario(sc)
    fan = FanReducer.for_model(model)
    for i in range(5):
        changes = run_one(model, 3, i, record_changes=True).changes
        expected = [trajectory(changes, name, list(fan.grid), model.half_lives[name]) for name in STATE_NAMES]
        assert np.allclose(fan.grid_values(changes), expected, rtol=0, atol=1e-12)


def test_fan_for_is_the_same_with_two_workers(write_scenario):
    # the histograms of replications 0..N-1 must not depend on how they are split
    from diplosim import compile_scenario, load_scenario
    from diplosim.run.fan import fan_for
    from tests.conftest import scenario_dict

    sc = load_scenario(write_scenario(scenario_dict(triggers=[{"id": "m", "kind": "missile_test", "rate": 12}])))
    model = compile_scenario(sc)
    serial = fan_for(model, 3, 240, workers=1)
    split = fan_for(model, 3, 240, workers=2)
    assert serial.runs == split.runs == 240
    assert (serial.counts == split.counts).all()
