"""The command line: a thin layer over the Python API.

Exit status: 0 done, 2 bad input or usage, 1 anything else. Errors in input
files are one line on stderr, ``file:line:col: field: message``; never a
traceback (set DIPLOSIM_DEBUG=1 to see one for unexpected errors).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.parameters import PARAMETERS
from ..errors import ScenarioError
from ..files import csv_text, to_json, write_atomic
from ..model.engine import compile_scenario
from ..present.resultdir import (
    OutputDirError,
    check_output_dir,
    claim_output_dir,
    finish_output_dir,
    require_complete,
    run_identity,
)
from ..present.story import story_heading, story_lines
from ..run.dask_backend import MissingExtra, SchedulerUnreachable
from ..run.ensemble import Ensemble, run_one
from ..run.fan import FAN_RUNS, fan_for
from ..run.parallel import run_parallel
from ..run.progress import ProgressBar
from ..run.store import STORE_NAME, RunStore, StoreError
from ..scenario.loader import ALLOW_ENV, Scenario, load_scenario
from ..scenario.params import load_parameters, parameters_to_yaml
from ..scenario.shipped import HISTORY_DIR
from ..scenario.variants import without_given
from .common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Interrupted,
    PrintableStream,
    UsageError,
    _parse_sets,
    _Parser,
    index_arg,
    runs_arg,
    seed_arg,
)
from .explore import experiment
from .serve import add_serve_command
from .store_commands import (
    StoreUsageError,
    Terminated,
    add_store_commands,
    raise_terminated,
    terminate_on_sigterm,
)


def _load(path: str, args: argparse.Namespace) -> Scenario:
    return load_scenario(path, _parse_sets(getattr(args, "set", None)))


def _table(summary: dict[str, Any]) -> str:
    rows = [f"{summary['scenario']}  ({summary['runs']} runs, seed {summary['seed']})"]
    rows += [f"with --set {path}={value}" for path, value in summary.get("set", {}).items()]
    rows += ["", f"{'outcome':<16}{'p':>7}   {'95% interval':<17}{'median date':<12}"]
    for name, o in summary["outcomes"].items():
        lo, hi = o["ci"]
        rows.append(f"{name:<16}{o['p']:>7.3f}   [{lo:.3f}, {hi:.3f}]   {o['median_date'] or '-':<12}")
    rows.append("")
    rows.append(f"modal outcome: {summary['modal_outcome']}")
    if summary.get("errors"):
        rows.append(f"replications that raised an error: {summary['errors']} (seed {summary['seed']})")
        rows += [f"  replication {f['replication']}: {f['error']}" for f in summary.get("failed", [])[:5]]
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
    identity = run_identity(sc.sha256, args.seed, args.runs, __version__)
    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem if args.plot else None
    store_file = args.store or (str(out / STORE_NAME) if out is not None and args.out else None)
    if args.resume and store_file is None:
        raise UsageError("--resume needs a run store: give --store PATH or --out DIR")
    if out is not None:  # refuse before running: a refusal should cost no work
        check_output_dir(out, identity, force=args.force)
        claim_output_dir(out, identity, force=args.force)
    progress = ProgressBar(f"{Path(args.scenario).name}")
    model = compile_scenario(sc)
    meta = {"command": "run", "set": _parse_sets(args.set), "workers": args.workers, "scheduler": args.scheduler}
    try:
        with terminate_on_sigterm():  # until every result file is written
            if store_file is None:
                ens = run_parallel(model, args.runs, args.seed, args.workers, progress,
                                   scheduler=args.scheduler, chunk=args.chunk)
            else:
                with RunStore(store_file) as store:
                    ens = run_parallel(model, args.runs, args.seed, args.workers, progress, store,
                                       resume=args.resume, scheduler=args.scheduler, chunk=args.chunk, meta=meta)
                print(f"stored as ensemble {ens.ensemble_id} in {store_file}", file=sys.stderr)
            if out is not None:
                from ..present.run_figures import write_plot_data  # matplotlib: loaded only with results

                write_results(ens, out)
                # fan-chart data: the first FAN_RUNS replications again, reduced as they run
                write_plot_data(out, ens, fan_for(model, args.seed, min(args.runs, FAN_RUNS), args.workers))
                finish_output_dir(out, identity)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        kept = (f"finished replications are in the run store {store_file} (run again with --resume)"
                if store_file is not None else "nothing was kept (no run store: give --store or --out to keep work)")
        if out is not None:
            kept += f"; the results in {out} are marked incomplete"
        raise Interrupted(f"diplosim: {'terminated' if isinstance(exc, Terminated) else 'interrupted'}; {kept}",
                          128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)) from None
    summary = ens.summary()
    sets = _parse_sets(args.set)
    if sets:  # say which overrides are in force, so a changed table is never mistaken for the baseline
        summary["set"] = sets
    print(to_json(summary), end="") if args.json else print(_table(summary))
    if args.plot and out is not None:
        from ..present.run_figures import write_plots

        paths = write_plots(out)
        print(f"plots: {len(paths)} files in {paths[0].parent}", file=sys.stderr)
    return EXIT_ERROR if summary["errors"] else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.scenarios:
        try:
            sc = _load(path, args)
            compile_scenario(sc)
            print(f"{path}: ok ({len(sc.triggers)} triggers, {sc.start} to {sc.end})")
            for tr in sc.triggers:
                if tr.given:
                    when = tr.at.isoformat() if tr.at else "by rate" if tr.after is None else f"after {tr.after}"
                    print(f"  given: {tr.id} ({tr.kind} by the {tr.by}, {when}): an assumption, not a fact")
        except ScenarioError as exc:
            print(exc.format(), file=sys.stderr)
            bad += 1
    return EXIT_USAGE if bad else EXIT_OK


def cmd_story(args: argparse.Namespace) -> int:
    sc = _load(args.scenario, args)
    model = compile_scenario(sc)
    result = run_one(model, args.seed, args.replication, record_log=True)
    if result.error:
        print(f"diplosim: replication {args.replication} of seed {args.seed} failed: {result.error}",
              file=sys.stderr)
        return EXIT_ERROR
    for line in story_heading(model, args.seed, args.replication):
        print(line)
    print()
    for line in story_lines(model, result):
        print(line)
    return EXIT_OK


def _episodes(args: argparse.Namespace) -> list[Scenario]:
    paths = args.scenarios or sorted(str(p) for p in HISTORY_DIR.glob("*.yaml"))
    scenarios = [_load(p, args) for p in paths]
    if getattr(args, "params", None):
        params = load_parameters(args.params)
        scenarios = [dataclasses.replace(sc, params=params) for sc in scenarios]
    with_record = [sc for sc in scenarios if sc.record is not None]
    if not with_record:
        raise UsageError("no scenario with a 'record:' to validate against")
    return with_record


def _validation_table(report: dict[str, Any]) -> str:
    lines = [f"Validation: {report['runs']} runs per episode, seed {report['seed']}", ""]
    for ep in report["episodes"]:
        lo, hi = ep["ci"]
        lines.append(f"{ep['name']}  ({ep['file']})")
        lines.append(f"  recorded outcome   {ep['outcome']}: p = {ep['p']:.3f}  [{lo:.3f}, {hi:.3f}]")
        lines.append(f"  modal outcome      {ep['modal']}")
        if "free" in ep:
            given = ", ".join(ep["conditional"]["given"]) or "none"
            lines.append(f"  free run           p = {ep['free']['p']:.3f}, modal {ep['free']['modal']} "
                         f"(every actor decides; the above is conditional on the given moves: {given})")
        for step, rec in ep["recorded_dates"].items():
            sim = ep["median_dates"].get(step)
            err = ep["date_error_days"].get(step)
            shown = f"{sim} ({err:+.0f} days)" if sim is not None else "never reached"
            lines.append(f"  {step:<18} simulated median {shown}, recorded {rec}")
        if ep["calendar_dates"]:
            skill = "undefined" if ep["date_skill"] is None else f"{ep['date_skill']:+.2f}"
            calendar = ", ".join(f"{s} {d}" for s, d in ep["calendar_dates"].items())
            lines.append(f"  date skill over the legal calendar ({calendar}): {skill}")
        if ep["in_order_share"] is not None:
            share = ep["in_order_share"]
            lines.append(f"  runs with the recorded outcome that passed every recorded step: {share:.3f}")
        rmse = ep["poll_rmse"]
        lines.append(f"  approval vs polls  RMSE {rmse:.1f} points" if rmse is not None
                     else "  approval vs polls  no polls")
        lines.append("")
    modes = [key for key in ("scores_free", "scores") if key in report]
    lines.append("Scores of the record over all episodes (lower is better; free, then conditional)")
    lines.append(f"  {'forecast':<52}" + "".join(f"{'Brier':>8}{'log':>8}" for _ in modes))
    for label, name in SCORE_ROWS:
        if all(label in report[m] for m in modes):
            lines.append(f"  {name:<52}" + "".join(f"{report[m][label]['brier']:>8.3f}{report[m][label]['log']:>8.3f}"
                                                    for m in modes))
    return "\n".join(lines)


def _validation_markdown(report: dict[str, Any]) -> str:
    lines = []
    if all("free" in ep for ep in report["episodes"]):
        lines += ["| episode | recorded outcome | free: p | free: modal | conditional: p | conditional: modal | "
                  "moves given in the conditional run |", "|---|---|---|---|---|---|---|"]
        for ep in report["episodes"]:
            fr, co = ep["free"], ep["conditional"]
            lines.append(f"| {ep['name']} | {ep['outcome']} | {fr['p']:.3f} | {fr['modal']} | {co['p']:.3f} | "
                         f"{co['modal']} | {', '.join(co['given']) or 'none'} |")
        lines.append("")
    lines += ["| episode (conditional) | recorded outcome | p (95% interval) | modal | "
              "simulated median date vs record | date skill over the calendar | approval RMSE vs polls |",
              "|---|---|---|---|---|---|---|"]
    for ep in report["episodes"]:
        lo, hi = ep["ci"]
        dates = "; ".join(
            f"{step} {ep['median_dates'][step] or 'never'} vs {rec}"
            + (f" ({ep['date_error_days'][step]:+.0f} d)" if ep["date_error_days"][step] is not None else "")
            for step, rec in ep["recorded_dates"].items())
        rmse = "-" if ep["poll_rmse"] is None else f"{ep['poll_rmse']:.1f} pts"
        skill = "-" if ep["date_skill"] is None else f"{ep['date_skill']:+.2f}"
        lines.append(f"| {ep['name']} | {ep['outcome']} | {ep['p']:.3f} ({lo:.3f}-{hi:.3f}) | {ep['modal']} | "
                     f"{dates} | {skill} | {rmse} |")
    modes = [key for key in ("scores_free", "scores") if key in report]
    heads = {"scores_free": "free", "scores": "conditional"}
    lines += ["", "| forecast | " + " | ".join(f"{heads[m]}: Brier | {heads[m]}: log" for m in modes) + " |",
              "|---|" + "---|---|" * len(modes)]
    for label, name in SCORE_ROWS:
        if all(label in report[m] for m in modes):
            cells = " | ".join(f"{report[m][label]['brier']:.3f} | {report[m][label]['log']:.3f}" for m in modes)
            lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


SCORE_ROWS = (("model", "diplosim (calibrated)"), ("prior_mean", "diplosim, every parameter mid-range (uncalibrated)"),
              ("base_rate", "base rate of the other episodes"), ("uniform", "all outcomes equally likely"),
              ("status_quo", "the status quo persists"))
"""The forecasts `validate` scores, in the order its tables show them."""


def cmd_validate(args: argparse.Namespace) -> int:
    from ..explore.validation import validate

    episodes = _episodes(args)
    models = [compile_scenario(sc) for sc in episodes]
    free = [compile_scenario(without_given(sc)) for sc in episodes]
    middle = {name: (info.lower + info.upper) / 2 for name, info in PARAMETERS.items()}
    prior = [dataclasses.replace(sc, params=sc.params.with_values(middle)) for sc in episodes]
    report = validate(models, args.runs, args.seed, args.evaluate, free_models=free,
                      prior_models=[compile_scenario(sc) for sc in prior],
                      prior_free_models=[compile_scenario(without_given(sc)) for sc in prior])
    if args.json:
        print(to_json(report), end="")
    elif args.markdown:
        print(_validation_markdown(report))
    else:
        print(_validation_table(report))
    if args.out or args.plot:
        out = Path(args.out or "results/validation")
        write_atomic(out / "validation.json", to_json(report))
        if args.plot:
            from ..present.explore_figures import validation_plot

            paths = validation_plot(report, out)
            print(f"plots: {len(paths)} files in {out}", file=sys.stderr)
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..explore.calibration import calibrate
    from ..explore.validation import check_episode

    scenarios = _episodes(args)
    base = scenarios[0].params
    held_out = None
    if args.leave_out:
        match = [sc for sc in scenarios if args.leave_out in (Path(sc.path).stem, sc.name) or
                 args.leave_out in Path(sc.path).stem]
        if len(match) != 1:
            raise UsageError(f"--leave-out '{args.leave_out}' matches {len(match)} episodes; name one "
                             f"of: {', '.join(Path(sc.path).stem for sc in scenarios)}")
        held_out = match[0]
        scenarios = [sc for sc in scenarios if sc is not held_out]
    t0 = time.monotonic()

    def progress(done: int, total: int, best: float) -> None:
        if sys.stderr.isatty() or args.verbose:
            rate = done / max(time.monotonic() - t0, 1e-9)
            end = "\n" if done == total or not sys.stderr.isatty() else ""
            print(f"\rcalibrate: {done}/{total} candidates, best loss {best:.3f}, "
                  f"{(total - done) / max(rate, 1e-9):.0f}s left", end=end, file=sys.stderr, flush=True)

    if not 0.0 <= args.design_share <= 1.0:
        raise UsageError("--design-share must be between 0 and 1")
    result = calibrate(scenarios, base, args.budget, args.seed, args.runs, args.evaluate, progress,
                       design_share=args.design_share)
    out = Path(args.out)
    best = result["best"]
    header = (f"Calibrated by: diplosim calibrate --budget {args.budget} --seed {args.seed} --runs {args.runs}"
              f" --design-share {args.design_share:g}"
              + (f" --params {args.params}" if args.params else "")
              + (f" --leave-out {args.leave_out}" if args.leave_out else "")
              + f"\nEpisodes: {', '.join(Path(sc.path).name for sc in scenarios)}; best loss {best.loss:.4f}")
    write_atomic(out / "params.yaml", parameters_to_yaml(base.with_values(best.values), header))
    names = result["names"]
    rows = [{"rank": i + 1, "loss": round(c.loss, 6), "origin": c.origin,
             **{n: round(c.values[n], 6) for n in names}} for i, c in enumerate(result["accepted"])]
    write_atomic(out / "posterior.csv", csv_text(rows))
    every = [{"candidate": i, "loss": round(c.loss, 6), "origin": c.origin, **c.parts,
              **{n: round(c.values[n], 6) for n in names}} for i, c in enumerate(result["all"])]
    write_atomic(out / "candidates.csv", csv_text(every))
    report: dict[str, Any] = {"best_loss": best.loss, "best_parts": best.parts, "budget": args.budget,
                              "seed": args.seed, "runs": args.runs,
                              "episodes": [sc.path for sc in scenarios]}
    print(f"best loss {best.loss:.4f} over {len(scenarios)} episodes; wrote {out / 'params.yaml'}, "
          f"{out / 'posterior.csv'} ({len(rows)} accepted), {out / 'candidates.csv'}")
    if held_out is not None:
        params = base.with_values(best.values)
        model = compile_scenario(dataclasses.replace(held_out, params=params))
        check = check_episode(model, args.evaluate(model, args.check_runs, args.seed + 1))
        report["left_out"] = check.as_json()
        lo, hi = check.ci
        print(f"left-out episode {held_out.name}: recorded {check.outcome} p = {check.p:.3f} [{lo:.3f}, {hi:.3f}], "
              f"modal {check.modal}, date errors {check.date_error_days}, poll RMSE {check.poll_rmse}")
    write_atomic(out / "report.json", to_json(report))
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from ..present.run_figures import write_plots

    if not (Path(args.results) / "summary.json").is_file():
        raise UsageError(f"{args.results}: not a results directory (no summary.json); "
                         f"make one with `run SCENARIO --out {args.results}`")
    require_complete(Path(args.results))
    paths = write_plots(args.results, args.out_dir)
    for path in paths:
        print(path)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ..present.report import build_report  # matplotlib-heavy; loaded only when asked for

    sc = _load(args.scenario, args)
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    ranking = None
    if args.explain:
        from ..explore.explain import explain
        from ..explore.explain import ranking as explain_ranking_rows

        print("ranking what mattered (every trigger and mechanism removed in turn)...", file=sys.stderr)
        ranking = explain_ranking_rows(explain(sc, args.explain_runs, args.seed, args.evaluate))
    html = build_report(sc, args.runs, args.seed, progress=ProgressBar(f"report {Path(args.scenario).name}"),
                        ranking=ranking)
    out = Path(args.output)
    write_atomic(out, html)
    print(f"{out}: report written ({len(html.encode('utf-8')) // 1024} KiB)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="diplosim", description="Discrete-event simulation of diplomatic scenarios.")
    parser.add_argument("--version", action="version", version=f"diplosim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--set", action="append", metavar="PATH=VALUE",
                       help="override a scenario value or parameter, e.g. params.threat_weight=2.5")
        p.add_argument("--allow", action="append", metavar="DIR", default=[],
                       help="a folder that extends: and params.file may also name files in (besides the "
                            "scenario's own folder and the shipped scenarios)")

    p = sub.add_parser("run", help="run a Monte Carlo ensemble of a scenario")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--runs", type=runs_arg, default=1000, help="replications (default 1000)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--out", help="directory for summary.json, replications.csv, events.csv, fan.json, context.json")
    p.add_argument("--json", action="store_true", help="print the JSON summary instead of a table")
    p.add_argument("--plot", action="store_true",
                   help="also draw plots (PNG and SVG) into DIR/plots (DIR defaults to results/SCENARIO-NAME)")
    p.add_argument("--force", action="store_true",
                   help="overwrite --out even if it holds the results of a different run")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--store", help=f"SQLite run store (default: OUT/{STORE_NAME} when --out is given)")
    p.add_argument("--resume", action="store_true",
                   help="finish the latest stored ensemble of this scenario and seed, running only what is missing")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786 (needs diplosim[dask])")
    p.add_argument("--chunk", type=int, default=None, help="replications per task (default: automatic)")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("plot", help="draw the plots of a results directory written by `run --out`")
    p.add_argument("results", help="results directory (with summary.json)")
    p.add_argument("-o", "--out-dir", help="where to write the plots (default RESULTS/plots)")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("report", help="write a self-contained HTML report of a scenario")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write (default report.html)")
    p.add_argument("--explain", action="store_true",
                   help="also rank what mattered (reruns without each trigger and mechanism; slower)")
    p.add_argument("--explain-runs", type=runs_arg, default=200,
                   help="replications per variant for --explain (default 200)")
    p.add_argument("--runs", type=runs_arg, default=1000, help="replications (default 1000)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes, one pool for every point (default: all cores; 1 runs here)")
    common(p)
    p.set_defaults(func=experiment(cmd_report))

    p = sub.add_parser("check", help="validate scenario files")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files")
    common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("story", help="tell one replication as a dated narrative")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--replication", type=index_arg, default=0, help="which replication of that seed (default 0)")
    common(p)
    p.set_defaults(func=cmd_story)

    p = sub.add_parser("validate", help="run every episode with a record and score the model against history")
    p.add_argument("scenarios", nargs="*", help="scenario files (default: scenarios/history/*.yaml)")
    p.add_argument("--runs", type=runs_arg, default=2000, help="replications per episode (default 2000)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--params", help="parameter file to use instead of the scenarios' own")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--markdown", action="store_true", help="print Markdown tables (as in the README)")
    p.add_argument("--out", help="directory for validation.json (and the plot)")
    p.add_argument("--plot", action="store_true",
                   help="also draw grouped outcome bars per episode (into --out, default results/validation)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes, one pool for every point (default: all cores; 1 runs here)")
    common(p)
    p.set_defaults(func=experiment(cmd_validate))

    p = sub.add_parser("calibrate", help="search the behavioural parameters jointly on every episode")
    p.add_argument("scenarios", nargs="*", help="scenario files (default: scenarios/history/*.yaml)")
    p.add_argument("--budget", type=int, default=200, help="candidate parameter sets to score (default 200)")
    p.add_argument("--runs", type=runs_arg, default=200, help="replications per episode per candidate (default 200)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--params", help="parameter file to start from (default: the scenarios' own)")
    p.add_argument("--out", default="results/calibration", help="output directory (default results/calibration)")
    p.add_argument("--design-share", type=float, default=0.3,
                   help="share of the budget spent on the Latin hypercube before refinement (default 0.3)")
    p.add_argument("--leave-out", help="calibrate without this episode, then report how well it is predicted")
    p.add_argument("--check-runs", type=runs_arg, default=1000, help="replications to score the left-out episode")
    p.add_argument("--verbose", action="store_true", help="progress lines even when stderr is not a terminal")
    p.add_argument("--workers", type=int, default=None,
                   help="processes, one pool for every point (default: all cores; 1 runs here)")
    common(p)
    p.set_defaults(func=experiment(cmd_calibrate))

    from .explore import add_commands  # compare, sweep, sensitivity, explain, discover, counterfactuals

    add_commands(sub, common)
    add_store_commands(sub)
    add_serve_command(sub)
    return parser


def allow_folders(folders: Sequence[str]) -> None:
    """--allow: let scenario files name files in these folders too (for this process and its workers)."""
    if folders:
        named = [d for d in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if d]
        os.environ[ALLOW_ENV] = os.pathsep.join([*named, *(os.path.abspath(f) for f in folders)])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `diplosim` and `python run.py`."""
    if threading.current_thread() is threading.main_thread():
        # A signal means stop, whatever the parent left: SIGINT raises KeyboardInterrupt even in a
        # background job (where it starts ignored), SIGTERM raises Terminated; each ends in one line.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, raise_terminated)
    try:
        args = build_parser().parse_args(argv)
        allow_folders(getattr(args, "allow", []))
        with contextlib.redirect_stdout(PrintableStream(sys.stdout)):
            return args.func(args)
    except ScenarioError as exc:
        print(exc.format(), file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, OutputDirError, StoreUsageError, StoreError, SchedulerUnreachable, MissingExtra) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        print(exc.message, file=sys.stderr)
        return exc.status
    except Terminated:
        print("diplosim: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("diplosim: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if os.environ.get("DIPLOSIM_DEBUG"):
            raise
        print(f"diplosim: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
