"""The JSON Schema of scenario files: in step with the loader, the code's tables and the docs."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from diplosim import ScenarioError, load_scenario
from diplosim.domain.kinds import EVENT_KINDS, TRIGGER_KINDS
from diplosim.domain.lifecycle import Stage
from diplosim.domain.mechanisms import ALL_MECHANISMS
from diplosim.domain.variables import VARIABLES
from diplosim.scenario.loader import DIST_KINDS, INITIAL_PROVENANCE, OUTCOMES, RECORD_DATE_KEYS, TOP_KEYS, TRIGGER_KEYS
from diplosim.scenario.schema import SCHEMA_FILE, scenario_schema, schema_text
from tests.conftest import REPO, scenario_dict

SCHEMA = scenario_schema()
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
DOC = REPO / "docs" / "scenario-format.md"


def plain(value: Any) -> Any:
    """YAML data as JSON sees it: dates become ISO strings (what an editor's YAML 1.2 parser reads)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_errors(doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(plain(doc))]


def scenario_files() -> list[Path]:
    """Every scenario under scenarios/ (parameter files excluded), history files included when present."""
    root = REPO / "scenarios"
    return sorted(p for p in root.rglob("*.yaml") if (root / "params") not in p.parents)


def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_committed_schema_is_the_generated_one():
    committed = (REPO / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(), (
        f"{SCHEMA_FILE} is out of date; regenerate it with: python -m diplosim.scenario.schema > {SCHEMA_FILE}")


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_scenario_file_validates(path):
    assert schema_errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_scenario_files_are_found():
    assert REPO / "scenarios" / "examples" / "quiet-year.yaml" in scenario_files()
    assert not any("params" in p.parts for p in scenario_files())


# -- the schema's enums are the code's tables ----------------------------------------


def _defs(name: str) -> dict[str, Any]:
    return SCHEMA["$defs"][name]


def test_enums_equal_the_code_tables():
    trigger = _defs("trigger")["properties"]
    assert trigger["kind"]["enum"] == list(TRIGGER_KINDS)
    assert trigger["after"]["enum"] == list(EVENT_KINDS)
    assert _defs("agreement")["properties"]["state"]["enum"] == [s.value for s in Stage]
    assert set(_defs("mechanisms")["properties"]) == set(ALL_MECHANISMS)
    assert _defs("record")["properties"]["outcome"]["enum"] == list(OUTCOMES)
    assert list(_defs("record")["properties"]["dates"]["properties"]) == list(RECORD_DATE_KEYS)
    assert list(SCHEMA["properties"]) == list(TOP_KEYS)
    assert set(trigger) == TRIGGER_KEYS
    assert list(_defs("initial")["properties"]) == [*VARIABLES, *INITIAL_PROVENANCE]
    shapes = _defs("distribution")["anyOf"][1]["oneOf"]
    assert {s["properties"]["dist"]["const"]: s["required"][1:] for s in shapes} == {
        k: list(v) for k, v in DIST_KINDS.items()}


def test_every_property_has_a_description():
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                if key not in ("if", "then", "else", "not"):  # conditions restate described properties
                    walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(SCHEMA, "")
    assert missing == []


# -- the schema and the loader agree on examples ------------------------------------------


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """scenario_dict() with the dotted `path` set to `value` (None deletes the key)."""
    doc = copy.deepcopy(base or scenario_dict())
    *head, last = path.split(".")
    node = doc
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if value is None:
        del node[last]
    else:
        node[last] = value
    return doc


def _trig(**fields: Any) -> dict[str, Any]:
    return scenario_dict(triggers=[{"id": "t", **fields}])


INVALID = {
    "unknown top-level key": _with("agrement", {"state": "in_force"}),
    "missing role": _with("actors.public", None),
    "actor without name": _with("actors.public", {"note": "x"}),
    "fact of another role": _with("actors.patron.seat_share", 0.3),
    "stance not for/against": _with("actors.opposition.stance", "neutral"),
    "share above one": _with("actors.opposition.seat_share", 1.5),
    "unknown state": _with("agreement.state", "signed"),
    "since missing": _with("agreement.since", None),
    "fractional term": _with("agreement.term_years", 1.5),
    "fractional notice": _with("agreement.notice_days", 90.5),
    "unknown cabinet process": _with("agreement.cabinet_process", "hidden"),
    "unknown weekday": _with("agreement.cabinet_weekday", "caturday"),
    "date not a date": _with("start", "January 2017"),
    "two ways to fire": _trig(kind="missile_test", at="2017-03-01", rate=2, source="s"),
    "no way to fire": _trig(kind="missile_test"),
    "dated without source": _trig(kind="missile_test", at="2017-03-01"),
    "rate with probability": _trig(kind="missile_test", rate=2, probability=0.5),
    "after with between": _trig(kind="protest", after="scandal", between=["2017-02-01", "2017-03-01"]),
    "reacts to its own kind": _trig(kind="protest", after="protest"),
    "unknown kind": _trig(kind="earthquake", rate=1),
    "unknown event": _trig(kind="protest", after="earthquake"),
    "issue on a missile test": _trig(kind="missile_test", rate=1, issue="trade"),
    "unknown talks issue": _trig(kind="talks", rate=1, issue="fish"),
    "poll without figures": _trig(kind="poll", at="2017-03-01", source="s"),
    "poll by rate": _trig(kind="poll", rate=1, approval=40),
    "approval on a scandal": _trig(kind="scandal", at="2017-03-01", source="s", approval=40),
    "negative rate": _trig(kind="missile_test", rate=-1),
    "unknown distribution": _trig(kind="missile_test", rate=1, magnitude={"dist": "gamma", "mean": 1}),
    "distribution missing a parameter": _trig(kind="missile_test", rate=1, magnitude={"dist": "uniform", "low": 1}),
    "trigger without id": scenario_dict(triggers=[{"kind": "missile_test", "rate": 1}]),
    "remove without extends": scenario_dict(triggers=[{"remove": "t1"}]),
    "process switched off": _with("mechanisms", {"process": False}),
    "unknown mechanism": _with("mechanisms", {"rallying": False}),
    "mechanism not a boolean": _with("mechanisms", {"rally": "off"}),
    "unknown state variable": _with("initial.aproval", 40),
    "state variable out of range": _with("initial.approval", 150),
    "unknown params key": _with("params.overrides", {}),
    "unknown outcome": _with("record", {"outcome": "won"}),
    "unknown record date": _with("record", {"outcome": "renewed", "dates": {"signed": "2017-03-01"}}),
}


@pytest.mark.parametrize("doc", INVALID.values(), ids=INVALID.keys())
def test_invalid_documents_are_rejected_by_schema_and_loader(doc, write_scenario):
    assert schema_errors(doc), "the schema accepted it"
    with pytest.raises(ScenarioError):
        load_scenario(write_scenario(doc))


VALID = {
    "the base": scenario_dict(),
    "reaction with a delay": _trig(kind="protest", after="notice_given", probability=0.5,
                                   delay_days={"dist": "lognormal", "median": 5, "sigma": 0.5}),
    "random with a window": _trig(kind="missile_test", rate=12, between=["2017-02-01", "2017-06-30"],
                                  magnitude={"dist": "uniform", "low": 0.5, "high": 1.5}),
    "trade talks": _trig(kind="talks", at="2017-03-01", source="s", issue="trade"),
    "poll of support": _trig(kind="poll", at="2017-03-01", source="s", support=45, pollster="Gallup Korea"),
    "capitalised weekday": _with("agreement.cabinet_weekday", "Friday"),
    "numeric name": _with("name", 2017),
    "mechanism off": _with("mechanisms", {"rally": False, "issue_linkage": True}),
    "record": _with("record", {"outcome": "renewed", "dates": {"in_force": "2017-01-02"}}),
    "null triggers": scenario_dict(triggers=None),
}


@pytest.mark.parametrize("doc", VALID.values(), ids=VALID.keys())
def test_valid_documents_are_accepted_by_schema_and_loader(doc, write_scenario):
    assert schema_errors(doc) == []
    load_scenario(write_scenario(doc))


def test_a_child_with_extends_may_be_partial_and_remove_triggers(write_scenario):
    base = scenario_dict(triggers=[{"id": "t1", "kind": "missile_test", "rate": 2}], record={"outcome": "renewed"})
    write_scenario(base, name="base.yaml")
    child = {"extends": "base.yaml", "actors": {"opposition": {"seat_share": 0.6}},
             "agreement": {"notice_days": 60}, "record": {"note": "no outcome here"},
             "triggers": [{"remove": "t1"}]}
    assert schema_errors(child) == []
    assert load_scenario(write_scenario(child, name="child.yaml")).triggers == ()
    assert schema_errors({k: v for k, v in child.items() if k != "extends"})  # incomplete without a base


# -- the documentation's examples ---------------------------------------------------


def doc_yaml_blocks() -> list[tuple[int, str]]:
    """(line number, text) of every ```yaml block in docs/scenario-format.md."""
    text = DOC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in re.finditer(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M)]


def test_doc_yaml_blocks_parse_and_full_scenarios_are_named():
    blocks = doc_yaml_blocks()
    assert len(blocks) >= 5
    for line, text in blocks:
        data = yaml.safe_load(text)
        full = isinstance(data, dict) and ("extends" in data or {"start", "actors", "agreement"} <= set(data))
        named = text.startswith("# file: ")
        assert full == named, f"docs line {line}: a full scenario starts with '# file: NAME.yaml', a fragment not"


def test_doc_scenarios_load_and_validate(tmp_path):
    written: list[Path] = []
    for _line, text in doc_yaml_blocks():
        if text.startswith("# file: "):
            path = tmp_path / text.split("\n", 1)[0].removeprefix("# file: ").strip()
            path.write_text(text, encoding="utf-8")
            written.append(path)
    assert len(written) >= 2
    for path in written:  # in order: a base comes before the file that extends it
        load_scenario(path)
        assert schema_errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path.name


def test_doc_names_every_trigger_kind_outcome_and_top_key():
    text = DOC.read_text(encoding="utf-8")
    for name in [*TRIGGER_KINDS, *OUTCOMES, *TOP_KEYS, *ALL_MECHANISMS, *(s.value for s in Stage)]:
        assert f"`{name}`" in text, name


def test_schema_json_is_plain_json():
    assert json.loads(schema_text()) == SCHEMA
