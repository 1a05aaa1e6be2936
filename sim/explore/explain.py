"""What mattered: knock out one cause at a time and see how far the outcomes move.

The causes are the scenario's triggers (each alone, and all triggers of a kind
together when there are several, e.g. every missile test), its mechanisms
(each switched off) and Washington's own reactions. Every variant runs with
the same seeds as the scenario itself (common random numbers), so a cause
whose removal changes nothing leaves most replications exactly as they were.

Causes are ranked by the distribution shift (total variation distance between
the outcome distributions, with a paired bootstrap interval); for each outcome
the change in probability has Newcombe's paired interval. Removing causes one
at a time measures what each one carried *given all the others*: two causes
that each suffice for an outcome will both look unimportant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..domain.mechanisms import MECHANISMS
from ..model.engine import compile_scenario, silenced_roles
from ..scenario.loader import ROLES, Scenario
from ..scenario.variants import active_triggers, silenced, without_mechanisms, without_triggers
from .compare import difference, distribution, outcome_names, render_table
from .experiment import Runner, run_points


@dataclass(frozen=True)
class Cause:
    """Something `explain` can remove: its label, kind and the scenario without it."""

    label: str
    kind: str
    detail: str
    variant: Scenario


def causes(sc: Scenario) -> list[Cause]:
    """Every cause of `sc` that can be removed, in the scenario's order."""
    out: list[Cause] = []
    ids = active_triggers(sc)
    by_id = {tr.id: tr for tr in sc.triggers}
    for tid in ids:
        tr = by_id[tid]
        when = tr.at.isoformat() if tr.at else (f"after {tr.after}" if tr.after else f"rate {tr.rate:g}/year")
        out.append(Cause(f"trigger {tid}", "trigger", f"{tr.kind}, {when}", without_triggers(sc, [tid])))
    kinds = Counter(by_id[t].kind for t in ids)
    for kind, n in kinds.items():
        if n > 1:
            group = [t for t in ids if by_id[t].kind == kind]
            out.append(Cause(f"every {kind} ({n})", "kind", f"all {n} {kind} triggers",
                             without_triggers(sc, group, f"without every {kind}")))
    for name in MECHANISMS:
        if name in sc.mechanisms:
            out.append(Cause(f"mechanism {name}", "mechanism", MECHANISMS[name].split(" (")[0],
                             without_mechanisms(sc, [name])))
    quiet = silenced_roles(sc)
    for role in ROLES:
        if role != "executive" and role not in quiet:
            out.append(Cause(f"the {role}'s own moves", "actor", f"actors.{role}.decides: false",
                             silenced(sc, [role])))
    return out


def explain(sc: Scenario, runs: int, seed: int, runner: Runner, *,
            progress: Callable[[int, int], None] | None = None,
            only: Sequence[str] = ()) -> dict[str, Any]:
    """Rerun `sc` without each cause and rank the causes by how far the outcome distribution moves.

    `only` restricts the causes to those whose kind ('trigger', 'kind',
    'mechanism', 'actor') is listed.
    """
    base_model = compile_scenario(sc)
    [base] = run_points([base_model], runs, seed, runner)
    chosen = [c for c in causes(sc) if not only or c.kind in only]
    results = list(run_points((compile_scenario(c.variant) for c in chosen), runs, seed, runner, progress,
                              total=len(chosen)))
    names = outcome_names([base_model], [base, *results])
    rows = []
    for cause, rs in zip(chosen, results, strict=True):
        d = difference(base, rs, names, seed)
        rows.append({"cause": cause.label, "kind": cause.kind, "detail": cause.detail, **d})
    rows.sort(key=lambda r: (-r["shift"], r["cause"]))
    focus = sc.record.outcome if sc.record is not None else None
    return {"scenario": sc.name, "file": sc.path, "runs": runs, "seed": seed, "outcomes": names,
            "recorded_outcome": focus, "base": distribution(base, names), "causes": rows}


def explain_text(report: dict[str, Any], top: int | None = None, markdown: bool = False) -> str:
    """The ranking as a table: shift, then the change in each outcome's probability (points)."""
    base = report["base"]
    # outcomes no variant ever reached only widen the table (they stay in the JSON)
    names = [n for n in report["outcomes"] if base[n]["count"] or
             any(r["outcomes"][n]["diff"] != 0 for r in report["causes"])]
    lines = [f"{report['scenario']}: what mattered ({report['runs']} runs per variant, root seed "
             f"{report['seed']}, common random numbers)", "",
             "as run: " + ", ".join(f"{n} {100 * base[n]['p']:.1f}%" for n in names), ""]
    header = ["rank", "without", "shift [95%]", *[f"d {n} [95%]" for n in names]]
    rows = []
    for i, r in enumerate(report["causes"][:top] if top else report["causes"]):
        lo, hi = r["shift_ci"]
        cells = [str(i + 1), r["cause"], f"{r['shift']:.3f} [{lo:.3f}, {hi:.3f}]"]
        for n in names:
            o = r["outcomes"][n]
            cells.append(f"{100 * o['diff']:+.1f} [{100 * o['ci'][0]:+.1f}, {100 * o['ci'][1]:+.1f}]")
        rows.append(cells)
    lines += render_table(header, rows, markdown)
    if "renewed" in names:
        lines += ["", "notice given = every outcome but renewed: its change is minus d renewed."]
    lines += ["", "shift: total variation distance from the scenario as run (0 = no change, 1 = all "
              "outcomes different); d: change in an outcome's probability, percentage points."]
    return "\n".join(lines)


def ranking(report: dict[str, Any], top: int = 12) -> list[dict[str, Any]]:
    """The causes that moved the recorded (else the modal) outcome most, as chart rows.

    Each row: name, value (change in the outcome's probability without the
    cause), lo and hi (its 95% interval).
    """
    base = report["base"]
    outcome = report.get("recorded_outcome") or max(base, key=lambda k: base[k]["p"])
    rows = []
    for c in sorted(report["causes"], key=lambda c: -c["shift"])[:top]:
        o = c["outcomes"].get(outcome)
        if o is not None:
            rows.append({"name": c["cause"], "value": o["diff"], "lo": o["ci"][0], "hi": o["ci"][1]})
    return rows
