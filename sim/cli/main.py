"""The command line: a thin layer over the Python API.

Exit status: 0 done, 2 bad input or usage, 1 anything else. Errors in input
files are one line on stderr, ``file:line:col: field: message``; never a
traceback (set DIPLOSIM_DEBUG=1 to see one for unexpected errors). Output cut
short by its reader (``| head``) ends the command quietly, as if it were read.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ScenarioError
from ..files import check_output, csv_text, path_status, to_json, write_atomic
from ..model.engine import compile_scenario
from ..present.resultdir import (
    OutputDirError,
    check_output_dir,
    check_results_dir,
    claim_output_dir,
    finish_output_dir,
    require_complete,
    run_identity,
)
from ..present.story import story_text, tell
from ..run.dask_backend import MissingExtra, SchedulerUnreachable
from ..run.ensemble import Ensemble
from ..run.fan import FAN_RUNS, fan_for
from ..run.parallel import run_parallel
from ..run.progress import ProgressBar
from ..run.store import STORE_NAME, RunStore, StoreError
from ..scenario.loader import ALLOW_ENV, Scenario, load_scenario
from ..scenario.params import load_parameters
from ..scenario.shipped import HISTORY_DIR
from ..scenario.variants import assumptions
from .calibration import add_calibration_commands
from .common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Interrupted,
    PrintableStream,
    StdoutClosed,
    UsageError,
    _parse_sets,
    _Parser,
    index_arg,
    runs_arg,
    seed_arg,
    silence_stdout,
    story_runs_arg,
)
from .compile_command import add_compile_command
from .explore import experiment
from .list_command import add_list_command
from .outputs import add_force, check_command_folder, claimed, inputs_of
from .serve import add_serve_command
from .store_commands import (
    StoreUsageError,
    Terminated,
    add_store_commands,
    raise_terminated,
    terminate_on_sigterm,
)
from .validate_tables import predictive_markdown as _predictive_markdown  # noqa: F401 - tests read it here
from .validate_tables import validation_markdown as _validation_markdown
from .validate_tables import validation_table as _validation_table


def _load(path: str, args: argparse.Namespace) -> Scenario:
    return load_scenario(path, _parse_sets(getattr(args, "set", None)))


def _table(summary: dict[str, Any]) -> str:
    rows = [f"{summary['scenario']}  ({summary['runs']} runs, seed {summary['seed']})"]
    if "parameters" in summary:
        rows.append(parameters_line(summary["parameters"]))
    rows += [f"with --set {path}={value}" for path, value in summary.get("set", {}).items()]
    if "assumptions" in summary:
        rows += assumption_lines(summary["assumptions"], summary.get("mode", {}).get("name", "file"))
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


RUN_MODES = {
    "file": "the file as written: its given moves happen whatever the actors decide",
    "free": "no move given, every actor decides (validate's free run)",
    "conditional": "the file's given moves, only Seoul decides (validate's conditional run)",
}
"""`run --mode`: which of the file's assumptions about the actors a run keeps."""
GIVEN_SHOWN = 4
"""Given moves the table lists by name (all are counted; --json lists all)."""


def run_mode(mode: str) -> dict[str, str]:
    """The ``mode`` entry of a run's summary: its name, what it means, and how to get the others."""
    others = "; ".join(f"--mode {name}: {text}" for name, text in RUN_MODES.items() if name != mode)
    return {"name": mode, "means": RUN_MODES[mode], "other_modes": others}


def assumption_lines(assumptions: dict[str, Any], mode: str = "file") -> list[str]:
    """The lines above a run's table saying who decides, what is given, and how to get the free run."""
    decide, silent = assumptions["decide"], assumptions["silent"]
    who = f"deciding: {len(decide)} of {len(decide) + len(silent)} actors ({', '.join(decide) or 'none'})"
    if silent:
        who += f"; taking no initiatives of their own: {', '.join(silent)}"
    lines = [f"mode: {mode}: {RUN_MODES[mode]}", who]
    given = assumptions["given"]
    if given:
        shown = ", ".join(f"{g['by'] or 'no actor'} {g['move']} {g['when']}" for g in given[:GIVEN_SHOWN])
        more = f" and {len(given) - GIVEN_SHOWN} more" if len(given) > GIVEN_SHOWN else ""
        lines.append(f"given: {len(given)} moves, assumed rather than decided: {shown}{more}")
    else:
        lines.append("given: no moves")
    lines += [f"given: Seoul's {name} is {value}" for name, value in assumptions["choices"].items()]
    if mode != "free" and (given or silent or assumptions["choices"]):
        lines.append("for the free run (no move given, every actor decides, as validate's free mode): --mode free")
    return lines


