"""Scenario loading: validation, the error format, extends and --set."""

import re

import pytest
import yaml

from diplosim import ScenarioError, load_scenario
from diplosim.domain.lifecycle import Stage
from tests.conftest import scenario_dict

ERROR_LINE = re.compile(r"^\S+\.yaml:\d+:\d+: [\w.\[\]]+: .+$")


def test_a_valid_scenario_loads(write_scenario):
    sc = load_scenario(write_scenario(scenario_dict()))
    assert sc.agreement.state is Stage.IN_FORCE
    assert sc.actors["executive"].name == "Seoul"
    assert sc.params.values["threat_weight"] > 0
    assert len(sc.sha256) == 64


def test_errors_name_file_line_column_and_field(write_scenario):
    text = yaml.safe_dump(scenario_dict(), sort_keys=False).replace("state: in_force", "state: in_forse")
    path = write_scenario(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    line = exc.value.format()
    assert ERROR_LINE.match(line), line
    assert "agreement.state" in line and "did you mean 'in_force'" in line
    lineno = int(line.split(":")[1])
    assert "in_forse" in text.splitlines()[lineno - 1]


def test_misspelled_top_level_key_gets_a_suggestion(write_scenario):
    doc = scenario_dict()
    doc["trigers"] = doc.pop("triggers")
    with pytest.raises(ScenarioError, match="did you mean 'triggers'"):
        load_scenario(write_scenario(doc))


@pytest.mark.parametrize("trigger, message", [
    ({"id": "a", "kind": "missle_test", "at": "2017-03-01", "source": "x"}, "did you mean 'missile_test'"),
    ({"id": "a", "kind": "missile_test", "at": "2018-03-01", "source": "x"}, "outside the scenario window"),
    ({"id": "a", "kind": "missile_test", "at": "2017-03-01"}, "needs a 'source'"),
    ({"id": "a", "kind": "missile_test", "rate": -2}, "at least 0"),
    ({"id": "a", "kind": "protest", "after": "missile_test", "probability": 1.5}, "at most 1"),
    ({"id": "a", "kind": "protest", "after": "protest"}, "cannot react to its own kind"),
    ({"id": "a", "kind": "poll", "at": "2017-03-01", "source": "x"}, "needs 'approval'"),
    ({"id": "a", "kind": "missile_test", "at": "2017-03-01", "rate": 3, "source": "x"}, "exactly one"),
    ({"id": "a", "kind": "missile_test", "at": "2017-13-01", "source": "x"}, "expected a date"),
])
def test_trigger_errors(write_scenario, trigger, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write_scenario(scenario_dict(triggers=[trigger])))


def test_end_before_start_is_refused(write_scenario):
    with pytest.raises(ScenarioError, match="not after the start"):
        load_scenario(write_scenario(scenario_dict(end="2016-01-01")))


def test_parameter_override_outside_bounds_is_refused(write_scenario):
    doc = scenario_dict()
    doc["params"]["override"] = {"threat_weight": 99}
    with pytest.raises(ScenarioError, match=r"params.override.threat_weight: expected a value in \[0, 6\]"):
        load_scenario(write_scenario(doc))


def test_unknown_mechanism_is_refused(write_scenario):
    with pytest.raises(ScenarioError, match="did you mean 'rally'"):
        load_scenario(write_scenario(scenario_dict(mechanisms={"raly": False})))


def test_python_tags_are_refused(write_scenario):
    path = write_scenario("name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ScenarioError, match="not allowed"):
        load_scenario(path)


BASE_TRIGGERS = [
    {"id": "t1", "kind": "missile_test", "at": "2017-03-01", "source": "s"},
    {"id": "t2", "kind": "nuclear_test", "at": "2017-09-03", "source": "s"},
]


def test_extends_merges_key_by_key_and_triggers_by_id(write_scenario, tmp_path):
    write_scenario(scenario_dict(triggers=BASE_TRIGGERS), name="base.yaml")
    child = {
        "extends": "base.yaml",
        "name": "child",
        "actors": {"opposition": {"seat_share": 0.6}},
        "triggers": [
            {"remove": "t2"},
            {"id": "t1", "kind": "missile_test", "at": "2017-04-01", "source": "s2"},
            {"id": "t3", "kind": "scandal", "at": "2017-05-01", "source": "s3"},
        ],
    }
    sc = load_scenario(write_scenario(child, name="child.yaml"))
    assert sc.name == "child"
    assert sc.actors["opposition"].facts["seat_share"] == 0.6
    assert sc.actors["opposition"].name == "Opposition"  # kept from the base
    assert [(t.id, t.at.isoformat()) for t in sc.triggers] == [("t1", "2017-04-01"), ("t3", "2017-05-01")]
    assert len(sc.files) == 2


def test_extends_errors_point_to_the_right_file(write_scenario):
    base = scenario_dict()
    base["agreement"]["notice_days"] = -5
    write_scenario(base, name="base.yaml")
    path = write_scenario({"extends": "base.yaml", "name": "child"}, name="child.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert "base.yaml:" in exc.value.format() and "notice_days" in exc.value.format()


def test_extends_cycle_names_the_chain(write_scenario):
    write_scenario({"extends": "b.yaml", "name": "a"}, name="a.yaml")
    path = write_scenario({"extends": "a.yaml", "name": "b"}, name="b.yaml")
    with pytest.raises(ScenarioError, match=r"cycle: .*b.yaml -> .*a.yaml -> .*b.yaml"):
        load_scenario(path)


def test_extends_missing_base(write_scenario):
    with pytest.raises(ScenarioError, match="'nowhere.yaml' not found"):
        load_scenario(write_scenario({"extends": "nowhere.yaml", "name": "x"}))


def test_removing_an_unknown_trigger_is_refused(write_scenario):
    write_scenario(scenario_dict(triggers=BASE_TRIGGERS), name="base.yaml")
    path = write_scenario({"extends": "base.yaml", "triggers": [{"remove": "t9"}]})
    with pytest.raises(ScenarioError, match="no trigger with id 't9'"):
        load_scenario(path)


def test_set_overrides_values_and_is_validated(write_scenario):
    path = write_scenario(scenario_dict(triggers=BASE_TRIGGERS))
    sc = load_scenario(path, {"params.threat_weight": "2.5", "triggers.t1.at": "2017-06-01",
                              "actors.opposition.seat_share": "0.7"})
    assert sc.params.values["threat_weight"] == 2.5
    assert sc.triggers[0].at.isoformat() == "2017-06-01"
    assert sc.actors["opposition"].facts["seat_share"] == 0.7
    with pytest.raises(ScenarioError, match="unknown parameter 'threat_wieght'.*did you mean 'threat_weight'"):
        load_scenario(path, {"params.threat_wieght": "1"})
    with pytest.raises(ScenarioError, match="unknown key 'agrement'"):
        load_scenario(path, {"agrement.state": "no_talks"})
