"""The shipped scenarios as a catalogue: each one's short name, group, file and one-line description.

Each file is read by the loader, so the catalogue shows what a run would see (a
counterfactual's episode comes from its ``extends``), and a file that does not
load is listed with its error rather than left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from .loader import Scenario, load_scenario
from .shipped import ShippedScenario, shipped_scenarios

GROUP_TITLES = {
    "history": "History episodes (facts and the record)",
    "counterfactuals": "Counterfactuals (one change to an episode)",
    "examples": "Examples",
}
"""How the catalogue heads each group of `shipped.EPISODE_GROUPS`."""


def first_sentence(text: str) -> str:
    """The first sentence of `text`, on one line."""
    flat = " ".join(text.split())
    match = re.search(r"(?<=[.?!])\s", flat)
    return flat[:match.start()] if match else flat


def summary_line(sc: Scenario) -> str:
    """A scenario in one line: a counterfactual's question, else its title and first sentence."""
    if sc.question:
        return " ".join(sc.question.split())
    sentence = first_sentence(sc.description)
    return f"{sc.name}: {sentence}" if sentence else sc.name


def _entry(item: ShippedScenario) -> dict[str, Any]:
    row: dict[str, Any] = {"name": item.name, "group": item.group, "path": str(item.path)}
    try:
        sc = load_scenario(item.path)
    except ScenarioError as exc:
        return {**row, "title": None, "summary": None, "extends": None, "error": exc.format()}
    base = Path(sc.files[1]).stem if len(sc.files) > 1 else None
    return {**row, "title": sc.name, "summary": summary_line(sc), "extends": base, "error": None}


def catalogue() -> list[dict[str, Any]]:
    """Every shipped episode, counterfactual and example, by group then name: its short name
    (what `run` accepts), group, file, title, one-line summary, the episode it extends, and the
    error that stops it loading (None when it loads)."""
    return [_entry(item) for item in shipped_scenarios()]
