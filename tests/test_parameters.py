"""The behavioural parameters are declared once (sim/domain/parameters.py) and files hold values only."""

from __future__ import annotations

import ast
import dataclasses
import math
from datetime import date
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
    at = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "threat_wieght" in text)
    assert at > len(PARAMETERS) and f"params.yaml:{at}:" in line  # the misspelt key, moved last by the edit


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


def _notice_days_before_deadline(sc_path: Path, deadline_reviews: float, runs: int) -> list[float]:
    """Days between Seoul's notice and the 25 Aug 2017 deadline, in the runs where it gave notice by then
    (a later notice is for the next year's expiry)."""
    model = compile_scenario(load_scenario(sc_path, {"params.deadline_reviews": str(deadline_reviews)}))
    root = np.random.SeedSequence(3)
    out = []
    for i, child in enumerate(root.spawn(runs)):
        result = run_replication(model, np.random.default_rng(child), i)
        before = model.scenario.t(date(2017, 8, 25)) - result.stage_t.get("notice_given", math.inf)
        if before >= 0:
            out.append(before)
    return out


def test_a_deadlines_pull_makes_an_actor_act_before_its_deadline(write_scenario):
    # Export controls in early June: giving notice is worth a little, waiting a lot while the
    # 25 Aug deadline is far, so Seoul acts only if it reviews the decision close to the
    # deadline. With no pull from the deadline (deadline_reviews 0) it reviews at a constant rate
    # and often misses that last stretch; with ten extra reviews expected over the run-up it takes
    # the decision up ever more often as the deadline nears. 200 replications under one seed, every
    # other parameter drawn from the shipped posterior and the priors: 91 notices against 183
    # (binomial standard errors about 7 and 4, so about 8 for the gap); the asserted gap of 30 is
    # over three standard errors and fails if the pull did nothing. (Under attention_gain, a pull
    # proportional to the cadence, the counts were 110 and 160 at a gain of 20.)
    doc = scenario_dict(triggers=[
        {"id": "controls", "kind": "export_control", "at": "2017-06-01", "source": "test"},
    ], params={"file": str(PARAMS), "override": {"linkage_weight": 4, "export_control_trade_jump": 1,
                                                  "option_value": 5}})
    path = write_scenario(doc)
    flat, keen = _notice_days_before_deadline(path, 0.0, 200), _notice_days_before_deadline(path, 10.0, 200)
    assert len(keen) > len(flat) + 30, (len(keen), len(flat))


def test_a_parameter_file_in_the_old_format_is_refused_with_how_to_convert_it(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("parameters:\n  threat_weight:\n    value: 2.0\n    lower: 0\n    upper: 6\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"old format .* e\.g\. 'threat_weight: 2\.0'"):
        load_parameters(path)
