"""What a calibration learned: weighted quantiles of a posterior sample, set against the prior.

A posterior is a weighted sample of particles (`scenario.params.Posterior`).
Its summary per parameter is the weighted median and 10-90% interval, and how
much the calibration narrowed that interval: the interval's width in prior
quantiles (0.8 under the prior itself), so a loguniform timescale and a
uniform weight compare on one scale. A width near 0.8 means the targets taught
the calibration little about that parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..domain.parameters import PARAMETERS
from ..scenario.params import Posterior

PRIOR_WIDTH = 0.8
"""Width of the 10-90% interval in prior quantiles, under the prior itself."""


def weighted_quantile(values: Sequence[float], weights: Sequence[float], q: float) -> float:
    """The `q` quantile (0-1) of `values` under `weights`: the smallest value whose cumulative
    weight reaches `q` of the total (inverted CDF, so the answer is one of the values)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if v.size == 0 or v.size != w.size or not np.all(w >= 0) or w.sum() <= 0:
        raise ValueError("expected as many non-negative weights as values, not all zero")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][min(int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12))), v.size - 1)])


@dataclass(frozen=True)
class Marginal:
    """One parameter of a posterior: median and 10-90% interval, and the interval's width in prior quantiles."""

    name: str
    median: float
    q10: float
    q90: float
    width: float

    @property
    def narrowed(self) -> float:
        """How much of the prior's 10-90% width the calibration removed (0: none, 1: all)."""
        return 1.0 - self.width / PRIOR_WIDTH


def marginals(posterior: Posterior) -> list[Marginal]:
    """Each parameter of `posterior`, in the file's order."""
    out = []
    for j, name in enumerate(posterior.names):
        values = [p[j] for p in posterior.particles]
        q10, q50, q90 = (weighted_quantile(values, posterior.weights, q) for q in (0.1, 0.5, 0.9))
        info = PARAMETERS[name]
        out.append(Marginal(name, q50, q10, q90, info.to_unit(q90) - info.to_unit(q10)))
    return out


def marginal_table(posterior: Posterior, markdown: bool = False) -> str:
    """The marginals as a table: median, 10-90%, prior, width in prior quantiles, unit."""
    head = ("parameter", "median", "10-90%", "prior", "10-90% width in prior quantiles (prior: 0.80)", "unit")
    rows = [(m.name, f"{m.median:.4g}", f"{m.q10:.4g} to {m.q90:.4g}", PARAMETERS[m.name].prior_text,
             f"{m.width:.2f}", PARAMETERS[m.name].unit) for m in marginals(posterior)]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join((f"`{r[0]}`", *r[1:])) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    return "\n".join("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)).rstrip()
                     for r in (head, *rows))
