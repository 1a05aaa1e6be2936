"""Identifiability: which parameters the calibration targets can pin down.

Parameter vectors are drawn from the prior of every declared parameter (a
Latin hypercube over their prior quantiles, `scipy.stats.qmc`), each is run on
every episode (free mode, a few replications), and each target's mean is
recorded (`targets.py`). For a parameter X and a target Y, the first-order
sensitivity is the correlation ratio

    eta^2 = Var(E[Y | X]) / Var(Y),

the share of the target's variance across the prior that the parameter alone
explains, estimated by cutting X into equal-count bins (a given-data estimate
of the first-order Sobol index: Plischke, Borgonovo & Smith 2013, European
Journal of Operational Research 226:3). With `bins` bins and N samples an
uninformative parameter still shows about (bins - 1) / N, the noise floor
the report states. A parameter is *identified* when some group of targets
(an episode's outcome, its dates and moves, or its polls) has eta^2 above the
threshold; the calibration then searches it, and the others stay at their
prior median.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from ..domain.parameters import PARAMETERS
from ..run.parallel import pool_map
from ..scenario.loader import Scenario
from ..scenario.params import ParameterSet
from .targets import EpisodeSet, episode_key

THRESHOLD = 0.03
"""eta^2 above which a target group identifies a parameter (several times the noise floor of the
default design, 9 / 600 = 0.015)."""


def _simulate(episodes: EpisodeSet, item: tuple[dict[str, float], tuple[int, int], int]) -> dict[str, float]:
    values, (seed, index), runs = item
    return episodes.simulate(values, np.random.SeedSequence(seed, spawn_key=(index,)), runs)


def target_group(name: str) -> str:
    """The group a target belongs to: `stem:outcome`, `stem:steps` (its dates and moves) or `stem:polls`."""
    key, kind = name.split(":", 2)[:2]
    return f"{key}:{'steps' if kind in ('date', 'move') else kind}"


def correlation_ratio(x: np.ndarray, y: np.ndarray, bins: int) -> float:
    """eta^2 of `y` given `x`, with `x` cut into `bins` bins of equal count."""
    total = float(np.var(y))
    if total <= 0.0:
        return 0.0
    order = np.argsort(x, kind="stable")
    means = [float(np.mean(y[part])) for part in np.array_split(order, bins) if len(part)]
    sizes = [len(part) for part in np.array_split(order, bins) if len(part)]
    grand = float(np.mean(y))
    between = sum(n * (m - grand) ** 2 for n, m in zip(sizes, means, strict=True)) / len(y)
    return between / total


def sample_prior(names: Sequence[str], samples: int, seed: int) -> list[dict[str, float]]:
    """`samples` parameter vectors: a Latin hypercube over the prior quantiles of `names`."""
    design = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(np.random.SeedSequence(seed))).random(samples)
    return [{n: PARAMETERS[n].from_unit(float(u)) for n, u in zip(names, row, strict=True)} for row in design]


def identify(episodes: EpisodeSet, samples: int, runs: int, seed: int, workers: int,
             names: Sequence[str] | None = None, bins: int = 10,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Sensitivity of every target group to every parameter across the prior (see the module docstring)."""
    names = list(names or PARAMETERS)
    points = sample_prior(names, samples, seed)
    items = [(values, (seed, i), runs) for i, values in enumerate(points)]
    rows: list[dict[str, float]] = []
    for out in pool_map(_simulate, items, episodes, workers, chunk=4):
        rows.append(out)
        if progress is not None:
            progress(len(rows), samples)
    targets = episodes.names
    groups = sorted({target_group(t) for t in targets}, key=lambda g: targets.index(
        next(t for t in targets if target_group(t) == g)))
    group_y = np.array([[float(np.mean([row.get(t, 1.0) for t in targets if target_group(t) == g]))
                         for g in groups] for row in rows])
    table: dict[str, dict[str, float]] = {}
    for name in names:
        x = np.array([p[name] for p in points])
        table[name] = {g: round(correlation_ratio(x, group_y[:, j], bins), 4) for j, g in enumerate(groups)}
    floor = (bins - 1) / samples
    # a group whose values are those of another group in every sample tells nothing more (a "never gave
    # notice" move is the same as a renewal outcome)
    independent = [g for j, g in enumerate(groups)
                   if not any(np.array_equal(group_y[:, j], group_y[:, k]) for k in range(j))]
    score = {n: sum(v for g, v in row.items() if v >= THRESHOLD and g in independent) for n, row in table.items()}
    identified = sorted((n for n in names if score[n] > 0), key=lambda n: -score[n])
    cap = len(independent) // 2
    return {
        "samples": samples, "runs": runs, "seed": seed, "bins": bins, "noise_floor": round(floor, 4),
        "threshold": THRESHOLD, "groups": groups, "targets": targets, "table": table,
        "score": {n: round(s, 4) for n, s in score.items()},
        "identified": identified, "independent_groups": independent, "independent_targets": len(independent),
        "selected": identified[:cap],
        "target_spread": {g: round(float(np.std(group_y[:, j])), 4) for j, g in enumerate(groups)},
    }


