"""The command line: a thin layer over the Python API.

Exit status: 0 done, 2 bad input or usage, 1 anything else. Errors in input
files are one line on stderr, ``file:line:col: field: message``; never a
traceback (set DIPLOSIM_DEBUG=1 to see one for unexpected errors).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .engine import compile_scenario
from .ensemble import Ensemble, run_one
from .errors import DiplosimError, ScenarioError
from .output import csv_text, to_json, write_atomic
from .parallel import run_parallel
from .progress import ProgressBar
from .scenario import Scenario, load_scenario
from .store import STORE_NAME, RunStore
from .store_cli import StoreUsageError, Terminated, add_store_commands, terminate_on_sigterm
from .story import story_lines

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(DiplosimError):
    """Bad command-line usage (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _parse_sets(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--set expects PATH=VALUE, got '{item}'")
        path, value = item.split("=", 1)
        out[path.strip()] = value
    return out


def _load(path: str, args: argparse.Namespace) -> Scenario:
    return load_scenario(path, _parse_sets(getattr(args, "set", None)))


def _table(summary: dict[str, Any]) -> str:
    rows = [f"{summary['scenario']}  ({summary['runs']} runs, seed {summary['seed']})", "",
            f"{'outcome':<16}{'p':>7}   {'95% interval':<17}{'median date':<12}"]
    for name, o in summary["outcomes"].items():
        lo, hi = o["ci"]
        rows.append(f"{name:<16}{o['p']:>7.3f}   [{lo:.3f}, {hi:.3f}]   {o['median_date'] or '-':<12}")
    rows.append("")
    rows.append(f"modal outcome: {summary['modal_outcome']}")
    if summary.get("errors"):
        rows.append(f"replications that raised an error: {summary['errors']}")
    return "\n".join(rows)


def write_results(ens: Ensemble, out: Path) -> None:
    """Write summary.json, replications.csv and events.csv into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "summary.json", to_json(ens.summary()))
    write_atomic(out / "replications.csv", csv_text(ens.rows()))
    events = [
        {"replication": r.index, "date": ens.model.date(t).isoformat(), "day": round(t, 4),
         "from": a, "to": b, "by": by}
        for r in ens.results for t, a, b, by in r.transitions
    ]
    write_atomic(out / "events.csv", csv_text(events, ["replication", "date", "day", "from", "to", "by"]))


# -- commands ---------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    sc = _load(args.scenario, args)
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.chunk is not None and args.chunk < 1:
        raise UsageError("--chunk must be at least 1")
    store_file = args.store or (str(Path(args.out) / STORE_NAME) if args.out else None)
    if args.resume and store_file is None:
        raise UsageError("--resume needs a run store: give --store PATH or --out DIR")
    progress = ProgressBar(f"{Path(args.scenario).name}")
    model = compile_scenario(sc)
    meta = {"command": "run", "set": _parse_sets(args.set), "workers": args.workers, "scheduler": args.scheduler}
    with terminate_on_sigterm():
        if store_file is None:
            ens = run_parallel(model, args.runs, args.seed, args.workers, progress,
                               scheduler=args.scheduler, chunk=args.chunk)
        else:
            with RunStore(store_file) as store:
                ens = run_parallel(model, args.runs, args.seed, args.workers, progress, store,
                                   resume=args.resume, scheduler=args.scheduler, chunk=args.chunk, meta=meta)
            print(f"stored as ensemble {ens.ensemble_id} in {store_file}", file=sys.stderr)
    summary = ens.summary()
    if args.out:
        write_results(ens, Path(args.out))
    print(to_json(summary), end="") if args.json else print(_table(summary))
    return EXIT_ERROR if summary["errors"] else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.scenarios:
        try:
            sc = _load(path, args)
            compile_scenario(sc)
            print(f"{path}: ok ({len(sc.triggers)} triggers, {sc.start} to {sc.end})")
        except ScenarioError as exc:
            print(exc.format(), file=sys.stderr)
            bad += 1
    return EXIT_USAGE if bad else EXIT_OK


def cmd_story(args: argparse.Namespace) -> int:
    sc = _load(args.scenario, args)
    model = compile_scenario(sc)
    result = run_one(model, args.seed, args.replication, record_log=True)
    print(f"{sc.name}: replication {args.replication} of seed {args.seed}")
    print(f"Actors decide from {sc.decisions_from}; the agreement is {sc.agreement.state.value}.")
    print()
    for line in story_lines(model, result):
        print(line)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="diplosim", description="Discrete-event simulation of diplomatic scenarios.")
    parser.add_argument("--version", action="version", version=f"diplosim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--set", action="append", metavar="PATH=VALUE",
                       help="override a scenario value or parameter, e.g. params.threat_weight=2.5")

    p = sub.add_parser("run", help="run a Monte Carlo ensemble of a scenario")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--runs", type=int, default=1000, help="replications (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--out", help="directory for summary.json, replications.csv, events.csv")
    p.add_argument("--json", action="store_true", help="print the JSON summary instead of a table")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--store", help=f"SQLite run store (default: OUT/{STORE_NAME} when --out is given)")
    p.add_argument("--resume", action="store_true",
                   help="finish the latest stored ensemble of this scenario and seed, running only what is missing")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786 (needs diplosim[dask])")
    p.add_argument("--chunk", type=int, default=None, help="replications per task (default: automatic)")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="validate scenario files")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files")
    common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("story", help="tell one replication as a dated narrative")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--replication", type=int, default=0, help="which replication of that seed (default 0)")
    common(p)
    p.set_defaults(func=cmd_story)
    add_store_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `diplosim` and `python run.py`."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except ScenarioError as exc:
        print(exc.format(), file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, StoreUsageError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("diplosim: terminated; finished replications are in the run store (use --resume)", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("diplosim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if os.environ.get("DIPLOSIM_DEBUG"):
            raise
        print(f"diplosim: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
