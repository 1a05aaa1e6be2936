"""Fuzzing the loader: any document gives a valid Scenario or our own ScenarioError.

Documents start from a valid scenario and are mutated (keys dropped, renamed
or added, values replaced by values of other types, raw text edited byte by
byte). No outcome other than a `Scenario` or a `ScenarioError` is allowed: a
`TypeError`, `KeyError`, `RecursionError`... from the loader is a bug.

The number of examples is small by default so the suite stays fast; set
DIPLOSIM_FUZZ_EXAMPLES for a long run (see docs/testing.md).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosim import ScenarioError, load_scenario
from diplosim.scenario.loader import Scenario
from tests.conftest import scenario_dict

pytestmark = pytest.mark.slow  # each test here takes seconds: see pyproject.toml's markers

EXAMPLES = int(os.environ.get("DIPLOSIM_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="DIPLOSIM_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SEED_TRIGGERS = [
    {"id": "m1", "kind": "missile_test", "at": "2017-03-01", "source": "news", "magnitude": 1.2},
    {"id": "r1", "kind": "scandal", "rate": 2.0, "between": ["2017-02-01", "2017-10-01"]},
    {"id": "a1", "kind": "protest", "after": "scandal", "probability": 0.5,
     "delay_days": {"dist": "exponential", "mean": 5}},
    {"id": "p1", "kind": "poll", "at": "2017-06-01", "approval": 40, "source": "Gallup"},
    {"id": "t1", "kind": "talks", "at": "2017-04-01", "issue": "trade", "source": "news"},
]


def seed_document() -> dict[str, Any]:
    """A valid scenario that touches most of the format."""
    doc = scenario_dict(triggers=copy.deepcopy(SEED_TRIGGERS))
    doc["mechanisms"] = {"rally": False}
    doc["params"]["override"] = {"threat_weight": 1.5}
    doc["record"] = {"outcome": "renewed", "dates": {"in_force": "2017-01-01"}}
    doc["actors"]["executive"]["next_election"] = "2017-05-09"
    return doc


KEYS = st.sampled_from(["id", "kind", "at", "rate", "after", "remove", "extends", "dist", "mean", "state",
                        "since", "name", "triggers", "actors", "override", "file", "probability", "x"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["2017-02-30", "2017-06-01", "2016-01-01", "2030-01-01", "missile_test", "in_force",
                     "exponential", "", "~", "..", "base.yaml", "/", "0.5", "-1"]),
    st.dates().map(str),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(KEYS, inner, max_size=3)),
                      max_leaves=8)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        paths = _paths(doc)[1:]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        op = data.draw(st.sampled_from(["replace", "delete", "rename", "add"]), label="op")
        if op == "replace":
            parent[last] = data.draw(VALUES, label="value")
        elif op == "delete":
            del parent[last]
        elif isinstance(parent, dict) and op == "rename":
            parent[data.draw(KEYS, label="new key")] = parent.pop(last)
        elif isinstance(parent, dict):
            parent[data.draw(KEYS, label="new key")] = data.draw(VALUES, label="value")
        else:
            parent.append(data.draw(VALUES, label="item"))
    return doc


def _load(path: Path, overrides: dict[str, str] | None = None) -> None:
    try:
        result = load_scenario(path, overrides)
    except ScenarioError as exc:
        line = exc.format()
        assert "\n" not in line, line
        assert line.startswith((str(path.parent), "--set")), line
        return
    assert isinstance(result, Scenario)


def test_the_seed_document_is_valid(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed_document()), encoding="utf-8")
    assert isinstance(load_scenario(path), Scenario)


@FUZZ
@given(data=st.data())
def test_mutated_documents_load_or_raise_scenario_error(tmp_path, data):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(_mutate(seed_document(), data), allow_unicode=True), encoding="utf-8")
    _load(path)


YAML_BITS = st.sampled_from([":", "-", " ", "\n", "[", "]", "{", "}", "&a", "*a", "!!", "!x", "|", ">", "'",
                             '"', "#", "%", "@", "`", ",", "?", "\t", "<<: *a", "\\", "\x00", "\ufeff", "é"])


@FUZZ
@given(data=st.data())
def test_raw_text_edits_load_or_raise_scenario_error(tmp_path, data):
    text = yaml.safe_dump(seed_document(), sort_keys=False)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        i = data.draw(st.integers(0, len(text)), label="at")
        j = data.draw(st.integers(i, min(len(text), i + 8)), label="to")
        text = text[:i] + data.draw(st.one_of(YAML_BITS, st.text(max_size=3)), label="insert") + text[j:]
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _load(path)


@FUZZ
@given(data=st.data())
def test_extends_with_mutated_child_load_or_raise_scenario_error(tmp_path, data):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(seed_document()), encoding="utf-8")
    child: dict[str, Any] = {"extends": "base.yaml", "name": "child",
                             "triggers": [{"remove": "m1"}, {"id": "r1", "kind": "scandal", "rate": 1.0}]}
    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump(_mutate(child, data)), encoding="utf-8")
    _load(path)


SET_PATHS = st.sampled_from(["params.threat_weight", "params.nope", "triggers.m1.at", "triggers.zz.at",
                             "actors.opposition.seat_share", "agreement.state", "name.x", "start", "x",
                             "triggers", "params.file", "actors", "a..b", "triggers.m1", "initial.approval"])


@FUZZ
@given(sets=st.dictionaries(SET_PATHS, st.one_of(st.text(max_size=10), st.sampled_from(
    ["1", "-1", "0.5", "[1, 2]", "{a: 1}", "!!python/object:os.system x", "2017-02-30", "*a", "~"])),
    max_size=3))
def test_set_overrides_load_or_raise_scenario_error(tmp_path, sets):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(seed_document()), encoding="utf-8")
    _load(path, sets)