def parameters_line(source: dict[str, Any]) -> str:
    """'parameters: ...' of a summary: a posterior sample drawn per replication, or fixed values."""
    if source["source"] == "posterior":
        held = f"; {', '.join(source['overridden'])} held fixed" if source.get("overridden") else ""
        return (f"parameters: {len(source['drawn'])} calibrated ones drawn per replication from "
                f"{source['sample']} ({source['particles']} particles), the rest from {source['file']}{held}")
    held = f" ({', '.join(source['overridden'])} set)" if source.get("overridden") else ""
    return f"parameters: fixed values from {source['file']}{held}"


def write_results(ens: Ensemble, out: Path, extra: dict[str, Any] | None = None) -> None:
    """Write summary.json (with `extra` keys, as printed), replications.csv and events.csv into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "summary.json", to_json({**ens.summary(), **(extra or {})}))
    write_atomic(out / "replications.csv", csv_text(ens.rows()))
    events = [
        {"replication": r.index, "date": ens.model.date(t).isoformat(), "day": round(t, 4),
         "from": a, "to": b, "by": by}
        for r in ens.results for t, a, b, by in r.transitions
    ]
    write_atomic(out / "events.csv", csv_text(events, ["replication", "date", "day", "from", "to", "by"]))


# -- commands ---------------------------------------------------------------------


def _run_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario `run` runs: the file, or its free or conditional variant (`--mode`), as validate runs them."""
    sc = _load(args.scenario, args)
    if args.mode == "file":
        return sc
    from ..explore.validation import mode_variant

    return mode_variant(sc, args.mode)


def _summary_extra(args: argparse.Namespace) -> dict[str, Any]:
    """What `run` adds to the ensemble's summary: its mode, and the --set overrides in force."""
    # like --set, the mode is said only when it is not the default, so the summary of the file as it is
    # stays the ensemble's own (what the API and the classroom page give)
    extra: dict[str, Any] = {"mode": run_mode(args.mode)} if args.mode != "file" else {}
    sets = _parse_sets(args.set)
    if sets:  # say which overrides are in force, so a changed table is never mistaken for the baseline
        extra["set"] = sets
    return extra


def cmd_run(args: argparse.Namespace) -> int:
    sc = _run_scenario(args)
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.chunk is not None and args.chunk < 1:
        raise UsageError("--chunk must be at least 1")
    identity = {**run_identity(sc.sha256, args.seed, args.runs, __version__), "mode": args.mode}
    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem if args.plot else None
    store_file = args.store or (str(out / STORE_NAME) if out is not None and args.out else None)
    if args.store:
        check_output(args.store, folder=True, file=True)  # a pipe, a device, a loop of links: one line
    if args.resume and store_file is None:
        raise UsageError("--resume needs a run store: give --store PATH or --out DIR")
    if out is not None:  # refuse before running: a refusal should cost no work
        check_command_folder(out, "run", force=args.force)
        check_output_dir(out, identity, force=args.force)
        claim_output_dir(out, identity, force=args.force)
    progress = ProgressBar(f"{Path(args.scenario).name}")
    model = compile_scenario(sc)
    meta = {"command": "run", "set": _parse_sets(args.set), "mode": args.mode, "workers": args.workers,
            "scheduler": args.scheduler}
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

                write_results(ens, out, _summary_extra(args))
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
    summary = {**ens.summary(), **_summary_extra(args)}
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
            for line in assumptions(sc):
                print(f"  given: {line}: an assumption, not a fact")
        except ScenarioError as exc:
            print(exc.format(), file=sys.stderr)
            bad += 1
    return EXIT_USAGE if bad else EXIT_OK


def cmd_story(args: argparse.Namespace) -> int:
    sc = _load(args.scenario, args)
    told = tell(compile_scenario(sc), args.seed, args.replication, args.runs)
    if told["failed"]:
        print(f"diplosim: replication {args.replication} of seed {args.seed} failed: {told['failed']}",
              file=sys.stderr)
        return EXIT_ERROR
    for line in story_text(told):
        print(line)
    return EXIT_OK


def _episodes(args: argparse.Namespace) -> list[Scenario]:
    paths = args.scenarios or sorted(str(p) for p in HISTORY_DIR.glob("*.yaml"))
    scenarios = [_load(p, args) for p in paths]
    if getattr(args, "params", None):  # the file's values, fixed: --params never draws from a posterior
        params = load_parameters(args.params, posterior=False)
        scenarios = [dataclasses.replace(sc, params=params) for sc in scenarios]
    with_record = [sc for sc in scenarios if sc.record is not None]
    if not with_record:
        raise UsageError("no scenario with a 'record:' to validate against")
    return with_record


