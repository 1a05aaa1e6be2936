"""Scenario discovery: the few conditions under which an outcome becomes likely.

We draw many variants of a scenario (parameters by Latin hypercube over their
declared bounds; each trigger kept or dropped at random), estimate the
outcome's probability in each from a small ensemble, and call a variant a
*case of interest* when that probability reaches a threshold. PRIM (the
Patient Rule Induction Method, Friedman and Fisher 1999, as used for scenario
discovery by Bryant and Lempert 2010) then looks for a box, a conjunction of
simple conditions, that holds many cases of interest and few others:

- *density*: the share of variants inside the box that are cases of interest;
- *coverage*: the share of all cases of interest that fall inside the box.

The PRIM here is our own small one: peel a slice of ``alpha`` of the points off
one side of one numeric dimension (or fix one yes/no dimension) at a time,
always the peel that gains the most density per point removed (PRIM's
patience), down to a minimum support;
simplify every box of that trajectory to at most three conditions (dropping
the cheapest first, then any whose removal costs almost no density), so the
rules are few; pick the densest simplified box that still has the required
coverage. After a box is found its points are set aside and the
search repeats for the next box (covering): the density and coverage of a
second box are those among the variants the first box left.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from ..errors import ScenarioError, did_you_mean
from ..model.engine import Model, compile_scenario
from ..scenario.loader import Scenario
from ..scenario.variants import active_triggers
from .compare import render_table
from .experiment import Runner, run_points
from .sensitivity import select_parameters

# -- PRIM ------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """Bounds on every dimension (a yes/no dimension is bounded to 0, 1 or both)."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def contains(self, x: np.ndarray) -> np.ndarray:
        """Which rows of `x` lie inside the box."""
        return np.all((x >= np.array(self.lower)) & (x <= np.array(self.upper)), axis=1)

    def restricted(self, full: Box) -> list[int]:
        """Dimensions on which this box is narrower than `full`."""
        return [j for j in range(len(self.lower))
                if self.lower[j] > full.lower[j] or self.upper[j] < full.upper[j]]


def _stats(box: Box, x: np.ndarray, y: np.ndarray, total: int) -> tuple[float, float, int]:
    inside = box.contains(x)
    n = int(inside.sum())
    hits = int(y[inside].sum())
    return (hits / n if n else 0.0), (hits / total if total else 0.0), n


def peel(x: np.ndarray, y: np.ndarray, binary: Sequence[bool], *, alpha: float = 0.05,
         min_support: float = 0.05) -> list[Box]:
    """PRIM's peeling trajectory: the full box, then ever smaller, denser boxes."""
    n, k = x.shape
    full = Box(tuple(x.min(axis=0)) if n else (0.0,) * k, tuple(x.max(axis=0)) if n else (0.0,) * k)
    boxes = [full]
    box = full
    floor = max(1, int(np.ceil(min_support * n)))
    while True:
        inside = box.contains(x)
        xs, ys = x[inside], y[inside]
        if len(ys) <= floor or ys.mean() >= 1.0:
            return boxes
        best: tuple[float, int, Box] | None = None
        for j in range(k):
            col = xs[:, j]
            candidates: list[tuple[float, float]] = []
            if binary[j]:
                if col.min() < col.max():
                    candidates = [(0.0, 0.0), (1.0, 1.0)]
            else:
                lo_cut, hi_cut = np.quantile(col, [alpha, 1 - alpha])
                candidates = [(float(lo_cut), box.upper[j]), (box.lower[j], float(hi_cut))]
            for lo, hi in candidates:
                keep = (col >= lo) & (col <= hi)
                # a peel must remove points and keep at least the minimum support
                if keep.all() or keep.sum() < floor:
                    continue
                # patience: the gain in density per point peeled off, so that a yes/no
                # dimension, which peels off many points at once, must earn its cut
                gain = (ys[keep].mean() - ys.mean()) / (len(ys) - keep.sum())
                if best is None or gain > best[0]:
                    lower = list(box.lower)
                    upper = list(box.upper)
                    lower[j], upper[j] = lo, hi
                    best = (float(gain), int(keep.sum()), Box(tuple(lower), tuple(upper)))
        if best is None or best[0] < 0:
            return boxes
        box = best[2]
        boxes.append(box)


