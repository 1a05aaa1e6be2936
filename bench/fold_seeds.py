#!/usr/bin/env python3
"""How far a left-out score moves between fold seeds, and how much of that is the replications' noise.

    python bench/fold_seeds.py s1.json s2.json s3.json                      # one model, a validate JSON per fold seed
    python bench/fold_seeds.py a1.json a2.json a3.json --against b1.json b2.json b3.json   # two, paired by seed
    python bench/fold_seeds.py s1.json s2.json s3.json --episodes           # and each episode's P(recorded)

Each file is the output of `python run.py validate --json` made on one set of folds (`calibrate --leave-out
each --seed S --ship`); for two models, the files of the same fold seed come in the same position. Prints the
left-out Brier (eventful / quiet / all) of each seed with its Monte Carlo standard error (the replications'
share, worked out from the episodes' left-out shares as validate's `brier_mc_se` is, so older files serve), then
the mean over the seeds, their standard deviation, the standard error of the mean, and the part of the
seeds' variance the replications explain (above 1 when the seeds happen to spread less than the
replications alone would make them, as a few seeds can). With `--against`: the per-seed differences (second
minus first), their mean with a t interval (95%, k - 1 degrees of freedom), and the same split of their
variance. With `--episodes`: each episode's left-out P(recorded outcome), its mean and range over the seeds,
beside the prior predictive's (validate's `prior` column, the same in every file of one validate seed).

A diagnostic of the ship rule's noise (docs/model.md section 8), not a test: what is left after the
replications' part is the calibrations' own (which particles each fold's ABC kept), and only more fold
seeds, or larger fold calibrations, narrow it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path

from scipy import stats

from diplosim.explore.scores import brier, brier_mc_variance
from diplosim.explore.validation import mean_se

KINDS = ("eventful", "quiet", "all")


def left_out(report: dict) -> dict[str, tuple[float, float]]:
    """(left-out Brier, its Monte Carlo standard error) per kind of episode, from one validate report."""
    episodes = [ep for ep in report["episodes"] if ep.get("loo")]
    out = {}
    for kind in KINDS:
        chosen = [ep for ep in episodes if kind == "all" or (kind == "eventful") == ep["eventful"]]
        if not chosen:  # a report on some episodes only (validate given files): no score for this kind
            out[kind] = (math.nan, math.nan)
            continue
        scores = [brier(ep["loo"]["probabilities"], ep["outcome"]) for ep in chosen]
        var = [brier_mc_variance(ep["loo"]["probabilities"], ep["outcome"], ep["loo"].get("runs", report["runs"]))
               for ep in chosen]
        out[kind] = (sum(scores) / len(scores), mean_se(var) or 0.0)
    return out


def episode_lines(reports: list[dict]) -> list[str]:
    """Each episode's left-out P(recorded): mean and range over the reports (fold seeds), and the prior's mean."""
    lines = []
    for i, ep in enumerate(reports[0]["episodes"]):
        if not ep.get("loo"):
            continue
        p = [r["episodes"][i]["loo"]["p"] for r in reports]
        prior = statistics.fmean(r["episodes"][i]["prior"]["p"] for r in reports)
        kind = "eventful" if ep["eventful"] else "quiet"
        lines.append(f"  {ep['name']:14s} {kind:8s} left out {statistics.fmean(p):.3f} "
                     f"[{min(p):.3f} to {max(p):.3f}]   prior {prior:.3f}")
    return lines


def spread(values: list[float], mc_se: list[float], signed: bool = False) -> str:
    """Mean (with its t interval), standard deviation over the seeds, standard error of the mean, and the
    replications' share of the seeds' variance (their mean squared error over the sample variance; above 1
    when the seeds happen to spread less than the replications alone would make them). `signed` prints the
    mean with its sign (a difference)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{mean:.3f} (one seed: no spread)"
    sd = statistics.stdev(values)
    share = statistics.fmean(se ** 2 for se in mc_se) / sd ** 2 if sd > 0 else math.inf
    se = sd / math.sqrt(len(values))
    half = stats.t.ppf(0.975, len(values) - 1) * se
    f = "+.3f" if signed else ".3f"
    return (f"mean {mean:{f}} [{mean - half:{f}}, {mean + half:{f}}], SD {sd:.3f}, SE {se:.3f}, "
            f"replications' share of the variance {share:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="validate --json files, one per fold seed")
    parser.add_argument("--against", nargs="+", type=Path, default=[],
                        help="a second model's files, in the same order of fold seeds")
    parser.add_argument("--episodes", action="store_true",
                        help="also print each episode's left-out P(recorded outcome) over the seeds, and the prior's")
    args = parser.parse_args()
    if args.against and len(args.against) != len(args.reports):
        parser.error(f"--against needs one file per fold seed: {len(args.reports)} against {len(args.against)}")
    reports = {name: [json.loads(path.read_text(encoding="utf-8")) for path in paths]
               for name, paths in (("first", args.reports), ("second", args.against))}
    first = [left_out(report) for report in reports["first"]]
    second = [left_out(report) for report in reports["second"]]
    for name, model, paths in (("first", first, args.reports), ("second", second, args.against)):
        if not model:
            continue
        if args.episodes:
            print(f"{name} model, P(recorded outcome) left out by episode: mean [range] over the fold seeds")
            print("\n".join(episode_lines(reports[name])))
        print(f"{name} model, left-out Brier by fold seed (eventful / quiet / all; Monte Carlo SE in brackets)")
        for path, got in zip(paths, model, strict=True):
            print(f"  {path}: " + " / ".join(f"{got[k][0]:.3f} ({got[k][1]:.3f})" for k in KINDS))
        for kind in KINDS:
            if any(math.isnan(got[kind][0]) for got in model):
                continue  # no episode of this kind in the reports
            print(f"  {kind:8s} " + spread([got[kind][0] for got in model], [got[kind][1] for got in model]))
    if second:
        print("second minus first, paired by fold seed")
        for kind in KINDS:
            if any(math.isnan(a[kind][0]) or math.isnan(b[kind][0]) for a, b in zip(first, second, strict=True)):
                continue
            diffs = [b[kind][0] - a[kind][0] for a, b in zip(first, second, strict=True)]
            mc = [math.hypot(a[kind][1], b[kind][1]) for a, b in zip(first, second, strict=True)]
            print(f"  {kind:8s} " + " ".join(f"{d:+.3f}" for d in diffs) + "; " + spread(diffs, mc, signed=True))


if __name__ == "__main__":
    main()