STORY_RUNS = 200
"""Replications `story` runs beside the one it tells, to say how common its ending is (±7 points at 95%)."""

def _say(line: str) -> None:
    """validate's progress: one whole line on stderr per step, in a terminal or a log alike."""
    print(line, file=sys.stderr, flush=True)


def cmd_validate(args: argparse.Namespace) -> int:
    from ..explore.validation import prior_medians, validate

    episodes = _episodes(args)
    out = Path(args.out or "results/validation") if args.out or args.plot else None
    folder = (claimed(out, "validate", inputs_of(args, [sc.sha256 for sc in episodes]), force=args.force)
              if out is not None else contextlib.nullcontext())
    with folder:  # claimed before the work: a refused folder costs none
        report = validate(episodes, args.runs, args.seed, args.evaluate, prior=prior_medians(episodes[0].params),
                          progress=_say)
        if args.json:
            print(to_json(report), end="")
        elif args.markdown:
            print(_validation_markdown(report))
        else:
            print(_validation_table(report))
        if out is not None:
            write_atomic(out / "validation.json", to_json(report))
            if args.plot:
                from ..present.explore_figures import validation_plot

                paths = validation_plot(report, out)
                print(f"plots: {len(paths)} files in {out}", file=sys.stderr)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from ..present.calibration_figures import is_calibration_dir, write_calibration_plots
    from ..present.run_figures import write_plots

    check_results_dir(args.results)  # missing, a file, a loop of links, a name too long: one line
    if is_calibration_dir(args.results):
        for path in write_calibration_plots(args.results, args.out_dir):
            print(path)
        return EXIT_OK
    if path_status(Path(args.results) / "summary.json") is None:  # anything else there: refused as it is read
        raise UsageError(f"{args.results}: not a results directory (no summary.json); "
                         f"make one with `run SCENARIO --out {args.results}` (or give a calibration's "
                         f"directory, with posterior.csv)")
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
                            "scenario's own folder, the collection it is in and the shipped scenarios)")

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
    p.add_argument("--mode", choices=tuple(RUN_MODES), default="file",
                   help="file: as written, its given moves kept (default); free: no move given, every actor "
                        "decides; conditional: the given moves, only Seoul decides (free and conditional as in "
                        "validate)")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("plot", help="draw the plots of a results directory written by `run --out` "
                                    "(or of a calibration: `calibrate --out`, scenarios/params)")
    p.add_argument("results", help="results directory (with summary.json), or a calibration's (with posterior.csv)")
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
    p.add_argument("--runs", type=story_runs_arg, default=STORY_RUNS,
                   help=f"replications of the same seed run to say how common this ending is "
                        f"(default {STORY_RUNS}; 0 skips it)")
    common(p)
    p.set_defaults(func=cmd_story)

    p = sub.add_parser("validate", help="run every episode with a record and score the model against history")
    p.add_argument("scenarios", nargs="*", help="scenario files (default: scenarios/history/*.yaml)")
    p.add_argument("--runs", type=runs_arg, default=2000, help="replications per episode (default 2000)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--params", help="parameter file to use instead of the scenarios' own, its values fixed "
                                    "(no posterior draws)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--markdown", action="store_true", help="print Markdown tables (as in the README)")
    p.add_argument("--out", help="directory for validation.json (and the plot)")
    p.add_argument("--plot", action="store_true",
                   help="also draw grouped outcome bars per episode (into --out, default results/validation)")
    add_force(p)
    p.add_argument("--workers", type=int, default=None,
                   help="processes, one pool for every point (default: all cores; 1 runs here)")
    common(p)
    p.set_defaults(func=experiment(cmd_validate))

    add_calibration_commands(sub, common, lambda cmd: lambda args: cmd(args, _episodes(args)))

    from .explore import add_commands  # compare, sweep, sensitivity, explain, discover, counterfactuals

    add_commands(sub, common)
    add_store_commands(sub)
    add_serve_command(sub)
    add_compile_command(sub)
    add_list_command(sub)
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
            status: int = args.func(args)
            try:
                sys.stdout.flush()  # here, so that a reader gone (`| head`) is seen here
            except StdoutClosed:
                silence_stdout()
            return status
    except StdoutClosed:  # the reader has what it wanted (`| head`): end quietly, the work is done
        silence_stdout()
        return EXIT_OK
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
