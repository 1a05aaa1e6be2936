"""Command-line commands for exploring alternatives: compare, sweep, sensitivity, explain,
discover and counterfactuals. A thin layer: the logic is in `diplosim.explore`.

Every command takes ``--set PATH=VALUE`` (validated like the file) and runs
replications through one `diplosim.run.evaluator.Evaluator`, opened for the whole
experiment (`--workers N` processes; default all cores).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import excerpt
from ..files import csv_text, to_json, write_atomic
from ..model.engine import Model, compile_scenario
from ..run.evaluator import Evaluator
from ..run.progress import ProgressBar
from ..scenario.loader import load_scenario
from ..scenario.shipped import find_scenario
from .common import UsageError, _parse_sets, runs_arg, seed_arg
from .outputs import add_force, claimed, inputs_of

PLOTS = {
    "sweep": "sweep_plot",
    "sensitivity": "sensitivity_plot",
    "explain": "explain_plot",
}
"""The function of `diplosim.explore_figures` each command's ``--plot`` calls as f(report, out_dir)."""


def experiment(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """`command` with one evaluator (`args.evaluate`) opened for all its points and closed after."""
    def run(args: argparse.Namespace) -> int:
        workers = getattr(args, "workers", None)
        if workers is not None and workers < 1:
            raise UsageError("--workers must be at least 1")
        with Evaluator(workers) as evaluate:
            args.evaluate = evaluate
            return command(args)
    return run


def _check_runs(runs: int, samples: int | None = None, least_samples: int = 1) -> None:
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    if samples is not None and samples < least_samples:
        raise UsageError(f"--samples must be at least {least_samples}")


def _names(text: str | None) -> list[str]:
    """A comma-separated option as a list of names."""
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _sets(args: argparse.Namespace) -> dict[str, str]:
    return _parse_sets(getattr(args, "set", None))  # noqa: SLF001 - the shared --set parser


def _emit(args: argparse.Namespace, report: Mapping[str, Any], text: str) -> None:
    print(to_json(report), end="") if getattr(args, "json", False) else print(text)


def _plot(kind: str, report: Mapping[str, Any], out: Path) -> None:
    """Draw the command's chart (PNG and SVG) into `out`."""
    from ..present import explore_figures  # matplotlib: loaded only when a plot is asked for

    paths = getattr(explore_figures, PLOTS[kind])(report, out)
    print(f"plots: {len(paths)} files in {out}", flush=True)


def _progress(label: str) -> ProgressBar:
    return ProgressBar(label)


def _folder(out: Path | None, command: str, args: argparse.Namespace,
            scenario_sha256: Sequence[str]) -> contextlib.AbstractContextManager[Path | None]:
    """The command's output folder claimed for its results (`outputs.claimed`), or nothing to claim."""
    if out is None:
        return contextlib.nullcontext()
    return claimed(out, command, inputs_of(args, scenario_sha256), force=args.force)


# -- commands ---------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    from ..explore.compare import compare, comparison_text

    _check_runs(args.runs)
    sets = _sets(args)
    own = sets_for(args.set_for, len(args.scenarios))
    models = [compile_scenario(load_scenario(p, {**sets, **own.get(i, {})})) for i, p in enumerate(args.scenarios)]
    folder = Path(args.out or "results/compare") if args.out or args.plot else None
    with _folder(folder, "compare", args, [m.scenario.sha256 for m in models]):
        report = compare(models, args.runs, args.seed, args.evaluate)
        if sets:  # say which overrides are in force, so a changed table is never mistaken for the baseline
            report["set"] = sets
        for i, values in own.items():
            report["scenarios"][i]["set"] = values
        if args.out:
            out = Path(args.out)
            write_atomic(out / "comparison.json", to_json(report))
            rows = [{"scenario": sc["label"], "outcome": n, **_flat(sc, n)} for sc in report["scenarios"]
                    for n in report["outcomes"]]
            write_atomic(out / "comparison.csv", csv_text(rows))
        _emit(args, report, comparison_text(report, markdown=args.markdown))
        if args.plot:
            from ..present.explore_figures import compare_plot

            out = Path(args.out or "results/compare")
            recorded = [m.scenario.record.outcome if m.scenario.record else None for m in models]
            paths = compare_plot(report, out, recorded)
            print(f"plots: {len(paths)} files in {out}", flush=True)
    return 0


def sets_for(items: Sequence[Sequence[str]] | None, count: int) -> dict[int, dict[str, str]]:
    """``--set-for N PATH=VALUE`` options: scenario index (from 0) -> its own overrides."""
    out: dict[int, dict[str, str]] = {}
    for number, item in items or ():
        try:
            index = int(number) - 1
        except ValueError:
            raise UsageError(f"--set-for expects a scenario's number first (1 to {count}), found "
                             f"'{excerpt(number)}'") from None
        if not 0 <= index < count:
            raise UsageError(f"--set-for {excerpt(number)}: there are {count} scenarios, numbered 1 to {count}")
        out.setdefault(index, {}).update(_parse_sets([item]))
    return out


def experiment_spec(command: str, scenario: str, sets: Mapping[str, str]) -> dict[str, Any]:
    """What `rerun` needs besides the report: the command, the scenario file (and its hash, with the
    --set overrides applied) and the overrides."""
    return {"command": command, "scenario": os.path.abspath(find_scenario(scenario)), "set": dict(sets),
            "scenario_sha256": load_scenario(scenario, sets).sha256, "version": __version__}


def cmd_rerun(args: argparse.Namespace) -> int:
    from ..explore.saved import read_saved_sweep
    from ..explore.sweep import axes_of, sweep, sweep_text

    path = Path(args.experiment)
    saved = read_saved_sweep(path)  # untrusted: every field checked, the work bounded
    spec = saved["experiment"]
    sets = spec.get("set", {})

    def build(values: Mapping[str, float]) -> Model:
        return compile_scenario(load_scenario(spec["scenario"], {**sets, **values}))

    if load_scenario(spec["scenario"], sets).sha256 != spec["scenario_sha256"]:
        raise UsageError(f"{path}: the scenario {spec['scenario']} has changed since the experiment was saved")
    report = sweep(build, axes_of(saved), saved["runs"], saved["seed"], args.evaluate, _progress("rerun"),
                   design=saved["design"], samples=saved["samples"] if saved["design"] != "factorial" else None)
    same = [p["outcomes"] for p in report["points"]] == [p["outcomes"] for p in saved["points"]] \
        and [p["values"] for p in report["points"]] == [p["values"] for p in saved["points"]]
    print(sweep_text(report, markdown=False))
    print()
    if same:
        print(f"rerun: all {len(report['points'])} points identical to {path}")
        return 0
    print(f"rerun: results differ from {path}", file=sys.stderr)
    return 1


def _flat(sc: Mapping[str, Any], name: str) -> dict[str, Any]:
    o = sc["outcomes"][name]
    row = {"p": o["p"], "lo": o["ci"][0], "hi": o["ci"][1]}
    if "difference" in sc:
        d = sc["difference"]["outcomes"][name]
        row |= {"diff": d["diff"], "diff_lo": d["ci"][0], "diff_hi": d["ci"][1]}
    return row


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..explore.sweep import parse_axis, sweep, sweep_rows, sweep_text

    _check_runs(args.runs)
    if not args.param:
        raise UsageError("sweep needs at least one --param PATH=LO:HI[:STEPS]")
    if args.plot and (args.design != "factorial" or len(args.param) > 2):
        raise UsageError("--plot draws factorial sweeps of one or two parameters; the table is in sweep.csv")
    axes = [parse_axis(a, args.design) for a in args.param]
    sets = _sets(args)

    def build(values: Mapping[str, float]) -> Model:
        return compile_scenario(load_scenario(args.scenario, {**sets, **values}))

    spec = experiment_spec("sweep", args.scenario, sets)
    out = Path(args.out)
    with _folder(out, "sweep", args, [spec["scenario_sha256"]]):  # the file rerun needs is never replaced
        report = sweep(build, axes, args.runs, args.seed, args.evaluate, _progress("sweep"),
                       design=args.design, samples=args.samples)
        report["experiment"] = spec
        write_atomic(out / "sweep.json", to_json(report))
        write_atomic(out / "sweep.csv", csv_text(sweep_rows(report)))
        _emit(args, report, sweep_text(report, markdown=args.markdown) + f"\n\nwrote {out / 'sweep.csv'}")
        if args.plot:
            _plot("sweep", report, out)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from ..explore.sensitivity import sensitivity, sensitivity_rows, sensitivity_text

    _check_runs(args.runs, args.samples)
    sc = load_scenario(args.scenario, _sets(args))
    out = Path(args.out)
    with _folder(out, "sensitivity", args, [sc.sha256]):
        report = sensitivity(sc, args.method, args.samples, args.runs, args.seed, args.evaluate,
                             names=_names(args.params), progress=_progress(f"sensitivity ({args.method})"))
        write_atomic(out / "sensitivity.json", to_json(report))
        write_atomic(out / "sensitivity.csv", csv_text(sensitivity_rows(report)))
        _emit(args, report,
              sensitivity_text(report, args.top, args.markdown) + f"\n\nwrote {out / 'sensitivity.csv'}")
        if args.plot:
            _plot("sensitivity", report, out)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from ..explore.explain import explain, explain_text

    _check_runs(args.runs)
    sc = load_scenario(args.scenario, _sets(args))
    only = _names(args.only)
    bad = [k for k in only if k not in ("trigger", "kind", "mechanism", "actor")]
    if bad:
        raise UsageError(f"--only takes trigger, kind, mechanism, actor; found '{bad[0]}'")
    if args.plot and not args.out:
        raise UsageError("--plot needs --out DIR")
    with _folder(Path(args.out) if args.out else None, "explain", args, [sc.sha256]):
        report = explain(sc, args.runs, args.seed, args.evaluate, only=only, progress=_progress("explain"))
        if args.out:
            out = Path(args.out)
            write_atomic(out / "explain.json", to_json(report))
            rows = [{"rank": i + 1, "cause": r["cause"], "kind": r["kind"], "shift": r["shift"],
                     "shift_lo": r["shift_ci"][0], "shift_hi": r["shift_ci"][1], "changed": r["changed"],
                     **{f"d_{n}": r["outcomes"][n]["diff"] for n in report["outcomes"]}}
                    for i, r in enumerate(report["causes"])]
            write_atomic(out / "explain.csv", csv_text(rows))
            if args.plot:
                _plot("explain", report, out)
        _emit(args, report, explain_text(report, args.top, args.markdown))
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from ..explore.discover import discover, discover_text

    _check_runs(args.runs, args.samples, 2)
    sc = load_scenario(args.scenario, _sets(args))
    with _folder(Path(args.out) if args.out else None, "discover", args, [sc.sha256]):
        report = discover(sc, args.outcome, args.samples, args.runs, args.seed, args.evaluate,
                          threshold=args.threshold, drop=args.drop, names=_names(args.params), boxes=args.boxes,
                          min_coverage=args.min_coverage, progress=_progress("discover"))
        if args.out:
            out = Path(args.out)
            write_atomic(out / "discover.json", to_json({k: v for k, v in report.items() if k != "points"}))
            write_atomic(out / "variants.csv", csv_text(report["points"]))
    shown = {k: v for k, v in report.items() if k != "points"}
    _emit(args, shown, discover_text(report, markdown=args.markdown))
    return 0


def cmd_counterfactuals(args: argparse.Namespace) -> int:
    from ..explore.counterfactuals import findings, findings_text
    from ..scenario.shipped import COUNTERFACTUAL_DIR

    _check_runs(args.runs)
    paths = args.scenarios or sorted(str(p) for p in COUNTERFACTUAL_DIR.glob("*.yaml"))
    if not paths:
        raise UsageError(f"no counterfactual files in {COUNTERFACTUAL_DIR}")
    sets = _sets(args)
    rows = findings(paths, lambda p: load_scenario(p, sets), args.runs, args.seed, args.evaluate)
    text = findings_text(rows, markdown=args.markdown)
    head = (f"Produced by: python run.py counterfactuals --runs {args.runs} --seed {args.seed}"
            + (" --markdown" if args.markdown else ""))
    _emit(args, {"findings": rows}, f"{head}\n\n{text}")
    return 0


# -- parsers ----------------------------------------------------------------------


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the exploring commands to the `diplosim` subparsers."""

    def seeded(p: argparse.ArgumentParser, runs: int) -> None:
        p.add_argument("--runs", type=runs_arg, default=runs,
                       help=f"replications per scenario or point (default {runs})")
        p.add_argument("--seed", type=seed_arg, default=0, help="root seed, the same for every variant (default 0)")
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
        p.add_argument("--workers", type=int, default=None,
                       help="processes, one pool for every point (default: all cores; 1 runs here)")
        common(p)

    p = sub.add_parser("compare", help="outcome distributions of scenarios side by side, with paired differences")
    p.add_argument("scenarios", nargs="+", help="scenario files; differences are from the first")
    p.add_argument("--set-for", nargs=2, action="append", metavar=("N", "PATH=VALUE"),
                   help="override a value in the Nth scenario only (from 1; after --set, which applies to "
                        "all), e.g. --set-for 2 mechanisms.issue_linkage=false to set one file against itself")
    p.add_argument("--out", help="directory for comparison.json and comparison.csv")
    p.add_argument("--plot", action="store_true",
                   help="also draw grouped outcome bars (into --out, default results/compare)")
    seeded(p, 1000)
    add_force(p)
    p.set_defaults(func=experiment(cmd_compare))

    p = sub.add_parser("sweep", help="outcome probabilities over a design of points (factorial, lhs, sobol)")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--param", action="append", default=[], metavar="PATH=LO:HI[:STEPS]",
                   help="a swept value, e.g. params.linkage_weight=0:12:7 (STEPS for factorial designs; repeatable)")
    p.add_argument("--design", choices=("factorial", "lhs", "sobol"), default="factorial",
                   help="factorial grid (default), Latin hypercube or Sobol points")
    p.add_argument("--samples", type=int, default=None, help="points of an lhs or sobol design (sobol: a power of 2)")
    p.add_argument("--out", default="results/sweep",
                   help="directory for sweep.csv and sweep.json (the experiment rerun repeats); default results/sweep")
    p.add_argument("--plot", action="store_true", help="also draw the plot (factorial, one or two parameters)")
    seeded(p, 300)
    add_force(p)
    p.set_defaults(func=experiment(cmd_sweep))

    p = sub.add_parser("rerun", help="repeat a saved sweep (its sweep.json) and check the results are identical")
    p.add_argument("experiment", help="a sweep.json written by sweep --out")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores; 1 runs here)")
    p.set_defaults(func=experiment(cmd_rerun))

    p = sub.add_parser("sensitivity", help="global sensitivity of outcome probabilities to the parameters (SALib)")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--method", choices=("morris", "sobol"), default="morris", help="default morris")
    p.add_argument("--samples", type=int, default=10,
                   help="Morris trajectories or Sobol base samples (a power of two) (default 10)")
    p.add_argument("--params", help="comma-separated parameters or mechanisms to vary (default: all in use)")
    p.add_argument("--top", type=int, default=10, help="parameters shown per outcome (default 10)")
    p.add_argument("--out", default="results/sensitivity",
                   help="directory for sensitivity.csv, sensitivity.json (default results/sensitivity)")
    p.add_argument("--plot", action="store_true", help="also draw the bar chart")
    seeded(p, 100)
    add_force(p)
    p.set_defaults(func=experiment(cmd_sensitivity))

    p = sub.add_parser("explain", help="what mattered: rerun without each trigger and mechanism, ranked")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--only", help="comma-separated kinds of cause: trigger, kind, mechanism, actor (default all)")
    p.add_argument("--top", type=int, default=None, help="show only the first N causes")
    p.add_argument("--out", help="directory for explain.csv, explain.json")
    p.add_argument("--plot", action="store_true", help="also draw the ranking (needs --out)")
    seeded(p, 500)
    add_force(p)
    p.set_defaults(func=experiment(cmd_explain))

    p = sub.add_parser("discover", help="scenario discovery: the conditions under which an outcome is likely")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--outcome", required=True, help="the outcome of interest, e.g. terminated")
    p.add_argument("--samples", type=int, default=300, help="variants sampled (default 300)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="a variant counts when the outcome's probability reaches this (default 0.5)")
    p.add_argument("--drop", type=float, default=0.5, help="chance each trigger is dropped in a variant (default 0.5)")
    p.add_argument("--params", help="comma-separated parameters or mechanisms to vary (default: all in use)")
    p.add_argument("--boxes", type=int, default=2, help="most boxes (rules) to find (default 2)")
    p.add_argument("--min-coverage", type=float, default=0.3,
                   help="smallest share of cases of interest a box must hold (default 0.3)")
    p.add_argument("--out", help="directory for discover.json and variants.csv")
    seeded(p, 30)
    add_force(p)
    p.set_defaults(func=experiment(cmd_discover))

    p = sub.add_parser("counterfactuals", help="each counterfactual against the episode it extends: a findings table")
    p.add_argument("scenarios", nargs="*", help="counterfactual files (default: scenarios/counterfactuals/*.yaml)")
    seeded(p, 1000)
    p.set_defaults(func=experiment(cmd_counterfactuals))
