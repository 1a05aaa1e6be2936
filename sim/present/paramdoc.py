"""The parameter table of docs/model.md, made from the parameter file and a posterior sample.

    python -m diplosim.paramdoc scenarios/params/default.yaml results/calibration/posterior.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from ..domain.mechanisms import MECHANISMS, PROCESS
from ..scenario.params import ParameterSet, load_parameters


def parameter_table(params: ParameterSet, posterior: str | Path | None = None) -> str:
    """Markdown table: each parameter by mechanism, its value, bounds, unit, and posterior spread."""
    spread: dict[str, tuple[float, float]] = {}
    if posterior is not None:
        with open(posterior, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for name in params.specs:
            vals = sorted(float(r[name]) for r in rows if r.get(name) not in (None, ""))
            if vals:
                k = len(vals)
                spread[name] = (vals[int(0.1 * (k - 1))], vals[int(0.9 * (k - 1))])
        n = len(rows)
    lines = []
    for mech in [*MECHANISMS, PROCESS]:
        specs = [s for s in params.specs.values() if s.mechanism == mech]
        if not specs:
            continue
        lines.append(f"\n**{mech}**\n")
        spread_head = f" posterior 10-90% (n={n}) |" if spread else ""
        lines.append("| parameter | value | bounds | unit |" + spread_head + " meaning |")
        lines.append("|---|---|---|---|" + ("---|" if spread else "") + "---|")
        for s in specs:
            cell = ""
            if spread:
                cell = f" {spread[s.name][0]:.3g} - {spread[s.name][1]:.3g} |" if s.name in spread \
                    else " not calibrated |"
            lines.append(f"| `{s.name}` | {s.value:.4g} | [{s.lower:g}, {s.upper:g}] | {s.unit} |{cell} {s.doc} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print(parameter_table(load_parameters(args[0]), args[1] if len(args) > 1 else None), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
