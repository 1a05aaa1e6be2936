"""docs/api.md is executed: its worked example runs as written and its assertions hold."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
API_DOC = REPO / "docs" / "api.md"


def code_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.slow
def test_the_api_guide_runs_as_written(capsys):
    blocks = code_blocks()
    assert len(blocks) == 3
    here = os.getcwd()
    os.chdir(REPO)  # the guide's paths are relative to a clone
    try:
        namespace: dict[str, object] = {}
        for block in blocks:
            exec(compile(block, str(API_DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    finally:
        os.chdir(here)
    assert "suspended" in capsys.readouterr().out


def test_to_frame_without_pandas_names_the_extra(monkeypatch):
    import builtins

    from diplosim.files import to_frame

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"diplosim\[frame\]"):
        to_frame([{"a": 1}])


# -- argument checks and workers -------------------------------------------------------------------

SCENARIO_2019 = REPO / "scenarios" / "history" / "gsomia-2019.yaml"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, r"seed must be from 0 to 9,223,372,036,854,775,807, found -1"),
    ({"seed": 2**63}, r"seed must be from 0"),
    ({"seed": 1.5}, r"seed must be a whole number"),
    ({"runs": 0}, r"runs must be from 1 to 10,000,000, found 0"),
    ({"runs": -5}, r"runs must be from 1"),
    ({"workers": 0}, r"workers must be at least 1"),
    ({"chunk": 0}, r"chunk must be at least 1"),
])
def test_run_ensemble_refuses_bad_arguments_before_running(kwargs, message):
    from diplosim import load_scenario, run_ensemble

    sc = load_scenario(SCENARIO_2019)
    with pytest.raises(ValueError, match=message):
        run_ensemble(sc, **{"runs": 5, **kwargs})


def test_the_api_and_the_command_line_share_one_seed_range():
    from diplosim.cli.common import MAX_SEED as CLI_MAX_SEED
    from diplosim.cli.common import seed_arg
    from diplosim.run.ensemble import MAX_SEED

    assert CLI_MAX_SEED == MAX_SEED == 2**63 - 1
    assert seed_arg(str(MAX_SEED)) == MAX_SEED


def test_run_ensemble_gives_the_same_results_for_any_number_of_workers():
    from diplosim import load_scenario, run_ensemble

    sc = load_scenario(SCENARIO_2019)
    one = run_ensemble(sc, runs=60, seed=11)
    two = run_ensemble(sc, runs=60, seed=11, workers=2, chunk=7)  # uneven chunks over two processes
    assert one.rows() == two.rows() and one.summary() == two.summary()
    assert run_ensemble(sc, runs=60, seed=12).rows() != one.rows()  # the seed does matter


def test_compare_and_sweep_check_their_arguments():
    from diplosim import compare, sweep

    with pytest.raises(ValueError, match="seed must be from 0"):
        compare(str(SCENARIO_2019), runs=5, seed=-1, workers=1)
    with pytest.raises(ValueError, match="runs must be from 1"):
        sweep(str(SCENARIO_2019), {"params.threat_weight": (0, 1, 2)}, runs=0, workers=1)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        sweep(str(SCENARIO_2019), {"params.threat_weight": (0, 1, 2)}, runs=5, workers=0)


def test_sweep_and_compare_take_a_loaded_scenario_as_they_take_its_file():
    from diplosim import compare, load_scenario, sweep

    sc = load_scenario(SCENARIO_2019)
    grid = {"params.threat_weight": (0, 6, 2)}
    by_path = sweep(str(SCENARIO_2019), grid, runs=20, seed=2, workers=1, set={"params.patron_weight": 3})
    by_object = sweep(sc, grid, runs=20, seed=2, workers=1, set={"params.patron_weight": 3})
    assert by_object.rows() == by_path.rows() and by_object.summary()["points"] == by_path.summary()["points"]
    compared = compare(SCENARIO_2019, sc, runs=20, seed=2, workers=1, set={"params.patron_weight": 3})
    assert compared.summary()["scenarios"][1]["difference"]["changed"] == 0  # the same scenario, set the same way
    with pytest.raises(ValueError, match="only params.NAME"):
        sweep(sc, {"triggers.export-controls.at": (0, 1, 2)}, runs=5, workers=1)
    from diplosim import ScenarioError

    with pytest.raises(ScenarioError, match=r"expected a value in \["):
        sweep(sc, {"params.threat_weight": (-50, -40, 2)}, runs=5, workers=1)
