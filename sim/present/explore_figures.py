"""Plots of the exploring commands: from each command's report to its chart.

`sweep`, `sensitivity`, `explain`, `compare` and `validate` build a report
(the same dict they print with ``--json``); with ``--plot`` these functions turn
it into PNG and SVG files in the command's output folder, through the charts of
`present.charts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .charts import grouped_outcome_bars, outcome_panels, ranked_bars, save_figure, sweep_heatmap, sweep_lines

TOP = 15
"""Most causes or parameters drawn in one ranking."""


def sweep_plot(report: Mapping[str, Any], out: Path) -> list[Path]:
    """One parameter: each outcome's probability with 95% bands; two: a heat map per outcome."""
    axes = report["axes"]
    points = report["points"]
    names = [n for n in report["outcomes"] if any(pt["outcomes"][n]["p"] > 0 for pt in points)]
    paths: list[Path] = []
    if len(axes) == 1:
        path = axes[0]["path"]
        values = [pt["values"][path] for pt in points]
        rows = {n: [(pt["outcomes"][n]["p"], *pt["outcomes"][n]["ci"]) for pt in points] for n in names}
        fig = sweep_lines(values, rows, path, title=f"{report['scenario']}: outcomes as {path} varies")
        return save_figure(fig, out / "sweep")
    xpath, ypath = axes[0]["path"], axes[1]["path"]
    xs = sorted({pt["values"][xpath] for pt in points})
    ys = sorted({pt["values"][ypath] for pt in points})
    for name in names:
        grid = [[0.0] * len(xs) for _ in ys]
        interval = [[(0.0, 1.0)] * len(xs) for _ in ys]
        for pt in points:
            yi, xi = ys.index(pt["values"][ypath]), xs.index(pt["values"][xpath])
            grid[yi][xi] = pt["outcomes"][name]["p"]
            lo, hi = pt["outcomes"][name]["ci"]
            interval[yi][xi] = (float(lo), float(hi))
        fig = sweep_heatmap(xs, ys, grid, xpath, ypath, name,
                            title=f"{report['scenario']}: P({name}) over {xpath} and {ypath}", interval=interval)
        paths += save_figure(fig, out / f"sweep-{name}")
    return paths


def sensitivity_plot(report: Mapping[str, Any], out: Path) -> list[Path]:
    """For each outcome that moved, the parameters ranked by their index, with 95% intervals."""
    method = report.get("method", "morris")
    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    label = "Morris mu* (mean absolute effect on the probability)" if method == "morris" \
        else "Sobol total-order index"
    paths: list[Path] = []
    for outcome, rows in report["indices"].items():
        rows = sorted(rows, key=lambda r: -abs(r.get(key, 0.0)))[:TOP]
        if not any(r.get(key, 0.0) for r in rows):
            continue  # an outcome that never moved has nothing to rank
        bars = [{"name": r["parameter"], "value": r[key], "lo": r[key] - r.get(conf, 0.0),
                 "hi": r[key] + r.get(conf, 0.0)} for r in rows]
        fig = ranked_bars(bars, label, "parameter", f"{report['scenario']}: sensitivity of P({outcome})", "index")
        paths += save_figure(fig, out / f"sensitivity-{outcome}")
    return paths


def explain_plot(report: Mapping[str, Any], out: Path) -> list[Path]:
    """The causes ranked by how much removing each moves the recorded (or modal) outcome."""
    base = report["base"]
    outcome = report.get("recorded_outcome") or max(base, key=lambda k: base[k]["p"])
    causes = sorted(report["causes"], key=lambda c: -c["shift"])[:TOP]
    bars = []
    for c in causes:
        o = c["outcomes"].get(outcome)
        if o is None:
            continue
        bars.append({"name": c["cause"], "value": 100 * o["diff"], "lo": 100 * o["ci"][0], "hi": 100 * o["ci"][1]})
    fig = ranked_bars(bars, f"change in P({outcome}) without it (percentage points)", "cause",
                      f"{report['scenario']}: what mattered for '{outcome}'", "removing it")
    return save_figure(fig, out / "explain")


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def compare_plot(report: Mapping[str, Any], out: Path, recorded: list[str | None]) -> list[Path]:
    """Grouped bars: each outcome's probability per scenario, the recorded outcome starred."""
    labels = _unique([sc["name"] for sc in report["scenarios"]])
    summaries = {label: {"outcomes": sc["outcomes"]} for label, sc in zip(labels, report["scenarios"], strict=True)}
    fig = grouped_outcome_bars(summaries, dict(zip(labels, recorded, strict=True)),
                               title=f"Outcomes side by side ({report['runs']} runs each, common random numbers)")
    return save_figure(fig, out / "comparison")


def validation_plot(report: Mapping[str, Any], out: Path) -> list[Path]:
    """One panel per episode: simulated outcome probabilities (the headline mode, free), the
    recorded outcome starred, in a grid near 16:9."""
    from ..model.outcomes import wilson_interval

    runs = report["runs"]
    mode = report["modes"][0]
    labels = _unique([ep["name"] for ep in report["episodes"]])
    summaries = {}
    for label, ep in zip(labels, report["episodes"], strict=True):
        summaries[label] = {"outcomes": {k: {"p": p, "ci": list(wilson_interval(round(p * runs), runs))}
                                         for k, p in ep[mode]["probabilities"].items()}}
    recorded = {label: ep["outcome"] for label, ep in zip(labels, report["episodes"], strict=True)}
    fig = outcome_panels(summaries, recorded,
                         title=f"Simulated outcomes of each episode ({mode} runs) and the record "
                               f"({runs} runs each)")
    return save_figure(fig, out / "validation")
