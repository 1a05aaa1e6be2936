"""Comparing scenarios with common random numbers.

Replication i of every scenario uses the same seed (the i-th child of one root
seed), so where two scenarios agree their replications start from the same
draws and a difference in outcomes comes from the change, not from luck. The
pairing is exact up to the first moment the scenarios differ; after it the
random streams drift apart, so the pairing narrows intervals most for changes
late in an episode or with small effects.

Each outcome's probability has a 95% Wilson interval; each difference from the
first scenario has Newcombe's paired interval (see `diplosim.paired`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model.engine import Model, ReplicationResult
from ..model.outcomes import wilson_interval
from .experiment import Runner, run_points
from .paired import distribution_shift, paired_difference, shift_interval


def outcome_names(models: Sequence[Model], results: Sequence[Sequence[ReplicationResult]]) -> list[str]:
    """Every possible outcome of the scenarios, in the first one's order, then any other seen."""
    names: list[str] = []
    for model in models:
        names += [n for n in model.scenario.outcomes if n not in names]
    seen = sorted({r.outcome for rs in results for r in rs} - set(names))
    return names + seen


def distribution(results: Sequence[ReplicationResult], names: Sequence[str]) -> dict[str, Any]:
    """Each outcome's probability, count and 95% Wilson interval."""
    n = len(results)
    out: dict[str, Any] = {}
    for name in names:
        k = sum(r.outcome == name for r in results)
        lo, hi = wilson_interval(k, n)
        out[name] = {"p": round(k / n, 6) if n else 0.0, "ci": [round(lo, 6), round(hi, 6)], "count": k}
    return out


def difference(base: Sequence[ReplicationResult], other: Sequence[ReplicationResult],
               names: Sequence[str], seed: int = 0) -> dict[str, Any]:
    """How `other` differs from `base`, replication by replication (paired).

    Per outcome: the change in probability with Newcombe's paired interval;
    overall: the total variation distance with a paired bootstrap interval and
    the share of replications whose outcome changed.
    """
    a = [r.outcome for r in base]
    b = [r.outcome for r in other]
    per: dict[str, Any] = {}
    for name in names:
        diff, lo, hi = paired_difference([o == name for o in a], [o == name for o in b])
        per[name] = {"diff": round(diff, 6), "ci": [round(lo, 6), round(hi, 6)]}
    lo, hi = shift_interval(a, b, names, seed=seed)
    changed = sum(x != y for x, y in zip(a, b, strict=True)) / max(1, len(a))
    return {"outcomes": per, "shift": round(distribution_shift(a, b, names), 6),
            "shift_ci": [round(lo, 6), round(hi, 6)], "changed": round(changed, 6)}


def compare(models: Sequence[Model], runs: int, seed: int, runner: Runner) -> dict[str, Any]:
    """Run every model with the same seeds and report distributions and differences from the first."""
    if not models:
        raise ValueError("nothing to compare")
    results = list(run_points(models, runs, seed, runner))
    names = outcome_names(models, results)
    scenarios = []
    for model, rs in zip(models, results, strict=True):
        sc = model.scenario
        entry: dict[str, Any] = {"name": sc.name, "file": sc.path, "question": sc.question,
                                 "outcomes": distribution(rs, names),
                                 "errors": sum(r.error is not None for r in rs)}
        scenarios.append(entry)
    labels = unique_labels([m.scenario.name for m in models], [Path(m.scenario.path).stem for m in models])
    for entry, label in zip(scenarios, labels, strict=True):
        entry["label"] = label
    for entry, rs in zip(scenarios[1:], results[1:], strict=True):
        entry["difference"] = difference(results[0], rs, names, seed)
    return {"runs": runs, "seed": seed, "outcomes": names, "scenarios": scenarios}


def unique_labels(names: Sequence[str], stems: Sequence[str]) -> list[str]:
    """A distinct column header per scenario: its name; where names repeat (a variant inheriting its
    base's ``name:``), its file's stem; where those repeat too (one file twice), numbered by position."""
    labels = [stem if names.count(name) > 1 else name for name, stem in zip(names, stems, strict=True)]
    return [f"{label} #{i + 1}" if labels.count(label) > 1 else label for i, label in enumerate(labels)]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _signed(x: float) -> str:
    return f"{100 * x:+.1f}"


def comparison_text(report: dict[str, Any], markdown: bool = False) -> str:
    """The comparison as a table: one row per outcome, one column pair per scenario (percent)."""
    names = report["outcomes"]
    scenarios = report["scenarios"]
    label = [sc.get("label", sc["name"]) for sc in scenarios]
    header = ["outcome", f"{label[0]} % [95%]"]
    for name in label[1:]:
        header += [f"{name} % [95%]", "difference, points [95%]"]
    rows = []
    for name in names:
        first = scenarios[0]["outcomes"][name]
        row = [name, f"{_pct(first['p'])} [{_pct(first['ci'][0])}, {_pct(first['ci'][1])}]"]
        for sc in scenarios[1:]:
            o = sc["outcomes"][name]
            d = sc["difference"]["outcomes"][name]
            row += [f"{_pct(o['p'])} [{_pct(o['ci'][0])}, {_pct(o['ci'][1])}]",
                    f"{_signed(d['diff'])} [{_signed(d['ci'][0])}, {_signed(d['ci'][1])}]"]
        rows.append(row)
    lines = [f"{report['runs']} runs per scenario, root seed {report['seed']} (common random numbers)"]
    lines += [f"with --set {path}={value} (every scenario)" for path, value in report.get("set", {}).items()]
    lines += [f"with --set-for {i + 1} {path}={value} ({label[i]} only)"
              for i, sc in enumerate(scenarios) for path, value in sc.get("set", {}).items()]
    lines.append("")
    lines += render_table(header, rows, markdown)
    for i, sc in enumerate(scenarios[1:], 1):
        d = sc["difference"]
        lo, hi = d["shift_ci"]
        lines.append("")
        lines.append(f"{label[i]} vs {label[0]}: distribution shift {d['shift']:.3f} "
                     f"[{lo:.3f}, {hi:.3f}]; outcome changed in {_pct(d['changed'])}% of paired replications")
    return "\n".join(lines)


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> list[str]:
    """Lines of a plain aligned table, or of a Markdown table."""
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return out + ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip()] + [fmt.format(*r).rstrip() for r in rows]
