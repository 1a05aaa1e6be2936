"""Global sensitivity of outcome probabilities to the behavioural parameters (SALib).

Each sample point is a full set of parameter values drawn over their declared
bounds (the parameter file's ``lower`` and ``upper``); the model output at a
point is the probability of each outcome, estimated from an ensemble run with
the same root seed at every point (common random numbers, so that noise
between points is small next to the parameters' effects).

- Morris (elementary effects): cheap screening, samples x (parameters + 1)
  points. ``mu_star`` is the mean absolute change in an outcome's probability
  when a parameter moves by one grid step (2/3 of its range with 4 levels):
  large means influential; ``sigma`` large next to ``mu_star`` means the
  effect depends on the other parameters (interactions or non-linearity).
- Sobol (variance-based): samples x (parameters + 2) points. ``S1`` is the
  share of the outcome probability's variance due to the parameter alone,
  ``ST`` the share it takes part in, interactions included.

Both come with 95% bootstrap confidence half-widths from SALib. Estimating a
probability from a finite ensemble adds noise that looks like a small effect
of every parameter: read indices whose interval reaches zero as "no evidence".
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..domain.mechanisms import PROCESS
from ..errors import MissingExtra, ScenarioError, did_you_mean, install_hint
from ..model.engine import compile_scenario
from ..scenario.loader import Scenario
from ..scenario.params import ParameterSet
from .compare import render_table
from .experiment import Runner, run_points

METHODS = ("morris", "sobol")


def select_parameters(params: ParameterSet, mechanisms: frozenset[str], wanted: Sequence[str] = ()) -> list[str]:
    """Parameters to vary: the named ones (a mechanism name stands for all its parameters), or
    by default every parameter with a range whose mechanism is on in the scenario."""
    specs = params.specs
    if wanted:
        names: list[str] = []
        groups = {s.mechanism for s in specs.values()}
        for w in wanted:
            if w in specs:
                names.append(w)
            elif w in groups:
                names += [n for n, s in specs.items() if s.mechanism == w]
            else:
                raise ScenarioError(f"unknown parameter or mechanism '{w}'{did_you_mean(w, [*specs, *groups])}",
                                    file="--params", field=w)
        names = list(dict.fromkeys(names))
    else:
        names = [n for n, s in specs.items() if s.mechanism in mechanisms or s.mechanism == PROCESS]
    return [n for n in names if specs[n].upper > specs[n].lower]


def _salib(module: str) -> Any:
    """A module of SALib (the `analysis` extra), or `MissingExtra` saying how to install it."""
    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError as exc:
        raise MissingExtra(f"global sensitivity needs SALib, an optional extra: {install_hint('analysis')}") from exc


def problem(params: ParameterSet, names: Sequence[str]) -> dict[str, Any]:
    """The SALib problem: names and declared bounds."""
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[params.specs[n].lower, params.specs[n].upper] for n in names]}


def sample(method: str, prob: Mapping[str, Any], samples: int, seed: int) -> np.ndarray:
    """SALib sample matrix: one row per parameter set."""
    if method == "morris":
        return _salib("sample.morris").sample(dict(prob), samples, num_levels=4, seed=seed)
    if method == "sobol":
        return _salib("sample.sobol").sample(dict(prob), samples, calc_second_order=False, seed=seed)
    raise ValueError(f"unknown method '{method}'; expected one of {', '.join(METHODS)}")


def analyse(method: str, prob: Mapping[str, Any], x: np.ndarray, y: np.ndarray, seed: int) -> list[dict[str, Any]]:
    """Indices of one output `y`, one dict per parameter, most influential first."""
    names = prob["names"]
    if np.ptp(y) == 0:  # the outcome never moved: every index is zero (SALib would divide by zero)
        zero = {"mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0} if method == "morris" else \
            {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
        return [{"parameter": n, **zero} for n in names]
    if method == "morris":
        res = _salib("analyze.morris").analyze(dict(prob), x, y, num_levels=4, conf_level=0.95, num_resamples=200,
                                               seed=seed)
        keys, rank = ("mu_star", "mu_star_conf", "sigma"), "mu_star"
    else:
        res = _salib("analyze.sobol").analyze(dict(prob), y, calc_second_order=False, conf_level=0.95,
                                              num_resamples=200, seed=seed)
        keys, rank = ("S1", "S1_conf", "ST", "ST_conf"), "ST"  # type: ignore[assignment]
    rows = [{"parameter": n, **{k: _finite(res[k][i]) for k in keys}} for i, n in enumerate(names)]
    rows.sort(key=lambda r: -r[rank])
    return rows


def _finite(v: Any) -> float:
    v = float(v)
    return round(v, 6) if np.isfinite(v) else 0.0


def sensitivity(sc: Scenario, method: str, samples: int, runs: int, seed: int, runner: Runner, *,
                names: Sequence[str] = (), progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Sample the parameters, run an ensemble at each point and analyse each outcome's probability."""
    chosen = select_parameters(sc.params, sc.mechanisms, names)
    if not chosen:
        raise ScenarioError("no parameter with a range to vary", file="--params")
    prob = problem(sc.params, chosen)
    x = sample(method, prob, samples, seed)
    base_names = list(sc.outcomes)
    probabilities: list[dict[str, float]] = []
    seen: set[str] = set()
    models = (compile_scenario(dataclasses.replace(
        sc, params=sc.params.with_values(dict(zip(chosen, (float(v) for v in row), strict=True))))) for row in x)
    for results in run_points(models, runs, seed, runner, progress, total=len(x)):
        counts: dict[str, float] = {}
        for r in results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
            seen.add(r.outcome)
        probabilities.append({k: v / max(1, len(results)) for k, v in counts.items()})
    outcomes = base_names + sorted(seen - set(base_names))
    indices = {}
    for name in outcomes:
        y = np.array([p.get(name, 0.0) for p in probabilities])
        indices[name] = analyse(method, prob, x, y, seed)
    return {"scenario": sc.name, "file": sc.path, "method": method, "samples": samples, "points": len(x),
            "runs": runs, "seed": seed, "parameters": chosen, "outcomes": outcomes, "indices": indices}


