"""What bench/tokyo_timing.py and bench/talks_timing.py share: free runs of one shipped episode, and the
named window a first move falls in. Not a script of its own."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from diplosim import load_scenario, run_ensemble
from diplosim.run.ensemble import Ensemble
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
SEED = 3
"""The seed of every diagnostic here, as bench/directions.py."""


def free_runs(description: str, episode: str) -> tuple[Scenario, Ensemble, int]:
    """The episode's free runs on the shipped posterior (`--runs` from the command line, 4,000 by default)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=4000, help=f"free replications of {episode} (default 4000)")
    runs = parser.parse_args().runs
    sc = without_given(load_scenario(REPO / "scenarios" / "history" / f"{episode}.yaml"))
    return sc, run_ensemble(sc, runs, SEED), runs


def window(first_day: float | None, start: date, windows: Sequence[tuple[str, date]]) -> str:
    """The name of the window a first move `first_day` days after `start` falls in ('never' for none);
    each window ends before its date."""
    if first_day is None:
        return "never"
    day = start.toordinal() + int(first_day)
    return next(name for name, end in windows if day < end.toordinal())
