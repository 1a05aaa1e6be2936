"""The parameter table of docs/model.md, made from a parameter file and the posterior it names.

    python -m diplosim.present.paramdoc scenarios/params/default.yaml
"""

from __future__ import annotations

import sys

from ..domain.mechanisms import MECHANISMS, PROCESS
from ..explore.posterior import marginals
from ..scenario.params import ParameterSet, load_parameters


def parameter_table(params: ParameterSet) -> str:
    """Markdown tables by mechanism: each parameter's value in force, prior, unit, the posterior's
    weighted 10-90% when it is calibrated (the value is then the posterior median), and its meaning."""
    spread = {m.name: m for m in marginals(params.posterior)} if params.posterior is not None else {}
    lines = []
    for mech in [*MECHANISMS, PROCESS]:
        specs = [s for s in params.specs.values() if s.mechanism == mech]
        if not specs:
            continue
        lines.append(f"\n**{mech}**\n")
        lines.append("| parameter | value | prior | unit | posterior 10-90% | meaning |")
        lines.append("|---|---|---|---|---|---|")
        for s in specs:
            m = spread.get(s.name)
            cell = f"{m.q10:.3g} to {m.q90:.3g}" if m else "not calibrated (prior median)"
            lines.append(f"| `{s.name}` | {s.value:.4g} | {s.info.prior_text} | {s.unit} | {cell} | {s.doc} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print(parameter_table(load_parameters(args[0])), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
