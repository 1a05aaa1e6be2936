"""One replication told as a dated narrative, for classrooms.

Each decision keeps its compact line (``p=``, ``because`` with the mechanisms'
identifiers, as in the model's files) and gets a plain-language line under it:
how likely the answer drawn was, a low-probability answer flagged as the luck
of the draw, and which forces pushed for or against it and how hard, in the
words of `glossary`, in the names the scenario gives its cast (no label
assumes the GSOMIA countries). `reading_guide` explains the notation once, and
`outcome_share_line` says how common the run's ending is among its siblings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ..model.engine import LogEntry, Model, ReplicationResult
from ..run.ensemble import run_indices, run_one
from .glossary import NEUTRAL, CastNames, chance_phrase, clean_source, explain_terms, kind_labels, plain_names

INDENT = " " * 12
"""Plain-language lines sit under the date column."""

UNCOMMON = 0.2
"""An outcome reached by fewer than this share of replications is called uncommon in a story."""


def format_terms(terms: Iterable[tuple[str, float]]) -> str:
    """'threat_cooperation +1.20, issue_linkage -0.80' (largest first, signed)."""
    return ", ".join(f"{name} {value:+.2f}" for name, value in terms)


def story_heading(model: Model, seed: int, index: int) -> list[str]:
    """The two lines before a story: which replication it is, and where the agreement starts."""
    sc = model.scenario
    return [f"{sc.name}: replication {index} of seed {seed}",
            f"Actors decide from {sc.decisions_from}; the agreement is {sc.agreement.state.value.replace('_', ' ')}."]


def mechanisms_used(result: ReplicationResult) -> list[str]:
    """The mechanisms named in the story's decisions, in order of first appearance."""
    seen: dict[str, None] = {}
    for entry in result.log or []:
        for name, _ in entry.terms:
            seen.setdefault(name, None)
    return list(seen)


def reading_guide(mechanisms: Iterable[str], cast: CastNames = NEUTRAL) -> list[str]:
    """How to read a story: what ``p`` and ``because`` mean, and a plain name for each mechanism used
    (in `cast`'s names)."""
    lines = [
        "How to read this story:",
        "  A decision reads: date, actor, the question -> the answer drawn (p=...; because ...).",
        "  p        the chance the model gave that answer; every answer is drawn at random with its chance,",
        "           so a run can take an unlikely one (marked 'against the odds').",
        "  because  the forces that pushed hardest for (+) or against (-) that answer, in utility points:",
        "           +1 multiplies the answer's odds by about 2.7; under 0.5 is slight, 3 or more is very strong.",
    ]
    plain = plain_names(cast)
    names = [m for m in mechanisms if m in plain]
    if names:
        width = max(len(n) for n in names)
        lines.append("  The forces (mechanisms) in this story:")
        lines += [f"    {n:<{width}}  {plain[n]}" for n in names]
    return lines


def story_lines(model: Model, result: ReplicationResult) -> list[str]:
    """The replication's log as lines: date, actor, what happened and why (decisions explained in words),
    in the names the scenario gives its cast."""
    cast = CastNames.of(model.scenario)
    events = {kind.replace("_", " "): label for kind, label in kind_labels(cast).items()}
    lines = []
    for entry in result.log or []:
        lines.append(_line(model, entry, events))
        if entry.probability is not None:
            lines.append(plain_line(entry, cast))
    end = f"Outcome: {result.outcome.replace('_', ' ')}"
    if result.outcome_t is not None:
        end += f" on {model.date(result.outcome_t).isoformat()}"
    lines.append(end)
    return lines


def plain_line(entry: LogEntry, cast: CastNames = NEUTRAL) -> str:
    """A decision in plain words: how likely the answer was, and what pushed for and against it."""
    assert entry.probability is not None
    text = f"{INDENT}= {chance_phrase(entry.probability)}"
    if entry.terms:
        text += "; " + explain_terms(entry.terms, cast)
    return text + "."


def outcome_share_line(outcome: str, counts: Mapping[str, int], runs: int, seed: int) -> str:
    """How common this run's outcome is among the first `runs` replications of its seed."""
    n = counts.get(outcome, 0)
    share = 100.0 * n / max(runs, 1)
    others = ", ".join(f"{k.replace('_', ' ')} {_percent(100.0 * v / max(runs, 1))}"
                       for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if k != outcome and v)
    text = (f"How common: {_percent(share)} of the {runs} replications of seed {seed} end "
            f"'{outcome.replace('_', ' ')}'")
    if share < 100 * UNCOMMON:
        text += " (an uncommon ending: do not read this run as the model's forecast)"
    return text + (f"; the others: {others}." if others else ".")


def _percent(share: float) -> str:
    """A share in whole percent, '<1%' for a few runs (never '0%' for an outcome that happened)."""
    return "<1%" if 0 < share < 0.5 else f"{share:.0f}%"


def _line(model: Model, e: LogEntry, events: Mapping[str, str]) -> str:
    """One log entry; an event (logged as its kind) under its label in the cast's names."""
    action = events.get(e.action, e.action) if e.probability is None else e.action
    head = f"{model.date(e.t).isoformat()}  {e.actor:<22} {action}"
    extras = []
    if e.probability is not None:
        extras.append(f"p={e.probability:.2f}")
    if e.terms:
        extras.append("because " + format_terms(e.terms))
    if e.detail:
        extras.append(clean_source(e.detail))
    return head + (f"  ({'; '.join(extras)})" if extras else "")


def tell(model: Model, seed: int, index: int, runs: int = 0) -> dict[str, Any]:
    """Replication `index` of `seed` as a story, the way ``run.py story`` prints it and the page shows it.

    With `runs` > 0 the first `runs` replications of the same seed are run too,
    to say how common this run's ending is. Keys: replication, seed, outcome,
    failed (the error, or None), heading, guide, lines, share (a line, or "").
    """
    result = run_one(model, seed, index, record_log=True)
    told: dict[str, Any] = {"replication": index, "seed": seed, "outcome": result.outcome, "failed": result.error,
                            "heading": story_heading(model, seed, index), "guide": [], "lines": [], "share": ""}
    if result.error is not None:
        return told
    told["guide"] = reading_guide(mechanisms_used(result), CastNames.of(model.scenario))
    told["lines"] = story_lines(model, result)
    if runs > 0:
        counts = Counter(r.outcome for r in run_indices(model, seed, range(runs)) if r.error is None)
        told["share"] = outcome_share_line(result.outcome, counts, runs, seed)
    return told


def story_text(told: Mapping[str, Any]) -> list[str]:
    """The printed story: heading, reading guide, the dated lines, and how common the ending is."""
    out = [*told["heading"], "", *told["guide"], "", *told["lines"]]
    return out + [told["share"]] if told["share"] else out
