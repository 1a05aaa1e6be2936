"""The counterfactual findings: each counterfactual file against the episode it extends.

A counterfactual scenario ``extends:`` a history episode and changes one
thing; its ``question:`` says what it asks. `findings` runs each one with its
base under common random numbers and reports, for the base's recorded outcome
and for the outcome that moved most, the probabilities and the paired
difference with its interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..model.engine import compile_scenario
from ..scenario.loader import Scenario
from .compare import compare, render_table
from .experiment import Runner


def base_file(sc: Scenario) -> str:
    """The file a counterfactual extends directly."""
    if len(sc.files) < 2:
        raise ScenarioError("a counterfactual 'extends' the episode it changes; this file extends none",
                            file=sc.path, field="extends")
    return sc.files[1]


def findings(paths: Sequence[str], load: Callable[[str], Scenario], runs: int, seed: int,
             runner: Runner) -> list[dict[str, Any]]:
    """One finding per counterfactual file: its question and how its outcomes differ from its base's."""
    out = []
    for path in paths:
        cf = load(path)
        base = load(base_file(cf))
        report = compare([compile_scenario(base), compile_scenario(cf)], runs, seed, runner)
        out.append(_finding(path, cf, base, report))
    return out


def _finding(path: str, cf: Scenario, base: Scenario, report: Mapping[str, Any]) -> dict[str, Any]:
    first, second = report["scenarios"]
    diff = second["difference"]
    recorded = base.record.outcome if base.record is not None else max(
        report["outcomes"], key=lambda n: first["outcomes"][n]["p"])
    moved = max(report["outcomes"], key=lambda n: abs(diff["outcomes"][n]["diff"]))

    def row(name: str) -> dict[str, Any]:
        return {"outcome": name, "base_p": first["outcomes"][name]["p"],
                "p": second["outcomes"][name]["p"], "diff": diff["outcomes"][name]["diff"],
                "ci": diff["outcomes"][name]["ci"]}

    modal = max(report["outcomes"], key=lambda n: second["outcomes"][n]["p"])
    return {"file": path, "name": cf.name, "question": cf.question or "", "base": base.name,
            "recorded": row(recorded), "moved_most": row(moved), "modal": modal,
            "shift": diff["shift"], "shift_ci": diff["shift_ci"], "runs": report["runs"],
            "seed": report["seed"]}


def findings_text(rows: Sequence[Mapping[str, Any]], markdown: bool = False) -> str:
    """The findings as one table (percent and percentage points)."""
    header = ["counterfactual", "question", "base", "recorded outcome: base -> counterfactual",
              "difference, points [95%]", "moved most", "modal outcome"]
    table = []
    for r in rows:
        rec, most = r["recorded"], r["moved_most"]
        moved = (f"{most['outcome']} {100 * most['diff']:+.1f} [{100 * most['ci'][0]:+.1f}, "
                 f"{100 * most['ci'][1]:+.1f}]")
        table.append([Path(r["file"]).stem, r["question"], r["base"],
                      f"{rec['outcome']}: {100 * rec['base_p']:.1f}% -> {100 * rec['p']:.1f}%",
                      f"{100 * rec['diff']:+.1f} [{100 * rec['ci'][0]:+.1f}, {100 * rec['ci'][1]:+.1f}]",
                      moved, r["modal"]])
    return "\n".join(render_table(header, table, markdown))
