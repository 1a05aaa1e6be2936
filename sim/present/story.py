"""One replication told as a short dated narrative, for classrooms.

A story is about 30 lines a student can read: one line per decision that changed
something or came close, the facts around them, the rest summarised in counts
(one line per question: "Seoul: give notice of termination? -> keep the pact, at
41 more reviews"), the outcome as the episode scores it (with any later moves),
and the record beside the run, flagged (!) on the line of each change of stage
that departs from it. A decision gets its line when

- it changed the agreement's stage (the step right before the change),
- it changed the actor's answer to the same question, or
- it came close: it is the closest call (the lowest chance) of a streak of the
  same answer, that chance is under `CLOSE`, and, when the streak began with a
  told answer, `CLOSE_STEP` below that one's. A close call that the same day's
  next review overturns is counted instead (the told review says it all).

A streak ends when the answer changes, the stage changes, or the answer made a
move the log records right after it (Tokyo lifting its measures), also through
the same actor's same-day decisions in between (the ruling camp forcing the
postponement of the step just chosen): the next review meets a new situation,
so its answer is not 'a new answer'.

The opposition's and the public's own decisions and moves are counted, not
told one by one; a fact of a kind already told is told again only on a day a
told decision happens. A dated fact from the file is told only when a told
decision or a change of stage happens on its day or comes before the next
review of a told actor; one that the next review met without changing anything
is counted with the rest ("Facts: ..."). Labels come from `glossary`, in the names the scenario
gives its cast (no label assumes the GSOMIA countries). `reading_guide`
explains the notation once, and `outcome_share_line` says how common the run's
ending is among its siblings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ..model.engine import LogEntry, Model, ReplicationResult
from ..run.ensemble import run_indices, run_one
from ..scenario.loader import Scenario
from .glossary import (
    NEUTRAL,
    CastNames,
    chance_phrase,
    clean_source,
    explain_terms,
    kind_labels,
    plain_names,
    strength,
)

INDENT = " " * 12
"""Lines under a dated line sit under the date column."""

UNCOMMON = 0.2
"""An outcome reached by fewer than this share of replications is called uncommon in a story."""

CLOSE = 0.9
"""A decision whose answer drawn had a chance under this came close (the other answer had 10% or more)."""

CLOSE_STEP = 0.05
"""A repeat of the same answer is told again only when its chance fell by this much below the streak's lowest."""

DEPARTS_DAYS = 7
"""A step of the agreement more than this many days from the record's date departs from the record."""

MINOR_ROLES = ("opposition", "public")
"""Roles whose own decisions and moves a story counts instead of telling one by one."""

FORCES_TOLD = 2
"""How many of a decision's strongest forces its line names."""

STAGE_WORDS = {
    "no_talks": "not under negotiation (no talks)", "collapsed": "off the table (the talks collapsed)",
    "negotiating": "under negotiation", "initialled": "initialled",
    "cabinet_approved": "approved by the cabinet", "in_force": "signed and in force",
    "notice_given": "under notice of termination", "terminated": "terminated",
    "suspended": "under a suspended notice", "normalised": "back in force (the notice withdrawn)",
}
"""A stage of the agreement, as a story says 'the agreement is now ...'."""

RECORD_WORDS = {
    "negotiating": "talks", "initialled": "initialled", "cabinet_approved": "cabinet approval",
    "in_force": "signed", "collapsed": "talks collapsed", "notice_given": "notice",
    "suspended": "notice suspended", "terminated": "terminated", "normalised": "notice withdrawn",
    "no_talks": "talks collapsed",
}
"""A dated step, as the comparison with the record names it ('the record: notice on 22 Aug 2019')."""

OUTCOME_WORDS = {
    "signed": "signed", "collapsed": "talks collapsed", "stalled": "still not signed at the end",
    "no_talks": "no talks", "renewed": "renewed (no notice given)", "continued": "continued (no notice given)",
    "notice_pending": "a notice of termination still pending at the end", "terminated": "terminated",
    "suspended": "a notice given and then suspended", "normalised": "a notice given and then withdrawn",
}
"""An outcome in words."""


