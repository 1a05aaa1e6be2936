"""Charts from plain data (dicts and lists), drawn with matplotlib without pyplot.

Every function returns a `matplotlib.figure.Figure` with a title, labelled axes
(with units), readable dates and a legend, in the Okabe-Ito palette, which
readers with the common forms of colour blindness can tell apart. Bars of
different series also differ in hatching, so they stay apart in greyscale.
`save_figure` writes PNG and SVG; `png_bytes` gives a PNG for embedding.

Inputs are the JSON shapes diplosim writes (the summary of `Ensemble.summary`,
fan.json of `diplosim.fan`), so `compare`, `validate`, `sweep`, `sensitivity`
and `explain` can reuse these charts without importing the engine.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..files import write_atomic

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
"""Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion, sky, purple, yellow, black)."""
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "oo", "++")
OUTCOME_COLOURS = {
    "signed": "#009E73", "collapsed": "#D55E00", "stalled": "#999999", "no_talks": "#CC79A7",
    "renewed": "#0072B2", "notice_pending": "#E69F00", "terminated": "#D55E00", "suspended": "#56B4E9",
}
"""One fixed colour per outcome, so a reader learns it once across plots."""
RECORDED_COLOUR = "#000000"
OUTCOME_ORDER = ("signed", "collapsed", "stalled", "no_talks", "renewed", "notice_pending", "terminated", "suspended")
"""The order outcomes are shown in (JSON files sort their keys alphabetically)."""
DPI = 110


def ordered_outcomes(names: Sequence[str]) -> list[str]:
    """`names` in the usual outcome order, unknown names last."""
    rank = {n: i for i, n in enumerate(OUTCOME_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def outcome_colour(name: str, i: int = 0) -> str:
    """The colour of outcome `name` (a palette colour for unknown names)."""
    return OUTCOME_COLOURS.get(name, _colour(i))


def _as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _date_axis(ax: Any) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _label(name: str) -> str:
    return name.replace("_", " ")


def _finish(ax: Any, xlabel: str, ylabel: str, title: str, legend_loc: str, grid: str = "y",
            **legend: Any) -> None:
    """Axis labels, title, legend and light grid: what every chart must have."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc=legend_loc, fontsize=8, framealpha=0.9, **legend)
    ax.grid(axis=grid, alpha=0.3)


PROBABILITY = "probability (share of replications)"


# ------------------------------------------------------------------ saving


def save_figure(fig: Figure, stem: str | Path) -> list[Path]:
    """Write `fig` to STEM.png and STEM.svg (atomically); return both paths."""
    stem = Path(stem)
    paths = []
    for ext in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, dpi=DPI, bbox_inches="tight")
        path = stem.with_suffix(f".{ext}")
        write_atomic(path, buf.getvalue())
        paths.append(path)
    return paths


