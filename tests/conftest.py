"""Shared fixtures: small scenario files written on the fly."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from diplosim.domain.kinds import MOVERS

REPO = Path(__file__).resolve().parent.parent
PARAMS = REPO / "scenarios" / "params" / "default.yaml"
MECHANISM_PARAMS = Path(__file__).resolve().parent / "data" / "params-mechanisms.yaml"
"""Hand-set values the mechanism tests use, so calibration cannot flip what they test."""

# Scenarios written to temporary folders name the test data's parameter file; a
# scenario may name files outside its own folder only where it is allowed to.
os.environ["DIPLOSIM_ALLOW"] = str(MECHANISM_PARAMS.parent)

BASE: dict[str, Any] = {
    "name": "test scenario",
    "description": "a small scenario for tests",
    "start": "2017-01-01",
    "end": "2017-12-31",
    "actors": {
        "executive": {"name": "Seoul"},
        "counterpart": {"name": "Tokyo"},
        "patron": {"name": "Washington"},
        "opposition": {"name": "Opposition", "seat_share": 0.4, "stance": "against"},
        "public": {"name": "Public"},
    },
    "agreement": {"name": "GSOMIA", "state": "in_force", "since": "2016-11-23"},
    "initial": {"approval": 50},
    "params": {"file": str(PARAMS)},
    "triggers": [],
}


MOVE_KINDS = frozenset({*MOVERS, "talks"})
"""Trigger kinds that are always an actor's move (domain/kinds.py)."""


def declared(triggers: list[Any]) -> list[Any]:
    """Test scenarios are conditional runs: the actors' moves in them are declared as given,
    as any scenario file must declare them (`given: true`)."""
    return [{**t, "given": True} if isinstance(t, dict) and t.get("kind") in MOVE_KINDS and "given" not in t
            else t for t in triggers]


def scenario_dict(**changes: Any) -> dict[str, Any]:
    """BASE with top-level keys replaced (moves among the triggers declared as given)."""
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    if isinstance(doc.get("triggers"), list):
        doc["triggers"] = declared(doc["triggers"])
    return doc


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario dict (or text) to a file and return its path."""
    counter = {"n": 0}

    def write(doc: dict[str, Any] | str, name: str | None = None) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"scenario{counter['n']}.yaml")
        if isinstance(doc, dict) and isinstance(doc.get("triggers"), list):
            doc = {**doc, "triggers": declared(doc["triggers"])}
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