def format_terms(terms: Iterable[tuple[str, float]]) -> str:
    """'threat_cooperation +1.20, issue_linkage -0.80' (largest first, signed)."""
    return ", ".join(f"{name} {value:+.2f}" for name, value in terms)


def long_date(d: date) -> str:
    """'22 Aug 2019'."""
    return f"{d.day} {d:%b %Y}"


def story_heading(model: Model, seed: int, index: int) -> list[str]:
    """The two lines before a story: which replication it is, and where the agreement starts."""
    sc = model.scenario
    return [f"{sc.name}: replication {index} of seed {seed}",
            f"Actors decide from {sc.decisions_from}; the agreement is "
            f"{STAGE_WORDS.get(sc.agreement.state.value, sc.agreement.state.value.replace('_', ' '))}."]


def mechanisms_used(result: ReplicationResult) -> list[str]:
    """The mechanisms named in the story's decisions, in order of first appearance."""
    seen: dict[str, None] = {}
    for entry in result.log or []:
        for name, _ in entry.terms:
            seen.setdefault(name, None)
    return list(seen)


def reading_guide(mechanisms: Iterable[str], cast: CastNames = NEUTRAL) -> list[str]:
    """How to read a story: which decisions it tells, what ``p`` and the forces mean, and a plain name for
    each mechanism used (in `cast`'s names)."""
    lines = [
        "How to read this story:",
        "  A decision reads: date, actor: the question -> the answer drawn (p=..., why it is told): the forces.",
        "  Told: decisions that changed the agreement's stage or the actor's answer, or the closest call of a streak",
        f"           of one answer (p under {CLOSE});",
        "           the others, and the opposition's and the public's moves, are counted at the end.",
        "  p        the chance the model gave that answer; every answer is drawn at random with its chance,",
        "           so a run can take an unlikely one (marked 'against the odds').",
        "  forces   what pushed hardest for or against that answer, in utility points:",
        "           +1 multiplies the answer's odds by about 2.7; under 0.5 is slight, 3 or more is very strong.",
        "  !        where the run departs from the historical record (on the line of the change).",
    ]
    plain = plain_names(cast)
    names = [m for m in mechanisms if m in plain]
    if names:
        width = max(len(n) for n in names)
        lines.append("  The forces (mechanisms) in this story:")
        lines += [f"    {n:<{width}}  {plain[n]}" for n in names]
    return lines


def plain_line(entry: LogEntry, cast: CastNames = NEUTRAL) -> str:
    """A decision in plain words: how likely the answer was, and what pushed for and against it."""
    assert entry.probability is not None
    text = f"{INDENT}= {chance_phrase(entry.probability)}"
    if entry.terms:
        text += "; " + explain_terms(entry.terms, cast)
    return text + "."


def decision_line(day: str, e: LogEntry, why: str, cast: CastNames = NEUTRAL) -> str:
    """'2019-11-22  Seoul: suspend the notice? -> suspend notice (p=0.79, changed the stage): forces'."""
    assert e.probability is not None
    head = f"{day}  {e.actor}: {e.action} (p={e.probability:.2f}, {why})"
    if e.probability < UNLIKELY_TOLD:
        head += ", against the odds"
    return head + (": " + forces_text(e, cast) if e.terms else "")


def forces_text(e: LogEntry, cast: CastNames = NEUTRAL) -> str:
    """A told decision's strongest forces in plain words, named as the deciding actor meets them: for the
    patron deciding whether to press, its own pressure is what is at stake for it, not 'pressure from' itself."""
    names = {k: v.split(" (")[0] for k, v in plain_names(cast).items()}
    if e.actor == cast.patron:
        names["quasi_alliance"] = f"what is at stake for {cast.patron}"
    parts = []
    for name, value in e.terms[:FORCES_TOLD]:
        side = "for it" if value > 0 else "against it"
        parts.append(f"{names.get(name, name.replace('_', ' '))} pushed {side} {strength(round(value, 1))} "
                     f"({value:+.1f})")
    return "; ".join(parts)


UNLIKELY_TOLD = 0.25
"""A told answer with a chance under this is marked 'against the odds' (as `glossary.chance_phrase` does)."""