def simplify(box: Box, full: Box, x: np.ndarray, y: np.ndarray, tolerance: float, most: int) -> Box:
    """Drop conditions, cheapest first: while there are more than `most`, and then while
    dropping one lowers the box's density by less than `tolerance`."""
    total = int(y.sum())
    density, _, _ = _stats(box, x, y, total)
    while True:
        options = []
        for j in box.restricted(full):
            lower, upper = list(box.lower), list(box.upper)
            lower[j], upper[j] = full.lower[j], full.upper[j]
            wider = Box(tuple(lower), tuple(upper))
            d, _, _ = _stats(wider, x, y, total)
            options.append((d, wider))
        if not options:
            return box
        d, wider = max(options, key=lambda db: db[0])
        if len(options) <= most and d < density - tolerance:
            return box
        box = wider
        density = min(density, d) if len(options) <= most else d


def find_boxes(x: np.ndarray, y: np.ndarray, binary: Sequence[bool], *, boxes: int = 2,
               min_coverage: float = 0.3, alpha: float = 0.05, min_support: float = 0.05,
               tolerance: float = 0.03, most: int = 3) -> list[dict[str, Any]]:
    """Up to `boxes` PRIM boxes, each as bounds with its density, coverage and support."""
    total = int(y.sum())
    found: list[dict[str, Any]] = []
    left = np.ones(len(y), dtype=bool)
    if total == 0:
        return found
    full = Box(tuple(x.min(axis=0)), tuple(x.max(axis=0)))
    for _ in range(boxes):
        xs, ys = x[left], y[left]
        if ys.sum() == 0:
            break
        trajectory = peel(xs, ys, binary, alpha=alpha, min_support=min_support * len(y) / max(1, len(ys)))
        # every box of the trajectory, simplified to at most `most` conditions; then the
        # densest of those that still hold `min_coverage` of the cases of interest
        simple = [simplify(_reframe(b, full, xs), full, xs, ys, tolerance, most) for b in trajectory]
        # scored on the variants earlier boxes left (covering), as PRIM's covering does
        remaining = int(ys.sum())
        scored = [(b, *_stats(b, xs, ys, remaining)) for b in simple]
        enough = [s for s in scored if s[2] >= min_coverage] or scored[:1]
        chosen, density, coverage, support = max(enough, key=lambda s: (s[1], s[2], -len(s[0].restricted(full))))
        found.append({"box": chosen, "density": density, "coverage": coverage, "support": support,
                      "restricted": chosen.restricted(full)})
        left &= ~chosen.contains(x)
    return found


def _reframe(box: Box, full: Box, x: np.ndarray) -> Box:
    """Bounds that equal the remaining data's extremes mean no condition: widen them to the full box."""
    lower, upper = list(box.lower), list(box.upper)
    for j in range(len(lower)):
        if len(x) and lower[j] <= x[:, j].min():
            lower[j] = full.lower[j]
        if len(x) and upper[j] >= x[:, j].max():
            upper[j] = full.upper[j]
    return Box(tuple(lower), tuple(upper))


# -- sampling the scenario ----------------------------------------------------------


