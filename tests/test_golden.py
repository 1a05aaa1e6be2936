"""Golden values: every shipped scenario's summary is byte-identical to the stored one.

A change meant to keep results (a move, a refactor, speed work) must pass this
unchanged. A change that alters results on purpose regenerates the files with
`python -m tests.golden` in the same commit and says why in its message.
"""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN_DIR, golden_name, shipped_scenarios, summary_json


def test_every_shipped_scenario_has_a_golden_file() -> None:
    expected = {golden_name(s) for s in shipped_scenarios()}
    stored = {p.name for p in GOLDEN_DIR.glob("*.json")}
    assert expected == stored, "regenerate with `python -m tests.golden`"


@pytest.mark.parametrize("scenario", shipped_scenarios(), ids=lambda s: s.stem)
def test_summary_matches_golden(scenario) -> None:
    stored = (GOLDEN_DIR / golden_name(scenario)).read_text(encoding="utf-8")
    assert summary_json(scenario) == stored