def event_line(day: str, e: LogEntry, label: str) -> str:
    """A fact or a move on one line: '2019-08-02  Tokyo: whitelist removal (source)'; no actor repeated
    when the label names it already ('pressure from Washington'), none for the world."""
    who = "" if e.actor == "world" or e.actor in label else f"{e.actor}: "
    detail = clean_source(e.detail)
    return f"{day}  {who}{label}" + (f" ({detail})" if detail else "")


def _record_dates(sc: Scenario) -> dict[str, date]:
    return dict(sc.record.dates) if sc.record is not None else {}


def _changes(result: ReplicationResult) -> list[tuple[float, str]]:
    """(time, stage entered) for every change of the agreement's stage; a fall back to no talks is 'collapsed'
    (as the log and the record name it)."""
    return [(t, "collapsed" if str(to) == "no_talks" else str(to)) for t, _, to, _ in result.transitions]


def departure(model: Model, stage: str, t: float) -> str:
    """Where a step of the run departs from the record: '' when it agrees (within `DEPARTS_DAYS`) or the
    scenario has no record."""
    sc = model.scenario
    if sc.record is None:
        return ""
    when = model.date(t)
    dates = _record_dates(sc)
    words = RECORD_WORDS.get(stage, stage.replace("_", " "))
    if stage in dates:
        gap = (when - dates[stage]).days
        if abs(gap) <= DEPARTS_DAYS:
            return ""
        side = "earlier" if gap < 0 else "later"
        return f"the record: {words} on {long_date(dates[stage])} ({abs(gap)} days {side} here)"
    return (f"the record has no '{words}' step in this episode (its outcome: "
            f"{OUTCOME_WORDS.get(sc.record.outcome, sc.record.outcome)})")


def _stage_entries(log: list[LogEntry], changes: list[tuple[float, str]]) -> dict[int, str]:
    """Index in the log of each change of stage (in order) -> the stage entered."""
    out: dict[int, str] = {}
    pending = list(changes)
    for i, e in enumerate(log):
        if pending and e.probability is None and e.t == pending[0][0] and e.action.replace(" ", "_") == pending[0][1]:
            out[i] = pending.pop(0)[1]
    return out


def _move_follows(log: list[LogEntry], i: int) -> int | None:
    """Index of the move (an entry with no chance) the log records right after decision `i` by the same actor on
    the same day, past that actor's same-day decisions in between (a veto inside its camp); None if there is none."""
    e = log[i]
    j = i + 1
    while j < len(log) and log[j].actor == e.actor and log[j].t == e.t and log[j].probability is not None:
        j += 1
    if j < len(log) and log[j].actor == e.actor and log[j].t == e.t and log[j].probability is None:
        return j
    return None