def discover(sc: Scenario, outcome: str, samples: int, runs: int, seed: int, runner: Runner, *,
             threshold: float = 0.5, drop: float = 0.5, names: Sequence[str] = (), boxes: int = 2,
             min_coverage: float = 0.3, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Sample variants of `sc`, find the boxes where `outcome` has probability >= `threshold`."""
    outcomes = sc.outcomes
    if outcome not in outcomes:
        raise ScenarioError(f"'{outcome}' is not an outcome of this scenario{did_you_mean(outcome, outcomes)}; "
                            f"expected one of {', '.join(outcomes)}", file="--outcome")
    if not 0.0 < threshold <= 1.0 or not 0.0 <= drop < 1.0:
        raise ScenarioError("expected 0 < threshold <= 1 and 0 <= drop < 1", file="--threshold")
    params = select_parameters(sc.params, sc.mechanisms, names)
    triggers = active_triggers(sc) if drop > 0 else []
    specs = sc.params.specs
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31,)))
    cube = qmc.LatinHypercube(d=max(1, len(params)), seed=rng).random(samples)
    lows = np.array([specs[n].lower for n in params])
    highs = np.array([specs[n].upper for n in params])
    values = lows + cube[:, : len(params)] * (highs - lows)
    kept = rng.random((samples, len(triggers))) >= drop
    probability = np.zeros(samples)

    def variant(i: int) -> Model:
        return compile_scenario(dataclasses.replace(
            sc, params=sc.params.with_values(dict(zip(params, (float(v) for v in values[i]), strict=True))),
            triggers=tuple(tr for tr in sc.triggers if tr.id not in
                           {t for t, k in zip(triggers, kept[i], strict=True) if not k})))

    points = run_points((variant(i) for i in range(samples)), runs, seed, runner, progress, total=samples)
    for i, results in enumerate(points):
        probability[i] = sum(r.outcome == outcome for r in results) / max(1, len(results))
    x = np.hstack([values, kept.astype(float)])
    labels = [*params, *[f"trigger {t}" for t in triggers]]
    binary = [False] * len(params) + [True] * len(triggers)
    y = (probability >= threshold).astype(float)
    found = find_boxes(x, y, binary, boxes=boxes, min_coverage=min_coverage)
    rules = []
    for b in found:
        box: Box = b["box"]
        inside = box.contains(x)
        conditions = [_condition(labels[j], binary[j], box.lower[j], box.upper[j],
                                 float(x[:, j].min()), float(x[:, j].max())) for j in b["restricted"]]
        rules.append({"conditions": conditions, "density": round(b["density"], 4),
                      "coverage": round(b["coverage"], 4), "support": b["support"],
                      "mean_probability": round(float(probability[inside].mean()), 4) if inside.any() else 0.0})
    return {"scenario": sc.name, "file": sc.path, "outcome": outcome, "threshold": threshold, "drop": drop,
            "samples": samples, "runs": runs, "seed": seed, "parameters": params, "triggers": triggers,
            "cases_of_interest": int(y.sum()), "base_rate": round(float(y.mean()), 4), "rules": rules,
            "points": [{"probability": float(probability[i]),
                        **{labels[j]: float(x[i, j]) for j in range(len(labels))}} for i in range(samples)]}


def _condition(label: str, binary: bool, lo: float, hi: float, full_lo: float, full_hi: float) -> str:
    if binary:
        name = label.removeprefix("trigger ")
        return f"trigger {name} kept" if lo >= 1 else f"trigger {name} removed"
    if lo > full_lo and hi < full_hi:
        return f"{lo:.3g} <= {label} <= {hi:.3g}"
    return f"{label} >= {lo:.3g}" if lo > full_lo else f"{label} <= {hi:.3g}"


def discover_text(report: Mapping[str, Any], markdown: bool = False) -> str:
    """The rules found, each with its density and coverage."""
    lines = [f"{report['scenario']}: when is '{report['outcome']}' likely (probability >= {report['threshold']:g})?",
             f"{report['samples']} variants ({len(report['parameters'])} parameters over their bounds, each of "
             f"{len(report['triggers'])} triggers dropped with probability {report['drop']:g}) x "
             f"{report['runs']} runs, root seed {report['seed']}",
             f"cases of interest: {report['cases_of_interest']} of {report['samples']} "
             f"({100 * report['base_rate']:.1f}%)", ""]
    if not report["rules"]:
        lines.append("no box found: the outcome reached the threshold in no variant")
        return "\n".join(lines)
    header = ["box", "conditions (all hold)", "density", "coverage", "variants", "mean P"]
    rows = [[str(i + 1), " and ".join(r["conditions"]) or "(any variant)", f"{r['density']:.2f}",
             f"{r['coverage']:.2f}", str(r["support"]), f"{r['mean_probability']:.2f}"]
            for i, r in enumerate(report["rules"])]
    lines += render_table(header, rows, markdown)
    lines += ["", "density: share of variants in the box where the outcome is likely; coverage: share of all "
              "such variants that the box holds (for box 2 and later: among the variants earlier boxes left)."]
    return "\n".join(lines)