def at_prior_medians(base: ParameterSet) -> ParameterSet:
    """`base` with every declared parameter at its prior median and no posterior: the values a leave-one-out
    fold starts from, so that no value calibrated with the left-out episode reaches it. Names overridden in
    `base` stay overridden; the medians themselves are not overrides (a posterior drawn on top replaces them)."""
    medians = base.fixed().with_values({n: info.prior_median for n, info in PARAMETERS.items()})
    return dataclasses.replace(medians, overridden=base.overridden)


def fold_selection(scenarios: Sequence[Scenario], held_out: Scenario, base: ParameterSet, *, samples: int,
                   runs: int, seed: int, workers: int,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """`identify` inside one leave-one-out fold: on every episode of `scenarios` but `held_out`, so the
    left-out episode has no say in which parameters the fold calibrates. The report's `selected` is the
    fold's choice; `episodes` and `left_out` say which fold it is."""
    on = [sc for sc in scenarios if sc is not held_out]
    report = identify(EpisodeSet.of(on, at_prior_medians(base)), samples, runs, seed, workers, progress=progress)
    report["episodes"] = [episode_key(sc) for sc in on]
    report["left_out"] = episode_key(held_out)
    return report


def identifiability_markdown(report: Mapping[str, Any], top: int | None = None) -> str:
    """The identifiability table: each parameter's score (summed eta^2 over the independent target groups
    where it exceeds the threshold), its largest eta^2 and where, ranked; and whether it is selected."""
    table, score = report["table"], report["score"]
    ranked = sorted(table, key=lambda n: (-score[n], -max(table[n].values())))
    lines = [f"| parameter | prior | score | largest eta^2 | in target group | groups above {report['threshold']:g} | "
             "selected |", "|---|---|---|---|---|---|---|"]
    for name in ranked[:top] if top else ranked:
        row = table[name]
        best = max(row, key=lambda g: row[g])
        above = sum(v >= report["threshold"] for g, v in row.items() if g in report["independent_groups"])
        info = PARAMETERS[name]
        chosen = "yes" if name in report["selected"] else ("no (fixed at its prior median)" if info.fixed
                                                        else "no (drawn from its prior)")
        lines.append(f"| `{name}` | {info.prior_text} | {score[name]:.3f} | {row[best]:.3f} | {best} | {above} | "
                     f"{chosen} |")
    return "\n".join(lines)


def summary_line(report: Mapping[str, Any]) -> str:
    """One line: how many parameters the targets identify, against how many independent targets."""
    n = len(report["identified"])
    return (f"{n} of {len(report['table'])} parameters identified (eta^2 >= {report['threshold']:g} for some "
            f"independent target group; noise floor {report['noise_floor']:g}); {report['independent_targets']} "
            f"independent target groups, so at most {math.floor(report['independent_targets'] / 2)} calibrated: "
            f"{', '.join(report['selected'])}")
