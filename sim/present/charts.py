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

import functools
import io
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..domain.kinds import KINDS
from ..files import write_atomic
from .glossary import NEUTRAL, CastNames, kind_labels, variable_labels

P = ParamSpec("P")

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
"""Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion, sky, purple, yellow, black)."""
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "oo", "++")
OUTCOME_COLOURS = {
    "signed": "#009E73", "collapsed": "#D55E00", "stalled": "#999999", "no_talks": "#CC79A7",
    "renewed": "#0072B2", "continued": "#0072B2", "notice_pending": "#E69F00", "terminated": "#D55E00",
    "suspended": "#56B4E9", "normalised": "#F0E442",
}
"""One fixed colour per outcome, so a reader learns it once across plots."""
RECORDED_COLOUR = "#000000"
OUTCOME_ORDER = ("signed", "collapsed", "stalled", "no_talks", "renewed", "continued", "notice_pending",
                 "terminated", "suspended", "normalised")
"""The order outcomes are shown in (JSON files sort their keys alphabetically)."""
STEP_ORDER = ("negotiating", "initialled", "cabinet_approved", "in_force", "collapsed", "notice_given",
              "suspended", "terminated", "normalised")
"""The agreement's decisive steps, in the order the procedure reaches them."""
STEP_COLOURS = {
    "negotiating": "#56B4E9", "initialled": "#0072B2", "cabinet_approved": "#CC79A7", "in_force": "#009E73",
    "collapsed": "#D55E00", "notice_given": "#E69F00", "suspended": "#56B4E9", "terminated": "#D55E00",
    "normalised": "#F0E442",
}
"""One colour per step, the colour of the outcome the step leads to."""
MARKERS = ("^", "o", "s", "D", "v", "P", "X", "h", "<", ">", "p")
"""Marker shapes; with 8 colours and 11 shapes, kind i gets colour i mod 8 and shape i mod 11 (unique up to 88)."""
PROJECTOR: dict[str, Any] = {
    "font.size": 12, "axes.titlesize": 14, "axes.labelsize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11,
    "legend.fontsize": 11, "legend.title_fontsize": 11, "figure.titlesize": 15,
}
"""Font sizes (points) that stay legible on a projected slide (matplotlib's default body text is 10)."""
DPI = 110


