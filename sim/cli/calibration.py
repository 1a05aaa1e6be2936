"""The `identify`, `calibrate` and `posterior` commands: argument parsing and printing around
explore/identify.py, explore/abc.py and explore/posterior.py."""

from __future__ import annotations

import argparse
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain.parameters import CALIBRATED, PARAMETERS
from ..errors import shown_path
from ..files import csv_text, path_status, to_json, write_atomic
from ..model import compiled_in_use
from ..run.parallel import default_workers
from ..scenario.loader import Scenario
from ..scenario.params import load_posterior, parameters_to_yaml
from ..scenario.shipped import LOO_DIR, SHIPPED_DIR
from .common import EXIT_OK, UsageError, runs_arg, seed_arg
from .outputs import add_force, claimed, inputs_of

PARAMS_DIR = SHIPPED_DIR / "params"
EACH = "each"
"""`--leave-out each`: every fold in turn (the one command that remakes scenarios/params/loo/)."""


def _say(args: argparse.Namespace) -> Callable[[str], None]:
    def say(line: str) -> None:
        print(f"{args.command}: {line}", file=sys.stderr, flush=True)
    return say


def split_leave_out(scenarios: list[Scenario], leave_out: str | None) -> tuple[list[Scenario], Scenario | None]:
    """The episodes to calibrate on, and the one left out (matched by file stem or name)."""
    if not leave_out:
        return scenarios, None
    match = [sc for sc in scenarios if leave_out in (Path(sc.path).stem, sc.name)]
    if len(match) != 1:
        raise UsageError(f"--leave-out '{leave_out}' matches {len(match)} episodes; name one of: "
                         f"{', '.join(Path(sc.path).stem for sc in scenarios)}")
    return [sc for sc in scenarios if sc is not match[0]], match[0]


def cmd_identify(args: argparse.Namespace, episodes: list[Scenario]) -> int:
    from ..explore.identify import identifiability_markdown, identify, summary_line
    from ..explore.targets import EpisodeSet

    if args.samples < 20:
        raise UsageError("--samples must be at least 20")
    say = _say(args)
    t0 = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            say(f"{done}/{total} parameter vectors, {time.monotonic() - t0:.0f} s")

    out = Path(args.out)
    with claimed(out, "identify", inputs_of(args, [sc.sha256 for sc in episodes]), force=args.force):
        report = identify(EpisodeSet.of(episodes, episodes[0].params), args.samples, args.runs, args.seed,
                          args.workers or default_workers(), progress=progress)
        write_atomic(out / "identify.json", to_json(report))
    if args.json:
        print(to_json(report), end="")
    else:
        print(summary_line(report))
        print()
        print(identifiability_markdown(report, None if args.markdown else 25))
    say(f"wrote {out / 'identify.json'}")
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace, episodes: list[Scenario]) -> int:
    from ..explore.identify import at_prior_medians

    if args.population < 10:
        raise UsageError("--population must be at least 10")
    if args.identify_samples < 20:
        raise UsageError("--identify-samples must be at least 20")
    folds = ([sc for sc in episodes if sc.record is not None] if args.leave_out == EACH
             else [split_leave_out(episodes, args.leave_out)[1]])
    names = list(CALIBRATED)
    if folds == [None] and not names:
        raise UsageError("no parameter is declared calibrated (sim/domain/parameters.py)")
    out = Path(args.out)
    with claimed(out, "calibrate", inputs_of(args, [sc.sha256 for sc in episodes]), force=args.force):
        for held_out in folds:
            if held_out is None:
                # the parameters no longer calibrated go back to their prior medians (not the medians an
                # earlier posterior gave them); every predictive draws them from their priors anyway
                _calibrate(args, out, episodes, None, names, at_prior_medians(episodes[0].params))
                continue
            where = out / Path(held_out.path).stem if args.leave_out == EACH else out
            where.mkdir(parents=True, exist_ok=True)
            on = [sc for sc in episodes if sc is not held_out]
            selection = _fold_selection(args, where, episodes, held_out)
            _calibrate(args, where, on, held_out, selection, at_prior_medians(episodes[0].params))
    return EXIT_OK


