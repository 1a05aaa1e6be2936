"""What the bench diagnostics share: a shipped episode in free mode, its free runs, when a move first comes,
the named window it falls in, and the outcome shares of a group of runs. Not a script of its own."""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path

from diplosim import load_scenario, run_ensemble
from diplosim.cli.common import UsageError, _parse_sets
from diplosim.run.ensemble import Ensemble
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
SEED = 3
"""The seed of every diagnostic here, as bench/directions.py."""


def free_episode(episode: str, overrides: Mapping[str, str] | None = None) -> Scenario:
    """The shipped history episode `episode` (e.g. 'gsomia-2016') in free mode: every actor decides, no move
    given; `overrides` as the CLI's --set (e.g. {'params.threat_weight': '0'}: held at that value)."""
    return without_given(load_scenario(REPO / "scenarios" / "history" / f"{episode}.yaml", overrides or None))


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """The CLI's `--set PATH=VALUE` (repeatable) on a diagnostic's parser: a screen without a script."""
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value or parameter, as the CLI's --set (repeatable)")


def set_overrides(items: Sequence[str]) -> dict[str, str]:
    """`--set` items as overrides (PATH -> VALUE), parsed by the CLI's own parser; SystemExit with its one-line
    message on a malformed one."""
    try:
        return _parse_sets(items)  # noqa: SLF001 - the shared --set parser, as sim/cli/explore.py uses it
    except UsageError as exc:
        raise SystemExit(str(exc)) from None


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
    add_set_option(parser)
    args = parser.parse_args()
    overrides = set_overrides(args.set)
    if overrides:
        print("with " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    sc = free_episode(episode, overrides)
    return sc, run_ensemble(sc, args.runs, SEED), args.runs


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
