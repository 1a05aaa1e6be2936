"""Command-line commands for exploring alternatives: compare, sweep, sensitivity, explain,
discover and counterfactuals. A thin layer: the logic is in `diplosim.explore`.

Every command takes ``--set PATH=VALUE`` (validated like the file) and runs
replications through `diplosim.run.parallel.runner`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..files import csv_text, to_json, write_atomic
from ..model.engine import Model, compile_scenario
from ..run.parallel import runner
from ..run.progress import ProgressBar
from ..scenario.loader import load_scenario
from .common import UsageError, _parse_sets

PLOTS = {
    "sweep": "sweep_plot",
    "sensitivity": "sensitivity_plot",
    "explain": "explain_plot",
}
"""The function of `diplosim.explore_figures` each command's ``--plot`` calls as f(report, out_dir)."""


def _runner() -> Callable[..., Any]:
    return runner


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


# -- commands ---------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    from ..explore.compare import compare, comparison_text

    _check_runs(args.runs)
    sets = _sets(args)
    models = [compile_scenario(load_scenario(p, sets)) for p in args.scenarios]
    report = compare(models, args.runs, args.seed, _runner())
    if sets:  # say which overrides are in force, so a changed table is never mistaken for the baseline
        report["set"] = sets
    if args.out:
        out = Path(args.out)
        write_atomic(out / "comparison.json", to_json(report))
        rows = [{"scenario": sc["name"], "outcome": n, **_flat(sc, n)} for sc in report["scenarios"]
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
    if not 1 <= len(args.param) <= 2:
        raise UsageError("sweep takes one or two --param PATH=LO:HI:STEPS")
    axes = [parse_axis(a) for a in args.param]
    sets = _sets(args)

    def build(values: Mapping[str, float]) -> Model:
        return compile_scenario(load_scenario(args.scenario, {**sets, **values}))

    report = sweep(build, axes, args.runs, args.seed, _runner(), _progress("sweep"))
    out = Path(args.out)
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
    report = sensitivity(sc, args.method, args.samples, args.runs, args.seed, _runner(), names=_names(args.params),
                         progress=_progress(f"sensitivity ({args.method})"))
    out = Path(args.out)
    write_atomic(out / "sensitivity.json", to_json(report))
    write_atomic(out / "sensitivity.csv", csv_text(sensitivity_rows(report)))
    _emit(args, report, sensitivity_text(report, args.top, args.markdown) + f"\n\nwrote {out / 'sensitivity.csv'}")
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
    report = explain(sc, args.runs, args.seed, _runner(), only=only, progress=_progress("explain"))
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
    elif args.plot:
        raise UsageError("--plot needs --out DIR")
    _emit(args, report, explain_text(report, args.top, args.markdown))
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from ..explore.discover import discover, discover_text

    _check_runs(args.runs, args.samples, 2)
    sc = load_scenario(args.scenario, _sets(args))
    report = discover(sc, args.outcome, args.samples, args.runs, args.seed, _runner(),
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
    rows = findings(paths, lambda p: load_scenario(p, sets), args.runs, args.seed, _runner())
    text = findings_text(rows, markdown=args.markdown)
    head = (f"Produced by: python run.py counterfactuals --runs {args.runs} --seed {args.seed}"
            + (" --markdown" if args.markdown else ""))
    _emit(args, {"findings": rows}, f"{head}\n\n{text}")
    return 0


# -- parsers ----------------------------------------------------------------------


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the exploring commands to the `diplosim` subparsers."""

    def seeded(p: argparse.ArgumentParser, runs: int) -> None:
        p.add_argument("--runs", type=int, default=runs, help=f"replications per scenario or point (default {runs})")
        p.add_argument("--seed", type=int, default=0, help="root seed, the same for every variant (default 0)")
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
        common(p)

    p = sub.add_parser("compare", help="outcome distributions of scenarios side by side, with paired differences")
    p.add_argument("scenarios", nargs="+", help="scenario files; differences are from the first")
    p.add_argument("--out", help="directory for comparison.json and comparison.csv")
    p.add_argument("--plot", action="store_true",
                   help="also draw grouped outcome bars (into --out, default results/compare)")
    seeded(p, 1000)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sweep", help="outcome probabilities over a grid of one or two values")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--param", action="append", default=[], metavar="PATH=LO:HI:STEPS",
                   help="a swept value, e.g. params.linkage_weight=0:12:7 (once or twice)")
    p.add_argument("--out", default="results/sweep", help="directory for sweep.csv, sweep.json (default results/sweep)")
    p.add_argument("--plot", action="store_true", help="also draw the plot (diplosim.plotting)")
    seeded(p, 300)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sensitivity", help="global sensitivity of outcome probabilities to the parameters (SALib)")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--method", choices=("morris", "sobol"), default="morris", help="default morris")
    p.add_argument("--samples", type=int, default=10,
                   help="Morris trajectories or Sobol base samples (a power of two) (default 10)")
    p.add_argument("--params", help="comma-separated parameters or mechanisms to vary (default: all in use)")
    p.add_argument("--top", type=int, default=10, help="parameters shown per outcome (default 10)")
    p.add_argument("--out", default="results/sensitivity",
                   help="directory for sensitivity.csv, sensitivity.json (default results/sensitivity)")
    p.add_argument("--plot", action="store_true", help="also draw the bar chart (diplosim.plotting)")
    seeded(p, 100)
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("explain", help="what mattered: rerun without each trigger and mechanism, ranked")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--only", help="comma-separated kinds of cause: trigger, kind, mechanism, actor (default all)")
    p.add_argument("--top", type=int, default=None, help="show only the first N causes")
    p.add_argument("--out", help="directory for explain.csv, explain.json")
    p.add_argument("--plot", action="store_true", help="also draw the ranking (diplosim.plotting; needs --out)")
    seeded(p, 500)
    p.set_defaults(func=cmd_explain)

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
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("counterfactuals", help="each counterfactual against the episode it extends: a findings table")
    p.add_argument("scenarios", nargs="*", help="counterfactual files (default: scenarios/counterfactuals/*.yaml)")
    seeded(p, 1000)
    p.set_defaults(func=cmd_counterfactuals)
