"""The behavioural parameters are declared once (sim/domain/parameters.py) and files hold values only."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from diplosim import compile_scenario, load_scenario
from diplosim.domain.parameters import PARAMETERS, Parameters
from diplosim.domain.variables import VARIABLES
from diplosim.errors import ScenarioError
from diplosim.model.engine import run_replication
from diplosim.scenario.params import load_parameters, parameter_set, parameters_to_yaml
from tests.conftest import MECHANISM_PARAMS, PARAMS, scenario_dict

MODEL = Path(__file__).resolve().parent.parent / "sim" / "model"


def parameter_reads() -> dict[str, list[str]]:
    """Every attribute read on a parameters object in sim/model (`p.X`, `ctx.p.X`, `self.p.X`), with where."""
    reads: dict[str, list[str]] = {}
    for path in MODEL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                owner = node.value
                if (isinstance(owner, ast.Name) and owner.id == "p") or \
                        (isinstance(owner, ast.Attribute) and owner.attr == "p"):
                    reads.setdefault(node.attr, []).append(f"{path.name}:{node.lineno}")
    return reads


def test_every_parameter_the_model_reads_is_declared():
    undeclared = {name: where for name, where in parameter_reads().items() if name not in PARAMETERS}
    assert not undeclared, f"read but never declared: {undeclared}"


def test_every_declared_parameter_is_read_by_the_model():
    read = set(parameter_reads()) | {spec.half_life_param for spec in VARIABLES.values()}
    unused = [name for name in PARAMETERS if name not in read]
    assert not unused, f"declared but never read by the model: {unused}"


def test_each_declaration_is_complete_and_its_bounds_ordered():
    for info in PARAMETERS.values():
        assert info.meaning and info.unit and info.mechanism, info
        assert info.lower < info.upper, info
    assert list(PARAMETERS) == [f.name for f in dataclasses.fields(Parameters)]


def test_the_shipped_files_give_every_parameter_a_value_within_its_bounds():
    for path in (PARAMS, MECHANISM_PARAMS):
        params = load_parameters(path)
        assert list(params.values) == list(PARAMETERS)
        assert all(spec.contains(spec.value) for spec in params.specs.values())


def test_a_parameter_file_round_trips_through_what_calibration_writes(tmp_path):
    params = load_parameters(PARAMS)
    out = tmp_path / "p.yaml"
    out.write_text(parameters_to_yaml(params, "a header line"), encoding="utf-8")
    assert load_parameters(out).values == params.values
    assert out.read_text().startswith("# a header line\n")


def _values_file(tmp_path: Path, change) -> Path:
    doc = yaml.safe_load(PARAMS.read_text())
    change(doc["parameters"])
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_an_unknown_name_in_a_parameter_file_is_refused_with_its_line_and_a_suggestion(tmp_path):
    def misspell(table):
        table["threat_wieght"] = table.pop("threat_weight")
    path = _values_file(tmp_path, misspell)
    with pytest.raises(ScenarioError) as err:
        load_parameters(path)
    line = err.value.format()
    assert "unknown parameter 'threat_wieght' (did you mean 'threat_weight'?)" in line
    assert f"params.yaml:{len(PARAMETERS) + 1}:" in line  # the misspelt key, moved last by the edit


def test_a_missing_name_is_named(tmp_path):
    path = _values_file(tmp_path, lambda table: table.pop("haste_cost"))
    with pytest.raises(ScenarioError, match="missing parameters: haste_cost"):
        load_parameters(path)


def test_a_value_outside_its_declared_bounds_is_refused(tmp_path):
    def too_high(table):
        table["consent_delay_days"] = PARAMETERS["consent_delay_days"].upper + 1
    with pytest.raises(ScenarioError, match=r"consent_delay_days: expected a value in \[1, 30\]"):
        load_parameters(_values_file(tmp_path, too_high))


def test_values_need_every_name():
    with pytest.raises(ScenarioError, match="missing parameters"):
        parameter_set({"threat_weight": 1.0})


def _trade_measures(sc_path: Path, threshold: float, runs: int) -> float:
    """Mean number of Tokyo's trade measures per replication with `tokyo_grievance_threshold` set."""
    model = compile_scenario(load_scenario(sc_path, {"params.tokyo_grievance_threshold": str(threshold)}))
    root = np.random.SeedSequence(3)
    total = 0
    for i, child in enumerate(root.spawn(runs)):
        result = run_replication(model, np.random.default_rng(child), i, record_log=True)
        total += sum(e.action.startswith("trade measures over the rulings? -> impose")
                     or e.action.startswith("trade measures over the rulings? -> remove") for e in result.log or [])
    return total / runs


def test_tokyo_grievance_threshold_is_a_real_parameter(write_scenario):
    # Rulings raise Tokyo's grievance; after each review Tokyo schedules another only
    # while grievance exceeds the threshold. At the top of its range (1.0) no review
    # follows a review; at the bottom (0.0) one always does, so Tokyo takes at least
    # as many measures. With 200 replications under one seed the means are 0.235 and
    # 0.03 (standard errors about 0.035 and 0.012); the assertion asks for half that
    # gap, about 3 standard errors, and would fail if the parameter did not act.
    doc = scenario_dict(triggers=[
        {"id": "r1", "kind": "court_ruling", "at": "2017-02-01", "source": "test"},
        {"id": "r2", "kind": "court_ruling", "at": "2017-03-01", "source": "test"},
    ], params={"file": str(PARAMS), "override": {"retaliation_weight": 8, "grievance_half_life_days": 365}})
    path = write_scenario(doc)
    never, always = _trade_measures(path, 1.0, 200), _trade_measures(path, 0.0, 200)
    assert always > never + 0.1, (always, never)


def test_a_parameter_file_in_the_old_format_is_refused_with_how_to_convert_it(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("parameters:\n  threat_weight:\n    value: 2.0\n    lower: 0\n    upper: 6\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"old format .* e\.g\. 'threat_weight: 2\.0'"):
        load_parameters(path)
