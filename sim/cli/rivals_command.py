"""The `explain-record` command: rival mechanism sets compared on the record (argument parsing and printing
around explore/rivals.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..files import to_json, write_atomic
from ..run.evaluator import Evaluator
from ..run.parallel import default_workers
from ..scenario.loader import Scenario
from .common import EXIT_OK, UsageError, runs_arg, seed_arg
from .outputs import add_force, claimed, inputs_of


def cmd_explain_record(args: argparse.Namespace, episodes: list[Scenario]) -> int:
    from ..explore.rivals import explain_record, rivals_markdown
    from ..scenario.sets import load_sets, shipped_sets

    if args.population < 10:
        raise UsageError("--population must be at least 10")
    if args.generations < 1:
        raise UsageError("--generations must be at least 1")
    refs = args.mechanism_set or [p.stem for p in shipped_sets()]
    sets = load_sets(refs)
    if len(sets) < 2:
        raise UsageError("name at least two mechanism sets to compare (--mechanism-set NAME, repeated)")

    def say(line: str) -> None:
        print(f"explain-record: {line}", file=sys.stderr, flush=True)

    out = Path(args.out)
    workers = args.workers or default_workers()
    inputs = inputs_of(args, [sc.sha256 for sc in episodes] + [Path(s.file).name for s in sets])
    with claimed(out, "explain-record", inputs, force=args.force), Evaluator(workers) as evaluate:
        report = explain_record(sets, episodes, population=args.population, generations=args.generations,
                                runs=args.runs, seed=args.seed, workers=workers, runner=evaluate, out=out,
                                left_out=not args.in_sample_only, max_simulations=args.max_simulations,
                                progress=say)
        command = " ".join(["diplosim explain-record", *sys.argv[2:]]) if len(sys.argv) > 1 else ""
        report["command"] = command
        write_atomic(out / "report.json", to_json(report))
    if args.json:
        print(to_json(report), end="")
    else:
        print(f"Which explanation does the record support? {len(sets)} mechanism sets, {len(episodes)} episodes; "
              f"ABC-SMC model selection, {args.population} particles, at most {args.generations} generations "
              f"({report['in_sample']['simulations']} simulations in sample); {args.runs} free runs per "
              f"episode per set; root seed {args.seed}")
        print()
        print(rivals_markdown(report))
    say(f"wrote {out / 'report.json'}")
    return EXIT_OK


def add_rivals_command(sub: Any, common: Callable[[argparse.ArgumentParser], None],
                       run: Callable[[Callable[[argparse.Namespace, list[Scenario]], int]],
                                     Callable[[argparse.Namespace], int]]) -> None:
    """The `explain-record` subcommand."""
    p = sub.add_parser("explain-record", help="which explanation does the record support? rival mechanism sets "
                                              "calibrated together (ABC-SMC model selection) and scored in and "
                                              "out of sample")
    p.add_argument("scenarios", nargs="*", help="episode files (default: scenarios/history/*.yaml)")
    p.add_argument("--mechanism-set", action="append", metavar="NAME_OR_FILE",
                   help="a mechanism set: a shipped one's name (scenarios/params/sets/NAME.yaml) or a file; "
                        "repeat for each (default: every shipped set)")
    p.add_argument("--population", type=int, default=1000, help="particles per generation (default 1000)")
    p.add_argument("--generations", type=int, default=8, help="most generations per run (default 8)")
    p.add_argument("--max-simulations", type=int, default=None, help="stop each run after this many simulations")
    p.add_argument("--runs", type=runs_arg, default=500,
                   help="free runs per episode per set for the scores (default 500)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--in-sample-only", action="store_true",
                   help="skip the leave-one-out folds (one model-selection run instead of one per episode more)")
    p.add_argument("--out", default="results/explain-record",
                   help="output directory for report.json and the ABC databases (default results/explain-record)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_force(p)
    common(p)
    p.set_defaults(func=run(cmd_explain_record))
