"""One replication told as a dated narrative, for classrooms."""

from __future__ import annotations

from collections.abc import Iterable

from ..model.engine import LogEntry, Model, ReplicationResult


def format_terms(terms: Iterable[tuple[str, float]]) -> str:
    """'threat_cooperation +1.20, issue_linkage -0.80' (largest first, signed)."""
    return ", ".join(f"{name} {value:+.2f}" for name, value in terms)


def story_heading(model: Model, seed: int, index: int) -> list[str]:
    """The two lines before a story: which replication it is, and where the agreement starts."""
    sc = model.scenario
    return [f"{sc.name}: replication {index} of seed {seed}",
            f"Actors decide from {sc.decisions_from}; the agreement is {sc.agreement.state.value}."]


def story_lines(model: Model, result: ReplicationResult) -> list[str]:
    """The replication's log as lines: date, actor, what happened and why."""
    lines = []
    for entry in result.log or []:
        lines.append(_line(model, entry))
    end = f"Outcome: {result.outcome}"
    if result.outcome_t is not None:
        end += f" on {model.date(result.outcome_t).isoformat()}"
    lines.append(end)
    return lines


def _line(model: Model, e: LogEntry) -> str:
    head = f"{model.date(e.t).isoformat()}  {e.actor:<22} {e.action}"
    extras = []
    if e.probability is not None:
        extras.append(f"p={e.probability:.2f}")
    if e.terms:
        extras.append("because " + format_terms(e.terms))
    if e.detail:
        extras.append(e.detail)
    return head + (f"  ({'; '.join(extras)})" if extras else "")