def ordered_outcomes(names: Sequence[str]) -> list[str]:
    """`names` in the usual outcome order, unknown names last."""
    rank = {n: i for i, n in enumerate(OUTCOME_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def projector(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw with the `PROJECTOR` font sizes (text keeps its size once drawn)."""
    @functools.wraps(draw)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with matplotlib.rc_context(PROJECTOR):  # type: ignore[arg-type]
            return draw(*args, **kwargs)
    return wrapped


def kind_style(kind: str) -> tuple[str, str]:
    """(colour, marker) of a trigger kind: fixed by the kind's place in the model's list, so the same
    kind looks the same in every figure (unknown kinds share one grey circle)."""
    kinds = list(KINDS)
    if kind not in kinds:
        return "#999999", "o"
    i = kinds.index(kind)
    return OKABE_ITO[i % len(OKABE_ITO)], MARKERS[i % len(MARKERS)]


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
    ax.legend(loc=legend_loc, framealpha=0.9, **legend)
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


@projector
def outcome_bars(summary: Mapping[str, Any], recorded: str | None = None, title: str | None = None) -> Figure:
    """One bar per outcome with its 95% interval; the recorded outcome marked.

    `summary` is an `Ensemble.summary()` dict (outcomes → p, ci).
    """
    names = ordered_outcomes(list(summary["outcomes"]))
    p = np.array([summary["outcomes"][n]["p"] for n in names])
    lo = np.array([summary["outcomes"][n]["ci"][0] for n in names])
    hi = np.array([summary["outcomes"][n]["ci"][1] for n in names])
    fig = Figure(layout="constrained", figsize=(8, 5.6))
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
    # The legend goes under the axes, where no bar, interval or star can be.
    _finish(ax, "outcome", PROBABILITY,
            title or f"{summary.get('scenario', '')}: outcomes ({summary.get('runs', '?')} runs)",
            "upper center", handles=handles, bbox_to_anchor=(0.5, -0.16), ncol=min(3, len(handles)))
    return fig


SLIDE_16_9 = (12.8, 7.2)
"""A 16:9 figure in inches: 1280x720 pixels at 100 dpi (1408x792 as saved), a projector's slide."""

SLIDE_WIDTH = 11.6
"""Width (inches) of the comparison figures: 1280 px at `DPI`, a 16:9 slide's width."""
LEGEND_CHARS = 48
"""Scenario names in a legend wrap at this many characters (two columns fit the slide's width)."""
TITLE_CHARS = 90
"""Figure titles wrap at this many characters."""
PANEL_TITLE_CHARS = 26
"""Panel titles (episode names) wrap at this many characters."""
PANEL_COLUMNS = 4
"""Most panels in a row of `outcome_panels` (7 episodes make a 4 x 2 grid near 16:9)."""


def _wrap(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters (words kept whole)."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False) or text


def _interval(outs: Mapping[str, Any], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities and 95% interval ends of `names` (0 for an outcome not drawn)."""
    p = np.array([outs.get(n, {}).get("p", 0.0) for n in names], dtype=float)
    lo = np.array([outs.get(n, {}).get("ci", [0, 0])[0] for n in names], dtype=float)
    hi = np.array([outs.get(n, {}).get("ci", [0, 0])[1] for n in names], dtype=float)
    return p, lo, hi


STAR_GAP = 0.035
"""How far right of its bar's interval a recorded outcome's star sits (probability units)."""


@projector
def grouped_outcome_bars(summaries: Mapping[str, Mapping[str, Any]],
                         recorded: Mapping[str, str | None] | None = None,
                         title: str = "Outcomes by scenario") -> Figure:
    """Grouped horizontal bars: one group per outcome (top to bottom in the usual order), one bar per
    scenario in it with its 95% interval, and a star beside the outcome each scenario's record names.

    `summaries` maps a scenario label to its summary; `recorded` maps a label to
    the outcome that happened in history. Outcome names read horizontally on the
    left and the scenario names (wrapped) in a legend under the axes, so long
    names and many outcomes stay legible at slide size.
    """
    labels = list(summaries)
    names: list[str] = []
    for s in summaries.values():
        names += [n for n in s["outcomes"] if n not in names]
    names = ordered_outcomes(names)
    recorded = recorded or {}
    k = max(1, len(labels))
    legend_cols = 1 if k == 1 else 2
    legend_lines = sum(_wrap(label, LEGEND_CHARS).count("\n") + 1 for label in labels) / legend_cols + 1
    height = min(9.0, max(5.0, 0.22 * k * len(names) + 0.25 * len(names) + 0.3 * legend_lines + 2.0))
    fig = Figure(layout="constrained", figsize=(SLIDE_WIDTH, height))
    ax = fig.add_subplot()
    slot = 0.8 / k
    y = np.arange(len(names))
    handles: list[Any] = []
    extras: list[Any] = []
    for j, label in enumerate(labels):
        p, lo, hi = _interval(summaries[label]["outcomes"], names)
        ys = y - 0.4 + slot * (j + 0.5)
        handles.append(ax.barh(ys, p, slot, color=_colour(j), hatch=HATCHES[j % len(HATCHES)], edgecolor="black",
                               linewidth=0.6, label=_wrap(label, LEGEND_CHARS)))
        ax.errorbar(p, ys, xerr=_error_lengths(p, lo, hi), fmt="none", ecolor="black", capsize=3, linewidth=1)
        i = recorded_index(names, recorded.get(label))
        if i is not None:
            star = ax.plot([hi[i] + STAR_GAP], [ys[i]], marker="*", markersize=min(14, 40 * slot + 6),
                           color=RECORDED_COLOUR, linestyle="none", label="recorded outcome (history)")[0]
            extras = extras or [star]
    handles += extras
    handles.append(ax.errorbar([], [], xerr=[], fmt="none", ecolor="black", capsize=3, label="95% interval"))
    ax.set_yticks(y, [_label(n) for n in names])
    ax.invert_yaxis()  # the first outcome on top, as tables list them
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 1.0 + 2 * STAR_GAP)
    ax.set_xlabel(PROBABILITY)
    ax.set_ylabel("outcome")
    ax.set_title(_wrap(title, TITLE_CHARS))
    ax.grid(axis="x", alpha=0.3)
    fig.legend(handles=handles, loc="outside lower center", ncol=legend_cols, frameon=False)
    return fig


def panel_grid(count: int, columns: int = PANEL_COLUMNS) -> tuple[int, int]:
    """(rows, columns) of a grid for `count` panels: at most `columns` a row, no empty row."""
    cols = max(1, min(columns, count))
    return max(1, -(-count // cols)), cols


@projector
def outcome_panels(summaries: Mapping[str, Mapping[str, Any]],
                   recorded: Mapping[str, str | None] | None = None,
                   title: str = "Outcomes by episode") -> Figure:
    """Small multiples: one panel per scenario (an episode), its outcomes as horizontal bars with 95%
    intervals and the recorded outcome starred, in a grid of at most `PANEL_COLUMNS` panels a row.

    Each panel lists its own outcomes (episodes that start in different states
    end in different ones), all on the same 0-1 probability axis.
    """
    labels = list(summaries)
    recorded = recorded or {}
    rows, cols = panel_grid(len(labels))
    fig = Figure(layout="constrained", figsize=(SLIDE_WIDTH, 2.6 * rows + 1.4))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    star = None
    for i, (ax, label) in enumerate(zip(axes, labels, strict=False)):
        outs = summaries[label]["outcomes"]
        names = ordered_outcomes([*outs, *[r for r in [recorded.get(label)] if r and r not in outs]])
        p, lo, hi = _interval(outs, names)
        y = np.arange(len(names))
        ax.barh(y, p, 0.7, color=[outcome_colour(n, m) for m, n in enumerate(names)], edgecolor="black",
                linewidth=0.6)
        ax.errorbar(p, y, xerr=_error_lengths(p, lo, hi), fmt="none", ecolor="black", capsize=3, linewidth=1)
        r = recorded_index(names, recorded.get(label))
        if r is not None:
            star = ax.plot([hi[r] + STAR_GAP * 2], [y[r]], marker="*", markersize=13, color=RECORDED_COLOUR,
                           linestyle="none", label="recorded outcome (history)")[0]
        ax.set_yticks(y, [_label(n) for n in names])
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_xlim(0, 1.0 + 4 * STAR_GAP)
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.set_title(_wrap(label, PANEL_TITLE_CHARS), fontsize=12)
        ax.grid(axis="x", alpha=0.3)
        if i + cols >= len(labels):  # no panel under this one
            ax.set_xlabel("probability")
        if i % cols == 0:
            ax.set_ylabel("outcome")
    for ax in axes[len(labels):]:
        ax.set_visible(False)
    handles: list[Any] = [axes[0].errorbar([], [], xerr=[], fmt="none", ecolor="black", capsize=3,
                                           label="95% interval (bars: share of replications)")]
    if star is not None:
        handles.insert(0, star)
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(_wrap(title, TITLE_CHARS))
    return fig


# ------------------------------------------------------------------ timing


def step_order(names: Sequence[str]) -> list[str]:
    """`names` in the order the procedure reaches them, unknown names last."""
    rank = {n: i for i, n in enumerate(STEP_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def crop_window(dates: Sequence[date], start: date | None = None, end: date | None = None,
                pad_days: int = 14) -> tuple[date, date]:
    """The span that holds `dates`, padded by `pad_days` each side and kept within [start, end]."""
    if not dates:
        lo = start or date.today()
        return lo, end or lo
    lo, hi = min(dates) - timedelta(days=pad_days), max(dates) + timedelta(days=pad_days)
    if start is not None:
        lo = max(lo, start)
    if end is not None:
        hi = min(hi, end)
    return lo, max(lo, hi)


@projector
def timing_plot(steps: Mapping[str, Sequence[str | date]], runs: int,
                recorded: Mapping[str, str | date] | None = None, title: str = "When each step happened",
                start: str | date | None = None, end: str | date | None = None) -> Figure:
    """One row per decisive step: a weekly histogram of the dates replications reached it, and
    the recorded date as a dashed line.

    `steps` maps a step (``notice_given``, ``suspended``, ...) to the dates
    replications reached it; `runs` is the ensemble size (bars show the share of
    all replications); `recorded` maps a step to its date in history. The time
    axis spans the dates drawn (two weeks' margin), not the whole window.
    """
    when: dict[str, date] = {k: _as_date(v) for k, v in (recorded or {}).items()}
    dated = {n: [_as_date(d) for d in ds] for n, ds in steps.items() if ds}
    names = step_order(list(dict.fromkeys([*dated, *when])))
    rows = max(1, len(names))
    # A slide's width; 16:9 up to five rows, a little taller beyond (each row keeps room for its two labels).
    fig = Figure(layout="constrained", figsize=(SLIDE_16_9[0], max(SLIDE_16_9[1], 0.95 * rows + 1.6)))
    axes = np.atleast_1d(fig.subplots(rows, 1, sharex=True))
    everything = [d for ds in dated.values() for d in ds] + list(when.values())
    lo, hi = crop_window(everything, _as_date(start) if start else None, _as_date(end) if end else None)
    lo_num, hi_num = mdates.date2num(lo), mdates.date2num(hi + timedelta(days=1))
    edges = np.arange(lo_num, hi_num + 7, 7.0)
    top = 0.0
    for ax, name in zip(axes, names, strict=False):
        ds = dated.get(name, [])
        colour = STEP_COLOURS.get(name, OKABE_ITO[0])
        if ds:
            counts, _, _ = ax.hist(mdates.date2num(ds), bins=list(edges),
                                   weights=np.full(len(ds), 100.0 / max(runs, 1)),
                                   color=colour, edgecolor="black", linewidth=0.4, label="model (weekly share)")
            top = max(top, float(np.max(counts)))
        share = 100.0 * len(ds) / max(runs, 1)
        ax.text(0.005, 0.93, f"{_label(name)}: {share:.0f}% of runs", transform=ax.transAxes,
                ha="left", va="top", fontweight="bold")
        if name in when:
            ax.axvline(mdates.date2num(when[name]), color=RECORDED_COLOUR, linestyle="--", linewidth=1.8,
                       label="recorded date")
            # Half-way down, under the row's own label at the top, so the two never meet.
            ax.text(mdates.date2num(when[name]), 0.45, f" recorded {when[name].isoformat()} ",
                    transform=ax.get_xaxis_transform(), ha="right" if when[name] > lo + (hi - lo) / 2 else "left",
                    va="center", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0})
        ax.set_ylabel("% of runs")
        ax.grid(axis="y", alpha=0.3)
    if not names:
        axes[0].text(0.5, 0.5, "no replication reached a decisive step", transform=axes[0].transAxes,
                     ha="center", va="center")
        axes[0].set_ylabel("% of runs")
    for ax in axes:
        ax.set_ylim(0, max(top * 1.45, 1.0))
    axes[-1].set_xlim(lo_num, hi_num)
    _date_axis(axes[-1])
    axes[-1].set_xlabel("date (weekly bins)")
    handles: list[Any] = [Patch(facecolor="#bbbbbb", edgecolor="black",
                                label="model: share of runs reaching the step that week")]
    if when:
        handles.append(Line2D([], [], color=RECORDED_COLOUR, linestyle="--", label="recorded date"))
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=2, frameon=False)
    fig.suptitle(f"{title} ({runs} runs)")
    return fig


# ------------------------------------------------------------------ fan chart


def step_summary(steps: Mapping[str, Sequence[str | date]], runs: int) -> dict[str, dict[str, Any]]:
    """Step → share of runs reaching it, and the median and quartile dates of those that did."""
    out: dict[str, dict[str, Any]] = {}
    for name, ds in steps.items():
        if not ds:
            continue
        nums = np.sort(mdates.date2num([_as_date(d) for d in ds]))
        q25, q50, q75 = np.quantile(nums, [0.25, 0.5, 0.75], method="inverted_cdf")
        out[name] = {"reached": len(ds) / max(runs, 1),
                     **{k: mdates.num2date(v).date().isoformat() for k, v in
                        (("q25", q25), ("median", q50), ("q75", q75))}}
    return out


def label_rows(centres: Sequence[float], widths: Sequence[float], gap: float = 0.0,
               max_rows: int | None = None) -> list[int | None]:
    """Rows for labels centred at `centres` (any order) so that no two in a row overlap.

    Greedy in order of position: each label takes the lowest row whose last
    label ends at least `gap` before it starts; None when `max_rows` are full.
    """
    ends: list[float] = []
    rows: list[int | None] = [None] * len(centres)
    for i in sorted(range(len(centres)), key=lambda k: centres[k]):
        left = centres[i] - widths[i] / 2
        for r, end in enumerate(ends):
            if left >= end + gap:
                ends[r] = centres[i] + widths[i] / 2
                rows[i] = r
                break
        else:
            if max_rows is None or len(ends) < max_rows:
                ends.append(centres[i] + widths[i] / 2)
                rows[i] = len(ends) - 1
    return rows


FAN_WIDTH = 10.0
"""Fan chart width (inches)."""
AXES_MARGIN = 3.4
"""Inches of the fan chart's width outside the time axis (tick labels such as 'cabinet approved (86%)'
and the panels' y labels), a generous estimate: the label rows are placed on the axis width left."""
LABEL_POINTS = 10
"""Trigger labels' font size (points)."""
LABEL_CHARS = 24
"""Trigger labels longer than this are cut (the report's timeline has them in full)."""
MAX_LABEL_ROWS = 5
"""Rows of trigger labels at most; labels that do not fit are left off (and counted in the figure)."""
SLIDE_LABEL_ROWS = 4
"""Rows of trigger labels at most on a figure of fixed size (a 16:9 slide), where every label row is height
taken from the variables' panels: with five, a busy year's rows squeezed the panels below their two-line
y labels, which then overlapped."""
KIND_COLUMN_INCHES = 2.4
"""Width (inches) allowed per column of the trigger kinds' legend: five columns on a 16:9 slide, four on the
10-inch page, where five names as long as 'pressure from Washington' ran off the right edge."""
SLIDE_PANEL_WEIGHT = 1.4
"""Height of a variable's panel against the step and trigger tracks' (weight 1.0 on a page that grows
with the panels) on a figure of fixed size, so each panel stays taller than its two-line y label."""


def _label_width_days(text: str, span_days: float, axes_inches: float) -> float:
    """A label's width on the date axis, from a generous 0.62 em per character."""
    inches = 0.62 * LABEL_POINTS / 72 * len(text) + 0.1
    return inches * span_days / axes_inches


@projector
def fan_chart(fan: Mapping[str, Any], triggers: Sequence[Mapping[str, Any]] = (),
              polls: Sequence[Mapping[str, Any]] = (), variables: Sequence[str] | None = None,
              title: str = "World state over time", steps: Mapping[str, Mapping[str, Any]] | None = None,
              recorded: Mapping[str, str | date] | None = None, cast: CastNames = NEUTRAL,
              size: tuple[float, float] | None = None) -> Figure:
    """One panel per state variable: median, 50% and 90% bands over calendar time, on the variable's
    full range (0-1 for indices, 0-100 for percentages), so panels and episodes compare by eye.

    `fan` is the fan.json dict (dates, variables → unit, lower, upper, quantiles
    "5", "25", "50", "75", "95"). `triggers` are dicts with "date", "id" and
    "kind", drawn on a track under the panels with one colour and shape per kind
    and labels placed so that none overlap. `polls` are dicts with "date",
    "variable" and "value", drawn as points. `steps` (from `step_summary`) are the
    model's decisive steps, drawn as median dates with quartile bars on a track
    of their own; `recorded` (step → date) the record's dates, drawn as stars on
    that track and dashed lines through the panels. Variables and trigger kinds
    are labelled in `cast`'s names ('anti-Tokyo sentiment'; neutral words by default). `size` (width,
    height in inches) fixes the figure's shape, e.g. `SLIDE_16_9`; by default it grows with the panels.
    """
    var_labels, kind_names = variable_labels(cast), kind_labels(cast)
    names = list(variables or fan.get("order") or fan["variables"])
    dates = mdates.date2num([_as_date(d) for d in fan["dates"]])
    lo_num, hi_num = float(dates[0]), float(dates[-1]) if len(dates) > 1 else float(dates[0]) + 1.0
    recorded = {k: _as_date(v) for k, v in (recorded or {}).items()}
    steps = steps or {}
    step_names = step_order(list(dict.fromkeys([*steps, *recorded])))
    width = size[0] if size else FAN_WIDTH
    axes_inches = width - AXES_MARGIN
    span = hi_num - lo_num
    shown = sorted((tr for tr in triggers if lo_num <= mdates.date2num(_as_date(tr["date"])) <= hi_num),
                   key=lambda t: str(t["date"]))
    texts = [str(tr.get("id", tr["kind"]))[:LABEL_CHARS] for tr in shown]
    centres = [float(mdates.date2num(_as_date(tr["date"]))) for tr in shown]
    widths = [_label_width_days(t, span, axes_inches) for t in texts]
    # A label near an end of the axis moves inward, with a leader line to its marker.
    places = [min(max(x, lo_num + w / 2), hi_num - w / 2) for x, w in zip(centres, widths, strict=True)]
    rows = label_rows(places, widths, gap=span * 0.004, max_rows=SLIDE_LABEL_ROWS if size else MAX_LABEL_ROWS)
    label_rows_used = max((r for r in rows if r is not None), default=-1) + 1
    heights = [SLIDE_PANEL_WEIGHT if size else 1.0] * len(names)
    if step_names:
        heights.append(0.22 * len(step_names) + 0.25)
    if shown:
        heights.append(0.22 * (label_rows_used + 1) + 0.35)
    # a step or label panel taller than a variable's (many steps, many label rows) makes the page taller, so the
    # variables' panels keep their height and their stacked y-labels do not overlap
    tall = 2.0 * len(names) + 2.2 * sum(max(1.0, h) for h in heights[len(names):]) + 1.2
    fig = Figure(layout="constrained", figsize=size or (FAN_WIDTH, tall))
    axes = np.atleast_1d(fig.subplots(len(heights), 1, sharex=True, gridspec_kw={"height_ratios": heights}))
    band90 = band50 = median_line = poll_pts = record_line = None
    step_handles: list[Any] = []
    for ax, name in zip(axes, names, strict=False):
        v = fan["variables"][name]
        q = {k: np.asarray(x) for k, x in v["quantiles"].items()}
        band90 = ax.fill_between(dates, q["5"], q["95"], color="#56B4E9", alpha=0.35, linewidth=0,
                                 label="90% band")
        band50 = ax.fill_between(dates, q["25"], q["75"], color="#0072B2", alpha=0.45, linewidth=0,
                                 label="50% band")
        median_line = ax.plot(dates, q["50"], color="#000000", linewidth=1.6, label="median")[0]
        own = [p for p in polls if p.get("variable") == name]
        if own:
            poll_pts = ax.plot(mdates.date2num([_as_date(p["date"]) for p in own]), [p["value"] for p in own],
                               marker="o", markersize=7, linestyle="none", color="#E69F00",
                               markeredgecolor="black", label="poll observation")[0]
        for tr in shown:
            ax.axvline(mdates.date2num(_as_date(tr["date"])), color="#bbbbbb", linewidth=0.6, linestyle=":")
        for when in recorded.values():
            record_line = ax.axvline(mdates.date2num(when), color=RECORDED_COLOUR, linewidth=1.2, linestyle="--",
                                     label="date of a recorded step")
        ax.set_ylabel(f"{var_labels.get(name, _label(name))}\n({v['unit']})")
        ax.set_ylim(v["lower"], v["upper"])  # the full range, never rescaled to the data
        ax.grid(alpha=0.25)
    k = len(names)
    if step_names:
        sax = axes[k]
        k += 1
        for i, name in enumerate(step_names):
            y = len(step_names) - 1 - i
            colour = STEP_COLOURS.get(name, OKABE_ITO[0])
            if name in steps:
                st = steps[name]
                a, m, b = (mdates.date2num(_as_date(st[key])) for key in ("q25", "median", "q75"))
                sax.plot([a, b], [y, y], color=colour, linewidth=6, solid_capstyle="butt", alpha=0.8)
                sax.plot([m], [y], marker="D", markersize=9, color=colour, markeredgecolor="black", linestyle="none")
            if name in recorded:
                sax.plot([mdates.date2num(recorded[name])], [y], marker="*", markersize=15, color=RECORDED_COLOUR,
                         linestyle="none")
        sax.set_yticks(range(len(step_names)),
                       [f"{_label(n)} ({100 * steps[n]['reached']:.0f}%)" if n in steps else f"{_label(n)} (0%)"
                        for n in reversed(step_names)])
        sax.set_ylim(-0.7, len(step_names) - 0.3)
        sax.set_ylabel("steps")
        sax.grid(axis="x", alpha=0.25)
        step_handles += [
            Line2D([], [], marker="D", markersize=9, color="#777777", markeredgecolor="black", linewidth=6,
                   alpha=0.8, label="model step: median date, bar 25-75% of runs"),
            Line2D([], [], marker="*", markersize=13, color=RECORDED_COLOUR, linestyle="none",
                   label="recorded step")]
    if shown:
        tax = axes[k]
        for kind in dict.fromkeys(tr["kind"] for tr in shown):
            colour, marker = kind_style(kind)
            xs = [c for c, tr in zip(centres, shown, strict=True) if tr["kind"] == kind]
            tax.plot(xs, [0.0] * len(xs), marker=marker, markersize=10, linestyle="none", color=colour,
                     markeredgecolor="black", label=kind_names.get(kind, _label(kind)))
        for text, x, place, row in zip(texts, centres, places, rows, strict=True):
            if row is None:
                continue
            tax.annotate(text, (x, 0.0), xytext=(place, 1.0 + row), textcoords="data", fontsize=LABEL_POINTS,
                         ha="center", va="center", gid="trigger-label",
                         arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.6, "shrinkA": 0,
                                     "shrinkB": 4})
        left_off = sum(r is None for r in rows)
        if left_off:
            tax.text(1.0, 1.0, f"{left_off} more not labelled (see the timeline)", transform=tax.transAxes,
                     ha="right", va="bottom", fontsize=10, style="italic")
        tax.set_ylim(-0.6, label_rows_used + 0.7)
        tax.set_yticks([])
        tax.set_ylabel("triggers")
        kinds_handles, _ = tax.get_legend_handles_labels()
        columns = max(1, min(5, len(kinds_handles), int(width // KIND_COLUMN_INCHES)))
        fig.legend(handles=kinds_handles, loc="outside lower center", ncol=columns,
                   title="trigger kind (colour and shape)", frameon=False)
    axes[-1].set_xlim(lo_num, hi_num)
    _date_axis(axes[-1])
    axes[-1].set_xlabel("date")
    handles = [h for h in (median_line, band50, band90, poll_pts, record_line) if h is not None]
    if step_names:
        handles += step_handles
    # Figure legends sit outside the panels, so they never narrow the time axis the labels were placed on.
    fig.legend(handles=handles, loc="outside upper center", ncol=min(3, len(handles)), frameon=False)
    axes[0].set_title(f"{title} ({fan.get('runs', '?')} runs)")  # a suptitle would collide with the legend
    fig.align_ylabels(axes)
    return fig


# ------------------------------------------------------------------ sweep, sensitivity, explain


@projector
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


@projector
def sweep_heatmap(x_values: Sequence[float], y_values: Sequence[float], probability: Sequence[Sequence[float]],
                  x_parameter: str, y_parameter: str, outcome: str, x_unit: str = "", y_unit: str = "",
                  title: str | None = None,
                  interval: Sequence[Sequence[tuple[float, float]]] | None = None) -> Figure:
    """Probability of `outcome` over a two-parameter grid; probability[y][x], and its 95% interval
    interval[y][x] = (low, high) printed under it in each cell when given.

    Each cell is centred on its grid value, and the ticks sit on those values,
    one per row and column, so a tick names the row beside it. What the cells say
    is stated under the title (no legend: there is nothing to key).
    """
    fig = Figure(layout="constrained", figsize=(8, 5.8))
    ax = fig.add_subplot()
    grid = np.asarray(probability, dtype=float)
    # cividis: perceptually uniform and readable with colour-vision deficiencies.
    mesh = ax.pcolormesh(_edges(x_values), _edges(y_values), grid, cmap="cividis", vmin=0, vmax=1, shading="flat")
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label(f"probability of {_label(outcome)}")
    for (yi, xi), p in np.ndenumerate(grid):
        text = f"{p:.2f}"
        if interval is not None:
            lo, hi = interval[yi][xi]
            text += f"\n[{lo:.2f}, {hi:.2f}]"
        ax.text(float(x_values[xi]), float(y_values[yi]), text, ha="center", va="center",
                color="white" if p < 0.5 else "black", fontsize=11 if interval is not None else 12)
    ax.set_xticks([float(v) for v in x_values], [f"{float(v):g}" for v in x_values])
    ax.set_yticks([float(v) for v in y_values], [f"{float(v):g}" for v in y_values])
    ax.set_xlabel(f"{x_parameter} ({x_unit})" if x_unit else x_parameter)
    ax.set_ylabel(f"{y_parameter} ({y_unit})" if y_unit else y_parameter)
    key = "cell: probability [95% interval]" if interval is not None else "cell: probability"
    ax.set_title(f"{_wrap(title or f'Probability of {_label(outcome)}', 60)}\n{key}")
    return fig


def _edges(values: Sequence[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


@projector
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