def png_bytes(fig: Figure) -> bytes:
    """`fig` as PNG bytes (for embedding in a report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


# ------------------------------------------------------------------ outcomes


def _error_lengths(p: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[np.ndarray]:
    """Error-bar lengths below and above `p`; rounding can put p a hair outside its interval."""
    return [np.maximum(p - lo, 0.0), np.maximum(hi - p, 0.0)]


def recorded_index(names: Sequence[str], recorded: str | None) -> int | None:
    """Where the recorded outcome's star goes among the bars; None with no record.

    A record the bars cannot show is an error, never a silently missing star
    (the loader already refuses a record the scenario's start cannot reach).
    """
    if recorded is None:
        return None
    if recorded not in names:
        raise ValueError(f"the recorded outcome '{recorded}' is not among the outcomes drawn ({', '.join(names)})")
    return list(names).index(recorded)


def outcome_bars(summary: Mapping[str, Any], recorded: str | None = None, title: str | None = None) -> Figure:
    """One bar per outcome with its 95% interval; the recorded outcome marked.

    `summary` is an `Ensemble.summary()` dict (outcomes → p, ci).
    """
    names = ordered_outcomes(list(summary["outcomes"]))
    p = np.array([summary["outcomes"][n]["p"] for n in names])
    lo = np.array([summary["outcomes"][n]["ci"][0] for n in names])
    hi = np.array([summary["outcomes"][n]["ci"][1] for n in names])
    fig = Figure(layout="constrained", figsize=(7, 4.2))
    ax = fig.add_subplot()
    x = np.arange(len(names))
    colours = [outcome_colour(n, i) for i, n in enumerate(names)]
    ax.bar(x, p, color=colours, edgecolor="black", linewidth=0.6)
    ax.errorbar(x, p, yerr=_error_lengths(p, lo, hi), fmt="none", ecolor="black", capsize=5, linewidth=1.2)
    handles: list[Any] = [Patch(facecolor=c, edgecolor="black", label=_label(n))
                          for n, c in zip(names, colours, strict=True)]
    handles.append(ax.errorbar([], [], yerr=[], fmt="none", ecolor="black", capsize=5, label="95% interval"))
    i = recorded_index(names, recorded)
    if recorded is not None and i is not None:
        star = ax.plot([i], [min(1.04, hi[i] + 0.05)], marker="*", markersize=16, color=RECORDED_COLOUR,
                       linestyle="none", label=f"recorded outcome ({_label(recorded)})")[0]
        handles.append(star)
    ax.set_xticks(x, [_label(n) for n in names])
    ax.set_ylim(0, 1.1)
    _finish(ax, "outcome", PROBABILITY,
            title or f"{summary.get('scenario', '')}: outcomes ({summary.get('runs', '?')} runs)",
            "upper right", handles=handles)
    return fig


def grouped_outcome_bars(summaries: Mapping[str, Mapping[str, Any]],
                         recorded: Mapping[str, str | None] | None = None,
                         title: str = "Outcomes by scenario") -> Figure:
    """Grouped bars: for each outcome, one bar per scenario with its 95% interval.

    `summaries` maps a scenario label to its summary; `recorded` maps a label to
    the outcome that happened in history (marked with a star over that bar).
    """
    labels = list(summaries)
    names: list[str] = []
    for s in summaries.values():
        names += [n for n in s["outcomes"] if n not in names]
    names = ordered_outcomes(names)
    recorded = recorded or {}
    fig = Figure(layout="constrained", figsize=(max(7, 1.4 * len(names) * max(1, len(labels)) / 2), 4.4))
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(labels))
    x = np.arange(len(names))
    starred = False
    for j, label in enumerate(labels):
        outs = summaries[label]["outcomes"]
        p = np.array([outs.get(n, {}).get("p", 0.0) for n in names])
        lo = np.array([outs.get(n, {}).get("ci", [0, 0])[0] for n in names])
        hi = np.array([outs.get(n, {}).get("ci", [0, 0])[1] for n in names])
        xs = x - 0.4 + width * (j + 0.5)
        ax.bar(xs, p, width, color=_colour(j), hatch=HATCHES[j % len(HATCHES)], edgecolor="black",
               linewidth=0.6, label=label)
        ax.errorbar(xs, p, yerr=_error_lengths(p, lo, hi), fmt="none", ecolor="black", capsize=3, linewidth=1)
        i = recorded_index(names, recorded.get(label))
        if i is not None:
            ax.plot([xs[i]], [min(1.04, hi[i] + 0.05)], marker="*", markersize=14, color=RECORDED_COLOUR,
                    linestyle="none", label=None if starred else "recorded outcome")
            starred = True
    ax.errorbar([], [], yerr=[], fmt="none", ecolor="black", capsize=3, label="95% interval")
    ax.set_xticks(x, [_label(n) for n in names])
    ax.set_ylim(0, 1.3)  # headroom above the tallest bar for the one-row legend
    _finish(ax, "outcome", PROBABILITY, title, "upper center", ncol=len(labels) + 2)
    return fig


# ------------------------------------------------------------------ timing


def timing_plot(dates_by_outcome: Mapping[str, Sequence[str | date]], runs: int,
                recorded: tuple[str, str | date] | None = None, title: str = "When outcomes happened",
                start: str | date | None = None, end: str | date | None = None) -> Figure:
    """Histogram (per week) of the date of each dated outcome; the recorded date as a line.

    `dates_by_outcome` maps an outcome to the dates replications reached it;
    `runs` is the ensemble size (bars show the share of all replications);
    `recorded` is (outcome, date) from the historical record.
    """
    fig = Figure(layout="constrained", figsize=(8, 4.2))
    ax = fig.add_subplot()
    dated = {n: [_as_date(d) for d in ds] for n, ds in dates_by_outcome.items() if ds}
    all_dates = [d for ds in dated.values() for d in ds]
    if recorded is not None:
        all_dates.append(_as_date(recorded[1]))
    lo = _as_date(start) if start else (min(all_dates) if all_dates else date.today())
    hi = _as_date(end) if end else (max(all_dates) if all_dates else lo)
    lo_num, hi_num = mdates.date2num(lo), mdates.date2num(hi + timedelta(days=1))
    edges = np.arange(lo_num, hi_num + 7, 7.0)
    names = ordered_outcomes(list(dated))
    if names:
        values = [mdates.date2num(dated[n]) for n in names]
        weights = [np.full(len(v), 100.0 / max(runs, 1)) for v in values]
        ax.hist(values, bins=list(edges), weights=weights, stacked=True,
                color=[outcome_colour(n, i) for i, n in enumerate(names)],
                hatch=None, edgecolor="black", linewidth=0.3,
                label=[f"{_label(n)} ({len(dated[n])} runs)" for n in names])
    else:
        ax.text(0.5, 0.5, "no replication reached a dated outcome", transform=ax.transAxes,
                ha="center", va="center")
    if recorded is not None:
        ax.axvline(mdates.date2num(_as_date(recorded[1])), color=RECORDED_COLOUR, linestyle="--", linewidth=1.5,
                   label=f"recorded: {_label(recorded[0])} {_as_date(recorded[1]).isoformat()}")
    ax.set_xlim(lo_num, hi_num)
    _date_axis(ax)
    _finish(ax, "date (weekly bins)", "share of replications per week (%)", title, "upper left")
    return fig


# ------------------------------------------------------------------ fan chart


def fan_chart(fan: Mapping[str, Any], triggers: Sequence[Mapping[str, Any]] = (),
              polls: Sequence[Mapping[str, Any]] = (), variables: Sequence[str] | None = None,
              title: str = "World state over time") -> Figure:
    """One panel per state variable: median, 50% and 90% bands over calendar time.

    `fan` is the fan.json dict (dates, variables → unit, lower, upper, quantiles
    "5", "25", "50", "75", "95"). `triggers` are dicts with "date", "id" and
    "kind", drawn as labelled markers on a time track under the panels.
    `polls` are dicts with "date", "variable" and "value", drawn as points.
    """
    names = list(variables or fan.get("order") or fan["variables"])
    dates = mdates.date2num([_as_date(d) for d in fan["dates"]])
    track = 1 if triggers else 0
    heights = [1.0] * len(names) + [0.6] * track
    fig = Figure(layout="constrained", figsize=(8.5, 1.7 * len(names) + 1.3 * track + 0.6))
    axes = fig.subplots(len(names) + track, 1, sharex=True, gridspec_kw={"height_ratios": heights})
    axes = np.atleast_1d(axes)
    band90 = band50 = median_line = poll_pts = None
    for ax, name in zip(axes, names, strict=False):
        v = fan["variables"][name]
        q = {k: np.asarray(x) for k, x in v["quantiles"].items()}
        band90 = ax.fill_between(dates, q["5"], q["95"], color="#56B4E9", alpha=0.35, linewidth=0,
                                 label="90% band")
        band50 = ax.fill_between(dates, q["25"], q["75"], color="#0072B2", alpha=0.45, linewidth=0,
                                 label="50% band")
        median_line = ax.plot(dates, q["50"], color="#000000", linewidth=1.4, label="median")[0]
        own = [p for p in polls if p.get("variable") == name]
        if own:
            poll_pts = ax.plot(mdates.date2num([_as_date(p["date"]) for p in own]), [p["value"] for p in own],
                               marker="o", markersize=5, linestyle="none", color="#E69F00",
                               markeredgecolor="black", label="poll observation")[0]
        for tr in triggers:
            ax.axvline(mdates.date2num(_as_date(tr["date"])), color="#999999", linewidth=0.6, linestyle=":")
        ax.set_ylabel(f"{_label(name)}\n({v['unit']})", fontsize=8)
        span = v["upper"] - v["lower"]
        top = max(float(np.max(q["95"])), max((p["value"] for p in own), default=v["lower"]))
        bottom = min(float(np.min(q["5"])), min((p["value"] for p in own), default=v["upper"]))
        pad = max(0.05 * span, 0.1 * (top - bottom))
        ax.set_ylim(max(v["lower"], bottom - pad), min(v["upper"], top + pad))
        if ax.get_ylim()[0] == ax.get_ylim()[1]:
            ax.set_ylim(v["lower"], v["upper"])
        ax.grid(alpha=0.25)
    if track:
        tax = axes[-1]
        kinds = list(dict.fromkeys(tr["kind"] for tr in triggers))
        for i, kind in enumerate(kinds):
            own = [tr for tr in triggers if tr["kind"] == kind]
            xs = mdates.date2num([_as_date(tr["date"]) for tr in own])
            tax.plot(xs, [0.0] * len(xs), marker="^", markersize=8, linestyle="none", color=_colour(i),
                     markeredgecolor="black", label=_label(kind))
        for j, tr in enumerate(sorted(triggers, key=lambda t: str(t["date"]))):
            tax.annotate(str(tr.get("id", tr["kind"]))[:28], (mdates.date2num(_as_date(tr["date"])), 0.0),
                         xytext=(0, 7 + 9 * (j % 3)), textcoords="offset points", rotation=0,
                         fontsize=6.5, ha="center", va="bottom")
        tax.set_ylim(-0.6, 3.0)
        tax.set_yticks([])
        tax.set_ylabel("triggers", fontsize=8)
        tax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=min(5, len(kinds)), fontsize=7,
                   title="trigger kind", title_fontsize=7, frameon=False)
    _date_axis(axes[-1])
    axes[-1].set_xlabel("date")
    handles = [h for h in (median_line, band50, band90, poll_pts) if h is not None]
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=len(handles),
                   fontsize=8, frameon=False)
    fig.suptitle(f"{title} ({fan.get('runs', '?')} runs)")
    fig.align_ylabels(axes)
    return fig


# ------------------------------------------------------------------ sweep, sensitivity, explain


def sweep_lines(values: Sequence[float], outcomes: Mapping[str, Sequence[Sequence[float]]],
                parameter: str, unit: str = "", title: str | None = None) -> Figure:
    """Probability of each outcome against one parameter, with 95% bands.

    `outcomes` maps an outcome to rows of (p, ci_low, ci_high), one per value.
    """
    fig = Figure(layout="constrained", figsize=(7, 4.2))
    ax = fig.add_subplot()
    x = np.asarray(values, dtype=float)
    markers = "osD^vP*X"
    for i, (name, rows) in enumerate(outcomes.items()):
        arr = np.asarray(rows, dtype=float).reshape(len(x), 3)
        c = outcome_colour(name, i)
        ax.fill_between(x, arr[:, 1], arr[:, 2], color=c, alpha=0.2, linewidth=0)
        ax.plot(x, arr[:, 0], color=c, marker=markers[i % len(markers)], label=_label(name))
    ax.plot([], [], color="#999999", linewidth=6, alpha=0.4, label="95% interval")
    ax.set_ylim(0, 1.02)
    _finish(ax, f"{parameter} ({unit})" if unit else parameter, PROBABILITY,
            title or f"Outcomes as {parameter} varies", "best", grid="both")
    return fig


def sweep_heatmap(x_values: Sequence[float], y_values: Sequence[float], probability: Sequence[Sequence[float]],
                  x_parameter: str, y_parameter: str, outcome: str, x_unit: str = "", y_unit: str = "",
                  title: str | None = None) -> Figure:
    """Probability of `outcome` over a two-parameter grid; probability[y][x]."""
    fig = Figure(layout="constrained", figsize=(7, 5))
    ax = fig.add_subplot()
    grid = np.asarray(probability, dtype=float)
    # cividis: perceptually uniform and readable with colour-vision deficiencies.
    mesh = ax.pcolormesh(_edges(x_values), _edges(y_values), grid, cmap="cividis", vmin=0, vmax=1, shading="flat")
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label(f"probability of {_label(outcome)}")
    for (yi, xi), p in np.ndenumerate(grid):
        ax.text(float(x_values[xi]), float(y_values[yi]), f"{p:.2f}", ha="center", va="center", fontsize=7,
                color="white" if p < 0.5 else "black")
    ax.set_xlabel(f"{x_parameter} ({x_unit})" if x_unit else x_parameter)
    ax.set_ylabel(f"{y_parameter} ({y_unit})" if y_unit else y_parameter)
    ax.set_title(title or f"Probability of {_label(outcome)}")
    ax.legend(handles=[Patch(facecolor="none", edgecolor="none", label="cell text: probability")],
              loc="upper right", fontsize=7, framealpha=0.8)
    return fig


def _edges(values: Sequence[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def ranked_bars(rows: Sequence[Mapping[str, Any]], xlabel: str, ylabel: str, title: str, legend: str) -> Figure:
    """Horizontal bars, largest magnitude on top, with optional 95% intervals.

    Each row: "name", "value", and optionally "lo", "hi" (interval ends).
    """
    rows = sorted(rows, key=lambda r: abs(r["value"]))
    fig = Figure(layout="constrained", figsize=(7, 0.45 * len(rows) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    v = np.array([r["value"] for r in rows], dtype=float)
    colours = [OKABE_ITO[0] if x >= 0 else OKABE_ITO[3] for x in v]
    hatches = ["" if x >= 0 else "//" for x in v]
    bars = ax.barh(y, v, color=colours, edgecolor="black", linewidth=0.6)
    for bar, h in zip(bars, hatches, strict=True):
        bar.set_hatch(h)
    handles: list[Any] = [Patch(facecolor=OKABE_ITO[0], edgecolor="black", label=f"{legend}: raises"),
                          Patch(facecolor=OKABE_ITO[3], hatch="//", edgecolor="black", label=f"{legend}: lowers")]
    if any("lo" in r for r in rows):
        lo = np.array([r.get("lo", r["value"]) for r in rows], dtype=float)
        hi = np.array([r.get("hi", r["value"]) for r in rows], dtype=float)
        handles.append(ax.errorbar(v, y, xerr=[v - lo, hi - v], fmt="none", ecolor="black", capsize=4,
                                   label="95% interval"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [_label(str(r["name"])) for r in rows])
    _finish(ax, xlabel, ylabel, title, "lower right", grid="x", handles=handles)
    return fig


def sensitivity_bars(rows: Sequence[Mapping[str, Any]], outcome: str, title: str | None = None) -> Figure:
    """Effect of each parameter on P(`outcome`), with 95% intervals (rows: name, value, lo, hi)."""
    return ranked_bars(rows, f"change in probability of {_label(outcome)}", "parameter",
                       title or f"Sensitivity of {_label(outcome)} to each parameter", "effect")


def explain_ranking(rows: Sequence[Mapping[str, Any]], outcome: str, title: str | None = None) -> Figure:
    """What mattered: each cause's effect on P(`outcome`) when removed (rows: name, value[, lo, hi]).

    A cause is a trigger, a kind of trigger, a mechanism or an actor's own reactions.
    """
    return ranked_bars(rows, f"change in probability of {_label(outcome)} without it",
                       "cause", title or f"What mattered for {_label(outcome)}", "removing it")