def sensitivity_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat row per outcome and parameter, ranked within each outcome."""
    rows = []
    for outcome, ranked in report["indices"].items():
        for i, r in enumerate(ranked):
            rows.append({"outcome": outcome, "rank": i + 1, **r})
    return rows


def sensitivity_text(report: Mapping[str, Any], top: int = 10, markdown: bool = False) -> str:
    """For each outcome, the `top` most influential parameters with their indices and intervals."""
    morris = report["method"] == "morris"
    lines = [f"{report['scenario']}: {report['method']} sensitivity of outcome probabilities, "
             f"{report['points']} parameter sets x {report['runs']} runs (root seed {report['seed']}), "
             f"{len(report['parameters'])} parameters varied over their declared bounds"]
    for outcome in report["outcomes"]:
        ranked = report["indices"][outcome][:top]
        lines += ["", f"P({outcome})"]
        key = "mu_star" if morris else "ST"
        if all(r[key] == 0 and r[f"{key}_conf"] == 0 for r in report["indices"][outcome]):
            lines.append("  did not move at any sample point: every index is 0")
            continue
        if morris:
            header = ["rank", "parameter", "mu*", "95% +/-", "sigma"]
            rows = [[str(i + 1), r["parameter"], f"{r['mu_star']:.3f}", f"{r['mu_star_conf']:.3f}",
                     f"{r['sigma']:.3f}"] for i, r in enumerate(ranked)]
        else:
            header = ["rank", "parameter", "ST", "95% +/-", "S1", "95% +/-"]
            rows = [[str(i + 1), r["parameter"], f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}", f"{r['S1']:.3f}",
                     f"{r['S1_conf']:.3f}"] for i, r in enumerate(ranked)]
        lines += render_table(header, rows, markdown)
    return "\n".join(lines)
