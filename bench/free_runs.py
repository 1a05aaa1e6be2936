"""What the bench diagnostics share: a shipped episode in free mode, its free runs, when a move first comes,
the named window it falls in, and the outcome shares of a group of runs. Not a script of its own."""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path

from diplosim import load_scenario, run_ensemble
from diplosim.run.ensemble import Ensemble
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
SEED = 3
"""The seed of every diagnostic here, as bench/directions.py."""


def free_episode(episode: str) -> Scenario:
    """The shipped history episode `episode` (e.g. 'gsomia-2016') in free mode: every actor decides, no move
    given."""
    return without_given(load_scenario(REPO / "scenarios" / "history" / f"{episode}.yaml"))


def with_cabinet_process(sc: Scenario, process: str) -> Scenario:
    """`sc` with Seoul's cabinet process given as `process` ('public' or 'secret'): the one assumption of
    scenarios/counterfactuals/2012-public-cabinet.yaml, kept where free mode drops every other."""
    seoul = sc.actors["executive"]
    return dataclasses.replace(sc, actors={**sc.actors, "executive": dataclasses.replace(
        seoul, facts={**seoul.facts, "cabinet_process": process})})


def free_runs(description: str, episode: str) -> tuple[Scenario, Ensemble, int]:
    """The episode's free runs on the shipped posterior (`--runs` from the command line, 4,000 by default)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=4000, help=f"free replications of {episode} (default 4000)")
    runs = parser.parse_args().runs
    sc = free_episode(episode)
    return sc, run_ensemble(sc, runs, SEED), runs


def window(first_day: float | None, start: date, windows: Sequence[tuple[str, date]]) -> str:
    """The name of the window a first move `first_day` days after `start` falls in ('never' for none);
    each window ends before its date."""
    if first_day is None:
        return "never"
    day = start.toordinal() + int(first_day)
    return next(name for name, end in windows if day < end.toordinal())


def first_time(moves: Sequence[tuple[float, str, str]], kinds: Collection[str], after: float = 0.0) -> float | None:
    """When a move of one of `kinds` first comes at or after `after` in a replication's moves (None if never)."""
    return min((t for t, _, kind in moves if kind in kinds and t >= after), default=None)


def shares(outcomes: Counter[str]) -> str:
    """The outcomes of a group of runs as shares of it, commonest first ('-' for an empty group)."""
    n = sum(outcomes.values())
    return ", ".join(f"{k} {v / n:.2f}" for k, v in outcomes.most_common()) if n else "-"