def _notable(log: list[LogEntry], stages: Mapping[int, str], minor: set[str]) -> dict[int, str]:
    """Index of each decision told -> why it is told (see the module's docstring). An answer that the
    actor's next review of the same question takes back is a blip: counted, not told, unless it moved the stage.
    A change of stage starts every streak afresh (the first answer after it is not 'a new answer')."""
    moved = set()
    for s in stages:  # the last decision before a change of stage, on its day, by a told actor, moved it; so
        # did the last one that day of the actor the change is logged for, when a partner answered after it
        # (Seoul initials, then Tokyo agrees: both answers made the step)
        before = [i for i in range(s) if log[i].probability is not None and log[i].actor not in minor
                  and log[i].t == log[s].t]
        if before:
            moved.add(before[-1])
            own = [i for i in before if log[i].actor == log[s].actor]
            if own:
                moved.add(own[-1])
    reviews: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(log):
        if e.probability is not None and e.actor not in minor:
            reviews.setdefault((e.actor, e.action.partition(" -> ")[0]), []).append(i)
    told: dict[int, str] = {}
    changed_at = sorted(stages)
    # decisions whose move the log records right after them (Tokyo lifts its measures), or right after the
    # same actor's same-day decisions on it (the ruling camp forcing the postponement of the step Seoul just
    # chose): like a change of stage, the move changes the situation the next review of that question meets
    acted = {i for i, e in enumerate(log[:-1]) if e.probability is not None and _move_follows(log, i)
             and _move_follows(log, i) not in stages}

    def closest(streak: list[int]) -> None:
        """Tell the closest call of a streak of one answer (the first, on a tie): if its chance is under
        `CLOSE` and, when the streak began with a told answer, `CLOSE_STEP` below that one's."""
        rest = [i for i in streak if i not in told]
        if not rest:
            return
        def chance(i: int) -> float:
            p = log[i].probability
            return 1.0 if p is None else p

        best = min(rest, key=chance)
        p = chance(best)
        if p < CLOSE and (streak[0] not in told or p <= chance(streak[0]) - CLOSE_STEP):
            told[best] = "close"

    for indices in reviews.values():
        held: str | None = None
        streak: list[int] = []
        for k, i in enumerate(indices):
            e = log[i]
            if k and (indices[k - 1] in acted or any(indices[k - 1] < s < i for s in changed_at)):
                closest(streak)  # the stage changed, or the last answer made a move: a new situation, no streak
                held, streak = None, []
            answer = e.action.partition(" -> ")[2]
            after = log[indices[k + 1]].action.partition(" -> ")[2] if k + 1 < len(indices) else None
            blip = held is not None and answer != held and after == held
            if i in moved:
                told[i] = "changed the stage"
            elif blip:
                continue
            elif held is not None and answer != held:
                told[i] = "a new answer"
            if held != answer:
                closest(streak)
                held, streak = answer, []
            streak.append(i)
        closest(streak)
        for k, i in enumerate(indices[:-1]):  # a close call the same day's next review overturns: that review
            j = indices[k + 1]                 # is told, and it says the same; this one is counted
            if told.get(i) == "close" and j in told and log[j].t == log[i].t:
                del told[i]
    return told


def story_lines(model: Model, result: ReplicationResult) -> list[str]:
    """The replication told in a few lines (see the module's docstring), in the names the scenario gives its
    cast: the told decisions and the facts around them, the rest counted, the outcome, the record."""
    sc = model.scenario
    cast = CastNames.of(sc)
    events = {kind.replace("_", " "): label for kind, label in kind_labels(cast).items()}
    minor = {sc.actors[r].name for r in MINOR_ROLES if r in sc.actors}
    log = list(result.log or [])
    changes = _changes(result)
    stages = _stage_entries(log, changes)
    told = _notable(log, stages, minor)
    told_days = {log[i].t for i in told} | {t for t, _ in changes}
    lines: list[str] = []
    hidden: dict[str, list[float]] = {}
    counted: dict[str, Counter[str]] = {}
    facts: dict[str, list[float]] = {}
    kinds_told: set[str] = set()

    def say(text: str) -> None:
        if text not in lines:  # a line said once (same day, same words)
            lines.append(text)

    for i, e in enumerate(log):
        day = model.date(e.t).isoformat()
        if e.probability is not None:
            if i in told:
                say(decision_line(day, e, told[i], cast))
            elif e.actor in minor:
                counted.setdefault(e.actor, Counter())[e.action.partition(" -> ")[2] or e.action] += 1
            else:
                hidden.setdefault(f"{e.actor}: {e.action}", []).append(e.t)
            continue
        if i in stages:
            stage = stages[i]
            who = "" if e.actor == "world" else f"{e.actor}: "  # a notice that runs out is no one's move
            away = departure(model, stage, e.t)  # flagged on the same line: a story of ~30 lines, not ~40
            flag = f"; ! {away}" if away else ""
            say(f"{day}  {who}the agreement is now {STAGE_WORDS.get(stage, e.action)}{flag}")
            continue
        if e.actor in minor and not e.detail:
            counted.setdefault(e.actor, Counter())[e.action] += 1
            continue
        if i - 1 in told and log[i - 1].actor == e.actor and log[i - 1].t == e.t:
            continue  # the move the decision just told makes ('press' -> pressure from Washington): said already
        label = events.get(e.action, e.action)
        if e.t not in told_days and (label in kinds_told or (e.detail and not _answer_follows(log, i, told, minor))):
            facts.setdefault(label, []).append(e.t)
            continue
        kinds_told.add(label)
        say(event_line(day, e, label))
    return lines + summary_lines(model, hidden, counted, facts, kinds_told) + outcome_lines(model, result)