def _fold_selection(args: argparse.Namespace, out: Path, episodes: list[Scenario], held_out: Scenario) -> list[str]:
    """`identify` on the fold's episodes (never the left-out one): the parameters this fold calibrates;
    its report goes to `out`/identify.json."""
    from ..explore.identify import fold_selection

    say = _say(args)
    stem = Path(held_out.path).stem
    say(f"identify without {stem}: {args.identify_samples} parameter vectors x {args.identify_runs} "
        f"replications of {len(episodes) - 1} episodes")
    report = fold_selection(episodes, held_out, episodes[0].params, samples=args.identify_samples,
                            runs=args.identify_runs, seed=args.seed, workers=args.workers or default_workers())
    write_atomic(out / "identify.json", to_json(report))
    if not report["selected"]:
        raise UsageError(f"without {stem}, no parameter is identified: nothing to calibrate")
    say(f"without {stem}: {len(report['identified'])} parameters identified, the cap of "
        f"{report['independent_targets'] // 2} selects {', '.join(report['selected'])}")
    return list(report["selected"])


def _calibrate(args: argparse.Namespace, out: Path, on: list[Scenario], held_out: Scenario | None,
               names: list[str], base: Any) -> int:
    """The calibration itself, into the claimed folder `out`: `names` searched, the rest held at `base`
    (for a fold: every parameter's prior median)."""
    from ..explore.abc import calibrate_abc
    from ..explore.posterior import weighted_quantile
    from ..explore.targets import EpisodeSet, episode_key, kind_weights
    from ..explore.validation import eventful

    say = _say(args)
    say(f"ABC-SMC over {len(names)} parameters ({', '.join(names)}), {args.population} particles, "
        f"{len(on)} episodes" + (f", {Path(held_out.path).stem} left out" if held_out else ""))
    weights = kind_weights({episode_key(sc): eventful(sc) for sc in on}) if args.balance_kinds else None
    if weights is not None:
        say("episodes weighted so that the eventful and the quiet weigh the same: "
            + ", ".join(f"{key} {w:.3g}" for key, w in weights.items()))
    where = compiled_in_use()
    say(f"model: compiled ({where})" if where else
        "model: pure Python (`python run.py compile`, then DIPLOSIM_COMPILED=1, calibrates about twice as fast)")
    result = calibrate_abc(EpisodeSet.of(on, base), names, population=args.population, seed=args.seed,
                           workers=args.workers or default_workers(), database=out / "abc.db",
                           max_generations=args.generations, max_simulations=args.max_simulations,
                           max_minutes=args.minutes, progress=say, episode_weights=weights)
    rows = result.posterior_rows()
    medians = {n: weighted_quantile([p[n] for p in result.particles], result.weights, 0.5) for n in names}
    command = " ".join(["diplosim calibrate", *sys.argv[2:]]) if len(sys.argv) > 1 else "diplosim calibrate"
    header = (f"Calibrated by: {command}\n"
              f"ABC-SMC (pyABC), {args.population} particles, {len(result.generations)} generations, "
              f"{result.simulations} simulations, {result.seconds / 60:.1f} min, root seed {args.seed}\n"
              f"Episodes: {', '.join(Path(sc.path).stem for sc in on)}"
              + (" (the eventful and the quiet weighing the same: --balance-kinds)\n" if weights else "\n")
              + ("The parameters no target identifies: drawn from their priors in every simulation and every "
                 "replication (docs/calibration.md); the values below are their prior medians." if held_out is None
                 else f"Calibrated: the parameters `identify` selects without {Path(held_out.path).stem} "
                 "(identify.json); the rest drawn from their priors."))
    write_atomic(out / "posterior.csv", csv_text(rows))
    write_atomic(out / "params.yaml", parameters_to_yaml(base.fixed().with_values(medians), header, "posterior.csv"))
    report: dict[str, Any] = {
        "command": command, "population": args.population, "seed": args.seed, "names": names,
        "episodes": [sc.path for sc in on], "left_out": held_out.path if held_out else None,
        "selected_by": "declared calibrated (sim/domain/parameters.py)" if held_out is None else
        "identify on the fold's episodes (identify.json)",
        "generations": result.generations, "simulations": result.simulations, "seconds": round(result.seconds, 1),
        "medians": {n: round(v, 6) for n, v in medians.items()},
        "episode_weights": weights,
        "database": result.database,
    }
    write_atomic(out / "report.json", to_json(report))
    print(f"{len(rows)} particles after {len(result.generations)} generations ({result.simulations} simulations, "
          f"{result.seconds / 60:.1f} min); final threshold {result.generations[-1]['epsilon']:.3f}")
    for n in names:
        values = [p[n] for p in result.particles]
        lo, hi = (weighted_quantile(values, result.weights, q) for q in (0.1, 0.9))
        info = PARAMETERS[n]
        print(f"  {n:<28} median {medians[n]:.4g}  10-90% [{lo:.4g}, {hi:.4g}]  prior {info.prior_text}")
    print(f"wrote {out / 'posterior.csv'}, {out / 'params.yaml'}, {out / 'report.json'}, {out / 'abc.db'}")
    if args.ship:
        if held_out is None:
            write_atomic(PARAMS_DIR / "posterior.csv", csv_text(rows))
            write_atomic(PARAMS_DIR / "default.yaml",
                         parameters_to_yaml(base.fixed().with_values(medians), header, "posterior.csv"))
            print(f"shipped: {PARAMS_DIR / 'default.yaml'} and {PARAMS_DIR / 'posterior.csv'}")
        else:
            target = LOO_DIR / f"{Path(held_out.path).stem}.csv"
            write_atomic(target, csv_text(rows))
            print(f"shipped: {target}")
    return EXIT_OK


