"""Figures of a calibration: each parameter's posterior against its prior, and the pairs.

`plot DIR` draws these when DIR holds a calibration (posterior.csv, as
`calibrate --out DIR` writes it), and `plot scenarios/params` draws the shipped
one. Each parameter is drawn on its prior's own scale (log for loguniform
timescales) in bins of equal prior probability, so the prior is a flat line and
any bump is what the episodes taught.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..domain.parameters import PARAMETERS
from ..explore.posterior import marginals
from ..scenario.params import Posterior, load_posterior
from .charts import OKABE_ITO, projector, save_figure

BINS = 20
"""Bins per parameter, each holding 1/BINS of the prior."""
PAIR_POINTS = 600
"""Particles shown in each pair panel, picked by weight (systematic resampling: no randomness)."""


def _edges(name: str) -> np.ndarray:
    info = PARAMETERS[name]
    return np.array([info.from_unit(u) for u in np.linspace(0.0, 1.0, BINS + 1)])


def _scale(ax: Any, name: str, axis: str = "x") -> None:
    """A log axis for a loguniform prior, with plain-number labels on the major ticks only."""
    if PARAMETERS[name].prior == "loguniform":
        getattr(ax, f"set_{axis}scale")("log")
        scale = ax.xaxis if axis == "x" else ax.yaxis
        scale.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        scale.set_minor_formatter(mticker.NullFormatter())


@projector
def posterior_marginals(posterior: Posterior, title: str = "Posterior against prior") -> Figure:
    """One panel per parameter: the posterior's weight per bin of equal prior probability (the prior is
    the flat line), its weighted median and 10-90% interval."""
    names = list(posterior.names)
    cols = 3
    rows = math.ceil(len(names) / cols)
    fig = Figure(layout="constrained", figsize=(4.2 * cols, 3.0 * rows + 0.8))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    w = np.asarray(posterior.weights, dtype=float)
    w = w / w.sum()
    summary = {m.name: m for m in marginals(posterior)}
    for ax, (j, name) in zip(axes, enumerate(names), strict=False):
        values = np.array([p[j] for p in posterior.particles])
        edges = _edges(name)
        ax.hist(values, bins=list(edges), weights=w, color=OKABE_ITO[0], alpha=0.75, edgecolor="black", linewidth=0.4)
        ax.axhline(1.0 / BINS, color="black", linestyle=":", linewidth=1.5)
        m = summary[name]
        ax.axvspan(m.q10, m.q90, color=OKABE_ITO[1], alpha=0.2)
        ax.axvline(m.median, color=OKABE_ITO[3], linewidth=2)
        _scale(ax, name)
        ax.set_xlim(edges[0], edges[-1])
        info = PARAMETERS[name]
        ax.set_title(name, fontsize=12)
        ax.set_xlabel(info.unit, fontsize=10)
        ax.set_ylabel("posterior weight per bin", fontsize=10)
        ax.text(0.98, 0.95, f"width {m.width:.2f}", transform=ax.transAxes, ha="right", va="top", fontsize=10)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    fig.legend(handles=[
        Patch(facecolor=OKABE_ITO[0], alpha=0.75, edgecolor="black", label="posterior (weight per bin)"),
        Line2D([], [], color="black", linestyle=":", label=f"prior (1/{BINS} per bin)"),
        Line2D([], [], color=OKABE_ITO[3], linewidth=2, label="posterior median"),
        Patch(facecolor=OKABE_ITO[1], alpha=0.2, label="posterior 10-90%")],
        loc="outside lower center", ncol=4)
    fig.suptitle(f"{title} ({len(posterior)} particles; width: 10-90% interval in prior quantiles, prior 0.80)")
    return fig


@projector
def posterior_pairs(posterior: Posterior, title: str = "Posterior: every pair of parameters") -> Figure:
    """Corner plot: each parameter's posterior on the diagonal, every pair below it as points drawn by
    weight (a ridge in a panel is a trade-off the episodes cannot tell apart)."""
    names = list(posterior.names)
    n = len(names)
    fig = Figure(layout="constrained", figsize=(1.9 * n + 1, 1.9 * n + 1))
    axes = np.atleast_2d(fig.subplots(n, n, squeeze=False))
    w = np.asarray(posterior.weights, dtype=float)
    w = w / w.sum()
    data = np.asarray(posterior.particles, dtype=float)
    pick = by_weight(w, min(PAIR_POINTS, len(data)))
    for i, yname in enumerate(names):
        for j, xname in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(data[:, j], bins=list(_edges(xname)), weights=w, color=OKABE_ITO[0], alpha=0.75)
                ax.set_yticks([])
            else:
                ax.plot(data[pick, j], data[pick, i], linestyle="none", marker=".", markersize=3, alpha=0.35,
                        color=OKABE_ITO[0])
                lo, hi = _edges(yname)[[0, -1]]
                ax.set_ylim(lo, hi)
                _scale(ax, yname, "y")
            lo, hi = _edges(xname)[[0, -1]]
            ax.set_xlim(lo, hi)
            _scale(ax, xname)
            ax.tick_params(labelsize=8)
            if i == n - 1:
                ax.set_xlabel(xname, fontsize=9)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(yname, fontsize=9)
            elif i != j:
                ax.set_yticklabels([])
    fig.suptitle(f"{title} ({len(posterior)} particles, {len(pick)} drawn by weight per panel)")
    return fig


def by_weight(weights: np.ndarray, k: int) -> np.ndarray:
    """`k` particle indices in proportion to `weights` (systematic resampling at the mid-points)."""
    cum = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cum, (np.arange(k) + 0.5) / k), len(weights) - 1)


def is_calibration_dir(directory: str | Path) -> bool:
    """Whether `directory` holds a posterior sample (posterior.csv) to draw."""
    return (Path(directory) / "posterior.csv").is_file()


def write_calibration_plots(directory: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Draw marginals.png and pairs.png (and SVGs) of DIR/posterior.csv into OUT_DIR (default DIR/plots)."""
    posterior = load_posterior(Path(directory) / "posterior.csv")
    target = Path(out_dir) if out_dir else Path(directory) / "plots"
    paths = save_figure(posterior_marginals(posterior), target / "marginals")
    return paths + save_figure(posterior_pairs(posterior), target / "pairs")