def _answer_follows(log: list[LogEntry], i: int, told: Mapping[int, str], minor: set[str]) -> bool:
    """Whether the first decision of a told actor after entry `i` (a dated fact) is told, or a change of stage comes
    first: the fact met a decision that changed something. A fact whose next review keeps its answer quietly
    changed no decision: a story counts it instead of telling it (issue 27: the 2019 file's added background)."""
    for j in range(i + 1, len(log)):
        if log[j].probability is None:
            continue
        if log[j].actor not in minor:
            return j in told
    return False


def summary_lines(model: Model, hidden: Mapping[str, list[float]], counted: Mapping[str, Counter[str]],
                  facts: Mapping[str, list[float]], kinds_told: Iterable[str] = ()) -> list[str]:
    """What the story did not tell one by one, in counts."""
    if not (hidden or counted or facts):
        return []

    def span(times: list[float]) -> str:
        first, last = model.date(min(times)), model.date(max(times))
        return long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"

    out = ["Not told one by one (nothing changed):"]
    questions: dict[str, list[str]] = {}  # one line per question, its answers in the order first met
    for what, times in hidden.items():
        question, _, answer = what.partition(" -> ")
        n = len(times)
        questions.setdefault(question, []).append(f"{answer}, at {n} more review{'s' if n > 1 else ''} ({span(times)})")
    for question, answers in questions.items():
        out.append(f"  {question} -> " + "; ".join(answers))
    if counted:  # the opposition's and the public's moves on one line
        out.append("  " + "; ".join(f"{actor}: " + ", ".join(f"{a} {n}x" for a, n in answers.most_common())
                                    for actor, answers in counted.items()))
    if facts:
        told_kinds = set(kinds_told)  # 'n more' of a kind told above; the others changed no decision
        out.append("  Facts: " + "; ".join(
            f"{label} {len(times)}{' more' if label in told_kinds else ''} ({span(times)})"
            for label, times in facts.items()))
    return out


def outcome_lines(model: Model, result: ReplicationResult) -> list[str]:
    """The outcome as the episode scores it, with moves after it, and the record beside the run."""
    words = OUTCOME_WORDS.get(result.outcome, result.outcome.replace("_", " "))
    end = f"Outcome (as the episode is scored): {words}"
    if result.outcome_t is not None:
        end += f", on {long_date(model.date(result.outcome_t))}"
    out = [end + "."]
    if result.outcome_t is not None:
        later = [(t, stage) for t, stage in _changes(result) if t > result.outcome_t]
        if later:
            out.append("  Later in the window (not in the score): " + "; ".join(
                f"{RECORD_WORDS.get(s, s.replace('_', ' '))} on {long_date(model.date(t))}" for t, s in later) + ".")
    return out + record_lines(model, result)


def record_lines(model: Model, result: ReplicationResult) -> list[str]:
    """The record's dated steps and outcome, and where this run departs from them ([] without a record)."""
    record = model.scenario.record
    if record is None:
        return []
    dates = _record_dates(model.scenario)
    ordered = sorted(dates.items(), key=lambda kv: kv[1])
    steps = "; ".join(f"{RECORD_WORDS.get(k, k)} on {long_date(d)}" for k, d in ordered)
    out = [f"The record: {steps + '; ' if steps else ''}outcome {OUTCOME_WORDS.get(record.outcome, record.outcome)}."]
    run_steps: dict[str, float] = {}
    for t, stage in _changes(result):
        run_steps.setdefault(stage, t)
    departs = []
    for key, d in ordered:
        words = RECORD_WORDS.get(key, key)
        if key not in run_steps:
            departs.append(f"no {words} (the record: {long_date(d)})")
        elif abs((model.date(run_steps[key]) - d).days) > DEPARTS_DAYS:
            departs.append(f"{words} on {long_date(model.date(run_steps[key]))} (the record: {long_date(d)})")
    same = result.outcome == record.outcome
    verdict = "the record's outcome" if same else "not the record's outcome"
    tail = f"This run: {verdict}"
    return out + [tail + (f"; it departs: {'; '.join(departs)}." if departs else
                          ", with the record's dates (within a week)." if dates else ".")]


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
