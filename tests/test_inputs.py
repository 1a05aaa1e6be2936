"""The shipped scenario files' inputs: consistent where they overlap, sourced, and honest about the actors.

Rules checked here (docs/scenario-format.md, "Consistent, sourced inputs"):

- Two history files whose windows overlap hold the same facts for the days they share: the same
  events (kind, date, magnitude, what they observe or change, source). An actor's move is compared
  like a fact when both files list it; a file may leave out a move another file *gives* (a declared
  assumption is each file's own choice), never a fact.
- Every event that is one of the five actors' moves is a given move (a declared assumption), so a
  free run, which drops the given moves, receives no actor's move as a fact.
- Every starting value has a source or a stated assumption: each value under ``initial`` and the
  opposition's starting seat share; in a history file every state variable, written or left at its
  default, is accounted for.
- A legislative election inside a history file's window says the opposition's seat share after it,
  so a file cannot carry a later parliament's share back to its first day.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from diplosim import load_scenario
from diplosim.domain.roles import ROLES
from diplosim.domain.variables import VARIABLES
from diplosim.scenario.loader import Scenario, Trigger
from diplosim.scenario.variants import without_given
from tests.conftest import REPO, scenario_dict

HISTORY = sorted((REPO / "scenarios" / "history").glob("*.yaml"))
SHIPPED = sorted(p for sub in ("history", "counterfactuals", "examples")
                 for p in (REPO / "scenarios" / sub).glob("*.yaml"))


def _load(path: Path) -> Scenario:
    return load_scenario(path)


def fact_key(tr: Trigger) -> tuple[Any, ...]:
    """What a dated event says, for comparing two files: not its id, note or place in the file."""
    return (tr.kind, tr.at, repr(tr.magnitude), tr.issue, tr.by, tr.given,
            tuple(sorted(tr.observed.items())), tuple(sorted((k, str(v)) for k, v in tr.change.items())),
            tr.source)


def shared_period(a: Scenario, b: Scenario) -> tuple[date, date] | None:
    """The days two windows share, or None."""
    lo, hi = max(a.start, b.start), min(a.end, b.end)
    return (lo, hi) if lo <= hi else None


def disagreements(a: Scenario, b: Scenario) -> list[str]:
    """How two overlapping files differ on the facts of the days they share (empty: they agree)."""
    period = shared_period(a, b)
    if period is None:
        return []
    lo, hi = period

    def dated(sc: Scenario) -> dict[tuple[Any, ...], Trigger]:
        return {fact_key(tr): tr for tr in sc.triggers if tr.at is not None and lo <= tr.at <= hi}

    in_a, in_b = dated(a), dated(b)
    out = []
    for mine, theirs, name, other in ((in_a, in_b, a.path, b.path), (in_b, in_a, b.path, a.path)):
        for key, tr in mine.items():
            if key in theirs:
                continue
            if tr.given and not any(t.kind == tr.kind and t.at == tr.at for t in theirs.values()):
                continue  # a move one file declares; the other leaves it to the actor
            out.append(f"{Path(name).name}: {tr.id} ({tr.kind}, {tr.at}) is not in {Path(other).name} as written")
    return out


def test_history_files_that_overlap_agree_on_the_facts_they_share():
    scenarios = [_load(p) for p in HISTORY]
    pairs = [(a, b) for a, b in itertools.combinations(scenarios, 2) if shared_period(a, b)]
    assert pairs, "no two history files overlap: this test would check nothing"
    problems = [line for a, b in pairs for line in disagreements(a, b)]
    assert not problems, "\n".join(problems)


def test_the_overlap_check_catches_a_missing_fact_a_changed_source_and_a_changed_magnitude(write_scenario):
    base: dict[str, Any] = {"triggers": [
        {"id": "r", "kind": "court_ruling", "at": "2017-03-01", "source": "paper A"},
        {"id": "h", "kind": "history_dispute", "at": "2017-04-01", "source": "paper B"},
    ]}
    a = load_scenario(write_scenario(scenario_dict(**base)))
    assert disagreements(a, a) == []
    without = scenario_dict(triggers=base["triggers"][:1])
    assert any("h (history_dispute" in x for x in disagreements(a, load_scenario(write_scenario(without))))
    moved = scenario_dict(triggers=[base["triggers"][0], {**base["triggers"][1], "source": "paper C"}])
    assert disagreements(a, load_scenario(write_scenario(moved)))
    bigger = scenario_dict(triggers=[{**base["triggers"][0], "magnitude": 2}, base["triggers"][1]])
    assert disagreements(a, load_scenario(write_scenario(bigger)))
    # a given move one file declares and the other leaves to the actor is no disagreement
    move = {"id": "m", "kind": "us_pressure", "by": "patron", "given": True, "at": "2017-05-01", "source": "s"}
    declared = scenario_dict(triggers=[*base["triggers"], move])
    assert disagreements(a, load_scenario(write_scenario(declared))) == []
    # but a fact left out, next to it, is
    assert disagreements(load_scenario(write_scenario(declared)), load_scenario(write_scenario(without)))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_actors_move_is_given_and_free_runs_receive_none(path):
    sc = _load(path)
    moves = [tr for tr in sc.triggers if tr.by is not None]
    assert all(tr.by in ROLES and tr.given for tr in moves), [tr.id for tr in moves if not tr.given]
    free = without_given(sc)
    assert [tr.id for tr in free.triggers if tr.by is not None] == []


def test_seouls_own_acts_are_the_executives_given_moves():
    # Seoul's acts that used to stand as world events: the executive's declared moves, absent in free runs
    acts = {"gsomia-2012": ["dokdo-visit"], "gsomia-2017": ["taskforce-report"],
            "gsomia-2018": ["fleet-review-flag", "foundation-dissolved"],
            "gsomia-2019": ["fleet-review-flag", "foundation-dissolved"]}
    for stem, ids in acts.items():
        sc = _load(REPO / "scenarios" / "history" / f"{stem}.yaml")
        by_id = {tr.id: tr for tr in sc.triggers}
        for i in ids:
            assert by_id[i].by == "executive" and by_id[i].given, (stem, i)
        assert not set(ids) & {tr.id for tr in without_given(sc).triggers}, stem


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_starting_value_has_a_source_or_a_stated_assumption(path):
    sc = _load(path)
    accounted = set(sc.initial_sources) | set(sc.initial_assumptions)
    assert set(sc.initial) <= accounted, f"no source or assumption for {sorted(set(sc.initial) - accounted)}"
    opposition = sc.actors["opposition"].facts
    if "seat_share" in opposition:
        assert opposition.get("source") or opposition.get("assumption"), "opposition.seat_share unsourced"
    if path.parent.name == "history":  # a history file accounts for every variable, defaults included
        assert accounted == set(VARIABLES), f"unaccounted: {sorted(set(VARIABLES) - accounted)}"
        assert opposition.get("source"), "a history file sources the opposition's seats"


@pytest.mark.parametrize("path", HISTORY, ids=lambda p: p.stem)
def test_a_legislative_election_in_the_window_gives_the_new_seat_share(path):
    # `office` is for the reader (the loader keeps no copy), so it is read from the file itself
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    legislative = [t for t in raw["triggers"] if t.get("kind") == "election" and t.get("office") == "legislative"]
    for item in legislative:
        assert "seat_share" in item, f"{item['id']} does not say the opposition's seat share after it"


def test_2016_starts_with_the_19th_assembly_and_changes_on_election_day():
    sc = _load(REPO / "scenarios" / "history" / "gsomia-2016.yaml")
    assert sc.actors["opposition"].facts["seat_share"] == pytest.approx(140 / 300, abs=1e-3)
    (election,) = [tr for tr in sc.triggers if tr.kind == "election"]
    assert election.at == date(2016, 4, 13)
    assert election.change["seat_share"] == pytest.approx(167 / 300, abs=1e-3)
