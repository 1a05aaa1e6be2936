"""The one experiment loop: an evaluator opened once and reused, designs over any number of paths,
and a saved experiment that reruns to the identical result."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diplosim import compile_scenario, load_scenario
from diplosim.cli.main import main
from diplosim.errors import ScenarioError
from diplosim.explore.experiment import run_points
from diplosim.explore.sweep import Axis, design_points, parse_axis
from diplosim.run.evaluator import Evaluator
from diplosim.run.parallel import pack
from tests.conftest import scenario_dict

BUSY = scenario_dict(triggers=[
    {"id": "tests", "kind": "missile_test", "rate": 12},
    {"id": "ruling", "kind": "court_ruling", "at": "2017-03-01", "source": "test"},
])


@pytest.fixture
def models(write_scenario):
    path = write_scenario(BUSY)
    return [compile_scenario(load_scenario(path, {"params.threat_weight": str(w)})) for w in (0.5, 3.0, 5.5)]


def _packed(results):
    return [pack(r) for r in results]


def test_serial_and_pool_give_identical_points_and_the_pool_is_opened_once(models):
    with Evaluator(workers=1) as serial:
        expected = [_packed(rs) for rs in run_points(models, 80, 4, serial)]
    with Evaluator(workers=2, serial_below=1) as pooled:
        got = [_packed(rs) for rs in run_points(models, 80, 4, pooled)]
        assert pooled.pools_opened == 1 and pooled.points == 3  # one pool for every point
    assert got == expected


def test_small_points_run_here_without_a_pool(models):
    with Evaluator(workers=2, serial_below=100) as evaluate:
        evaluate(models[0], 20, 1)
        assert evaluate.pools_opened == 0


def test_the_cli_runs_an_experiment_with_one_evaluator(write_scenario, tmp_path, monkeypatch):
    opened: list[Evaluator] = []
    real_enter = Evaluator.__enter__

    def spy(self):
        opened.append(self)
        return real_enter(self)

    monkeypatch.setattr(Evaluator, "__enter__", spy)
    path = str(write_scenario(BUSY))
    assert main(["sweep", path, "--param", "params.threat_weight=0:6:4", "--runs", "10", "--workers", "1",
                 "--out", str(tmp_path / "s")]) == 0
    assert len(opened) == 1 and opened[0].points == 4


def test_designs_fill_their_ranges_reproducibly():
    axes = [parse_axis("params.a=0:1", "lhs"), parse_axis("params.b=10:20", "lhs"), parse_axis("params.c=-1:1", "lhs")]
    lhs = design_points("lhs", axes, 16, seed=3)
    assert len(lhs) == 16 and lhs == design_points("lhs", axes, 16, seed=3)
    assert lhs != design_points("lhs", axes, 16, seed=4)
    a = np.array([p["params.a"] for p in lhs])
    assert (a >= 0).all() and (a <= 1).all()
    assert sorted(np.floor(a * 16).astype(int)) == list(range(16))  # one point per stratum: a Latin hypercube
    sobol = design_points("sobol", axes, 8, seed=3)
    assert len(sobol) == 8 and all(10 <= p["params.b"] <= 20 for p in sobol)
    with pytest.raises(ScenarioError, match="power of two"):
        design_points("sobol", axes, 6, seed=3)
    grid = design_points("factorial", [Axis("x", (0.0, 1.0), 0, 1), Axis("y", (5.0, 6.0, 7.0), 5, 7)], None, 0)
    assert len(grid) == 6 and {"x": 1.0, "y": 7.0} in grid


def test_a_saved_sweep_of_three_paths_reruns_to_the_identical_result(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    out = tmp_path / "lhs"
    assert main(["sweep", path, "--param", "params.threat_weight=0:6", "--param", "params.linkage_weight=0:12",
                 "--param", "params.retaliation_weight=0:10", "--design", "lhs", "--samples", "5", "--runs", "15",
                 "--workers", "1", "--out", str(out)]) == 0
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["design"] == "lhs" and len(saved["points"]) == 5 and len(saved["axes"]) == 3
    capsys.readouterr()
    assert main(["rerun", str(out / "sweep.json"), "--workers", "2"]) == 0
    assert "all 5 points identical" in capsys.readouterr().out
    saved["points"][2]["outcomes"][saved["outcomes"][0]]["count"] += 1  # a tampered result is caught
    (tmp_path / "tampered.json").write_text(json.dumps(saved))
    assert main(["rerun", str(tmp_path / "tampered.json"), "--workers", "1"]) == 1
    assert main(["rerun", str(tmp_path / "nothing.json")]) == 2
    assert main(["sweep", path, "--param", "params.threat_weight=0:6", "--design", "lhs", "--samples", "3",
                 "--plot", "--out", str(tmp_path / "x")]) == 2  # plots are for factorial sweeps