def cmd_posterior(args: argparse.Namespace) -> int:
    from ..explore.posterior import marginal_table

    path = Path(args.posterior)
    found = path_status(path)  # a loop of links or a name too long: one line, here
    if found is not None and stat.S_ISDIR(found.st_mode):
        path = path / "posterior.csv"
        found = path_status(path)
    if found is None:
        raise UsageError(f"{path}: no posterior sample here; write one with `calibrate --out DIR` "
                         f"(or `calibrate --ship` for {PARAMS_DIR / 'posterior.csv'})")
    posterior = load_posterior(path)
    print(f"{shown_path(path)}: {len(posterior)} particles, {len(posterior.names)} parameters")
    print()
    print(marginal_table(posterior, markdown=args.markdown))
    return EXIT_OK


def add_calibration_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None],
                             run: Callable[[Callable[[argparse.Namespace, list[Scenario]], int]],
                                           Callable[[argparse.Namespace], int]]) -> None:
    """The `identify`, `calibrate` and `posterior` subcommands."""
    p = sub.add_parser("identify", help="which parameters the calibration targets identify (global sensitivity "
                                        "across the priors)")
    p.add_argument("scenarios", nargs="*", help="episode files (default: scenarios/history/*.yaml)")
    p.add_argument("--samples", type=int, default=2000, help="parameter vectors drawn from the prior (default 2000)")
    p.add_argument("--runs", type=runs_arg, default=3, help="replications per episode per vector (default 3)")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--out", default="results/identify", help="output directory (default results/identify)")
    p.add_argument("--markdown", action="store_true", help="print the whole table (default: the top 25)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_force(p)
    common(p)
    p.set_defaults(func=run(cmd_identify))

    p = sub.add_parser("calibrate", help="ABC-SMC posterior of the calibrated parameters on every episode")
    p.add_argument("scenarios", nargs="*", help="episode files (default: scenarios/history/*.yaml)")
    p.add_argument("--population", type=int, default=1000, help="particles per generation (default 1000)")
    p.add_argument("--generations", type=int, default=8, help="most generations (default 8)")
    p.add_argument("--max-simulations", type=int, default=None, help="stop after this many simulations")
    p.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    p.add_argument("--seed", type=seed_arg, default=0, help="root seed (default 0)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--leave-out", help="calibrate without this episode (its file stem or name), from the prior, "
                                       "over the parameters `identify` selects without it; `each`: every "
                                       "episode in turn, each fold into OUT/EPISODE")
    p.add_argument("--identify-samples", type=int, default=2000,
                   help="with --leave-out: parameter vectors of the fold's `identify` (default 2000)")
    p.add_argument("--identify-runs", type=runs_arg, default=3,
                   help="with --leave-out: replications per episode per vector of the fold's `identify` (default 3)")
    p.add_argument("--out", default="results/calibration", help="output directory (default results/calibration)")
    p.add_argument("--ship", action="store_true",
                   help="also write the result into scenarios/params/ (default.yaml and posterior.csv; with "
                        "--leave-out, loo/EPISODE.csv)")
    p.add_argument("--balance-kinds", action="store_true",
                   help="weight each episode's distance so that the eventful episodes and the quiet ones weigh "
                        "the same, whatever their numbers (an experiment, docs/calibration.md; off by default)")
    add_force(p)
    common(p)
    p.set_defaults(func=run(cmd_calibrate))

    p = sub.add_parser("posterior", help="what a calibration learned: each parameter's posterior median and "
                                         "10-90%% against its prior")
    p.add_argument("posterior", nargs="?", default=str(PARAMS_DIR / "posterior.csv"),
                   help="posterior.csv, or a directory holding one (default: the shipped "
                        "scenarios/params/posterior.csv)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.set_defaults(func=cmd_posterior)
