"""Validation: how well the model reproduces the historical record.

Every episode runs in two modes. *Free*: the file without any assumption about
the actors (no given moves), so all five actors decide: the forecast.
*Conditional*: the file's given moves in force and only Seoul deciding (the
other actors take no initiative; they still answer Seoul and react): the
actors' recorded moves given, an oracle-input check, not a forecast. In each
mode the ensemble gives the probability of the recorded outcome (with a 95%
Wilson interval), the modal outcome, the median simulated date of each
recorded step against the record and against the legal calendar (date skill),
each recorded move of every actor (``record.moves``: did the model's actor make
it, within `AGREE_WINDOW_DAYS` of its date), the dated scores of every recorded
step and move (`scores.month_log_score`, `scores.crps_days`), and the root-
mean-square gap between simulated approval and the polls. A move given as input
in a mode is reported as given, never scored.

Over the episodes, the Brier and log scores of the record are set against
baselines scored on the same episodes: the smoothed persistence of the other
episodes (`scores.persistence`), their base rate, and the model with
uncalibrated parameters; "all outcomes equally likely" and "the status quo
persists" stay in the JSON only. Every score is given over all episodes and
apart for the eventful ones (the record changes the pact's stage: `eventful`)
and the quiet ones.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..domain.kinds import ANSWER_MOVES
from ..domain.lifecycle import Stage
from ..domain.parameters import PARAMETERS
from ..errors import shown_path
from ..model.agreement import anniversaries
from ..model.engine import Model, ReplicationResult, compile_scenario
from ..model.outcomes import median, status_quo, wilson_interval
from ..scenario.loader import RecordedMove, Scenario
from ..scenario.params import ParameterSet, Posterior, load_posterior
from ..scenario.shipped import LOO_DIR
from ..scenario.variants import assumptions, conditional, without_given
from .experiment import Runner, run_points
from .scores import (
    AGREE_WINDOW_DAYS,
    brier,
    brier_mc_variance,
    crps_days,
    log_score,
    month_log_score,
    never_day,
    persistence,
    spread_change,
)

MODE_LABELS = {"free": "free: every actor decides, nothing given (the forecast)",
               "conditional": "conditional: actors' recorded moves given (an oracle-input check, not a forecast)"}
"""What each validation mode is, as validate's tables and JSON say it."""


@dataclass
class EpisodeCheck:
    """Validation figures for one episode."""

    name: str
    file: str
    outcome: str
    p: float
    ci: tuple[float, float]
    modal: str
    probabilities: dict[str, float]
    date_error_days: dict[str, float | None]
    median_dates: dict[str, str | None]
    recorded_dates: dict[str, str]
    poll_rmse: float | None
    in_order_share: float | None
    runs: int
    calendar_dates: dict[str, str] = field(default_factory=dict)
    """The legal calendar's date for each recorded step that has one (the baseline's forecast)."""
    date_skill: float | None = None
    """1 - (model's total date error) / (calendar baseline's), over the steps with a legal deadline."""
    moves: list[dict[str, Any]] = field(default_factory=list)
    """Each recorded move of an actor against the model's moves (`move_checks`)."""
    dated: list[dict[str, Any]] = field(default_factory=list)
    """The dated scores of each recorded step and move (`dated_checks`)."""
    first_change: dict[str, Any] | None = None
    """The dated scores of the first change of the pact's stage, or "never" in a quiet episode (`first_change`)."""
    extra: dict[str, Any] = field(default_factory=dict)
    anti_japan_rmse: float | None = None
    """RMS gap (points) between the median simulated anti-Japan sentiment and the surveys of opinion of
    Japan (`anti_japan` polls); None without any."""

    def as_json(self) -> dict[str, Any]:
        """The JSON form with the keys the CLI documents."""
        return {
            "name": self.name,
            "file": self.file,
            "outcome": self.outcome,
            "p": round(self.p, 6),
            "ci": [round(self.ci[0], 6), round(self.ci[1], 6)],
            "modal": self.modal,
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
            "date_error_days": self.date_error_days,
            "median_dates": self.median_dates,
            "recorded_dates": self.recorded_dates,
            "poll_rmse": None if self.poll_rmse is None else round(self.poll_rmse, 3),
            "anti_japan_rmse": None if self.anti_japan_rmse is None else round(self.anti_japan_rmse, 3),
            "in_order_share": None if self.in_order_share is None else round(self.in_order_share, 6),
            "calendar_dates": self.calendar_dates,
            "date_skill": None if self.date_skill is None else round(self.date_skill, 6),
            "moves": self.moves,
            "dated": self.dated,
            "first_change": self.first_change,
            "runs": self.runs,
        }


def check_episode(model: Model, results: Sequence[ReplicationResult]) -> EpisodeCheck:
    """Compare an ensemble of one episode with its record."""
    sc = model.scenario
    if sc.record is None:
        raise ValueError(f"{sc.path} has no record to validate against")
    n = len(results)
    names = list(sc.outcomes)
    names += sorted({r.outcome for r in results} - set(names))
    counts = {k: sum(r.outcome == k for r in results) for k in names}
    probs = {k: counts[k] / n for k in names}
    rec = sc.record
    k = counts.get(rec.outcome, 0)
    modal = max(names, key=lambda x: (counts[x], -names.index(x)))
    errors: dict[str, float | None] = {}
    medians: dict[str, str | None] = {}
    for step, when in rec.dates.items():
        times = [r.stage_t[step] for r in results if step in r.stage_t]
        mt = median(times)
        if mt is None:
            errors[step], medians[step] = None, None
        else:
            d = model.date(mt)
            errors[step] = float((d - when).days)
            medians[step] = d.isoformat()
    calendar = calendar_dates(model, rec.dates)
    return EpisodeCheck(
        dated=dated_checks(model, results, calendar),
        first_change=first_change(model, results),
        calendar_dates={s: d.isoformat() for s, d in calendar.items()},
        date_skill=date_skill(errors, {s: float((calendar[s] - rec.dates[s]).days) for s in calendar}),
        name=sc.name,
        file=sc.path,
        outcome=rec.outcome,
        p=k / n if n else 0.0,
        ci=wilson_interval(k, n),
        modal=modal,
        probabilities=probs,
        date_error_days=errors,
        median_dates=medians,
        recorded_dates={s: d.isoformat() for s, d in rec.dates.items()},
        poll_rmse=poll_rmse(model, results),
        anti_japan_rmse=poll_rmse(model, results, "anti_japan"),
        in_order_share=in_order_share(rec.outcome, rec.dates, results),
        moves=move_checks(model, results),
        runs=n,
    )


def move_checks(model: Model, results: Sequence[ReplicationResult]) -> list[dict[str, Any]]:
    """Each move on the record (``record.moves``) against what the model's actors did.

    A move the run gives as input (its actor takes no initiatives in this run) is
    reported as ``given`` and not scored. Otherwise `p` is the share of
    replications that agree with the record: the actor made the move within
    `AGREE_WINDOW_DAYS` of the recorded date (``at``; its first such move, at any
    time, gives the median date and its error in days), made it in the span
    (``between``), or never made it (``never``).
    """
    sc = model.scenario
    if sc.record is None:
        return []
    out = []
    n = max(1, len(results))
    for move in sc.record.moves:
        row: dict[str, Any] = {"move": move.label, "by": move.by, "kind": move.kind}
        if is_given(model, move):
            row.update(given=True, p=None, median_date=None, date_error_days=None)
            out.append(row)
            continue
        firsts = [first_move(r, move) for r in results]
        if move.never:
            p = sum(t is None for t in firsts) / n
        elif move.between is not None:
            lo, hi = sc.t(move.between[0]), sc.t(move.between[1]) + 1.0
            p = sum(any(lo <= t < hi for t, role, kind in r.moves if role == move.by and kind == move.kind)
                    for r in results) / n
        else:
            assert move.at is not None
            at = sc.t(move.at)
            p = sum(any(abs(t - at) <= AGREE_WINDOW_DAYS for t, role, kind in r.moves
                        if role == move.by and kind == move.kind) for r in results) / n
        row.update(given=False, p=round(p, 6))
        made = [t for t in firsts if t is not None]
        mt = median(made)
        row["median_date"] = model.date(mt).isoformat() if mt is not None else None
        row["date_error_days"] = (float((model.date(mt) - move.at).days)
                                  if mt is not None and move.at is not None else None)
        out.append(row)
    return out


def is_given(model: Model, move: RecordedMove) -> bool:
    """Whether the run gives `move` as input (its actor takes no initiatives and it is not an answer)."""
    return move.by in model.silenced and (move.by, move.kind) not in ANSWER_MOVES


def _day(t: float | None) -> int | None:
    return None if t is None else int(math.floor(t))


def dated_checks(model: Model, results: Sequence[ReplicationResult],
                 calendar: Mapping[str, date] | None = None) -> list[dict[str, Any]]:
    """The dated scores of each recorded step of the pact and each recorded move made on a date (``at``) or
    never (``never``): the month log score and the CRPS in days of the ensemble's dates (`scores`), "never"
    an outcome (a day past the window in the CRPS). A step or move's date is that of its first occurrence in
    a replication. Moves recorded over a span (``between``) and moves the run gives are not dated here.
    Where the legal calendar dates a step (`calendar`), its CRPS (a point forecast: its error in days) too."""
    sc = model.scenario
    rec = sc.record
    if rec is None or not results:
        return []
    never = never_day(sc.start, sc.end)
    calendar = calendar or {}
    out = []

    def item(what: str, days: list[int | None], observed: int | None, cal: date | None) -> dict[str, Any]:
        return {"what": what, "recorded": "never" if observed is None else (sc.start + timedelta(observed)).isoformat(),
                "p_never": round(sum(d is None for d in days) / len(days), 6),
                "month_log": round(month_log_score(days, observed, sc.start, sc.end), 6),
                "crps_days": round(crps_days(days, observed, never), 3),
                "calendar": None if cal is None else cal.isoformat(),
                "calendar_crps_days": None if cal is None else crps_days([(cal - sc.start).days], observed, never)}

    for step, when in rec.dates.items():
        out.append(item(f"stage {step}", [_day(r.stage_t.get(step)) for r in results], (when - sc.start).days,
                        calendar.get(step)))
    for move in rec.moves:
        if move.between is not None or is_given(model, move):
            continue
        observed = None if move.never or move.at is None else (move.at - sc.start).days
        out.append(item(f"move {move.label}", [_day(first_move(r, move)) for r in results], observed, None))
    return out


def recorded_first_change(sc: Scenario) -> int | None | bool:
    """The day (since the start) the record first changes the pact's stage, None when it never does (a quiet
    episode), or False when the record does not say (an eventful outcome without a dated step)."""
    rec = sc.record
    if rec is None:
        return False
    if rec.dates:
        return (min(rec.dates.values()) - sc.start).days
    return None if not eventful(sc) else False


def first_change(model: Model, results: Sequence[ReplicationResult]) -> dict[str, Any] | None:
    """The month log score and CRPS (days) of the ensemble's first change of the pact's stage against the
    record's (its first dated step, or "never" in a quiet episode); None when the record does not date it."""
    sc = model.scenario
    observed = recorded_first_change(sc)
    if observed is False or not results:
        return None
    start = sc.agreement.state.value
    days = [_day(min((t for step, t in r.stage_t.items() if step != start), default=None)) for r in results]
    return {"recorded": "never" if observed is None else (sc.start + timedelta(int(observed))).isoformat(),
            "p_never": round(sum(d is None for d in days) / len(days), 6),
            "month_log": round(month_log_score(days, observed, sc.start, sc.end), 6),
            "crps_days": round(crps_days(days, observed, never_day(sc.start, sc.end)), 3)}


def first_move(result: ReplicationResult, move: RecordedMove) -> float | None:
    """When the replication's actor first made a move of the recorded kind, or None."""
    for t, role, kind in result.moves:
        if role == move.by and kind == move.kind:
            return t
    return None


CALENDAR_STEPS = {"notice_given": "deadline", "suspended": "expiry", "terminated": "expiry",
                  "renewed": "expiry", "normalised": "deadline"}
"""Recorded steps the legal calendar dates, and by what: the notice deadline or the expiry."""


def calendar_dates(model: Model, recorded: Mapping[str, date]) -> dict[str, date]:
    """The calendar baseline: each recorded step that has a legal deadline, put at it.

    A forecaster that knows the agreement's rules (`agreement.termination`,
    ``notice_days``, ``suspension_days``) and the dated facts:

    - *anniversary* rules: puts a notice at the last day it may be given (expiry
      minus the notice period), a withdrawn notice (normalised) at the same
      deadline, and a suspension, termination or renewal at the expiry it
      answers. Of the yearly cycles in the window it takes the one the recorded
      step falls in (the first deadline or expiry on or after the recorded date):
      the record picks the year, the calendar the day.
    - *after_notice* rules: a notice may come at any time (no date), and a
      termination, suspension or withdrawal answers the notice taking effect,
      ``notice_days`` after the recorded notice (or after ``since`` when the
      episode opens with a notice pending).
    - a suspension with a term (``suspension_days``): a termination after it waits
      for the suspension to lapse and the notice to run again (to the next
      expiry whose notice deadline is not past, or ``notice_days`` on).
    - *none*: no notice clause, so no step is dated.

    Steps without a legal deadline (talks, initialling, cabinet approval,
    signing, a collapse) get no baseline.
    """
    sc = model.scenario
    rules = sc.agreement
    if rules.termination == "none":
        return {}
    notice = timedelta(days=rules.notice_days)
    signed = rules.signed
    expiries = ([] if signed is None or rules.termination != "anniversary" else
                anniversaries(signed, rules.term_years, sc.start - notice - timedelta(days=366 * rules.term_years),
                              sc.end + notice + timedelta(days=366 * rules.term_years)))
    noticed = recorded.get("notice_given")
    if noticed is None and rules.state is Stage.NOTICE_GIVEN:
        noticed = rules.since
    suspended = recorded.get("suspended")
    if suspended is None and rules.state is Stage.SUSPENDED:
        suspended = rules.since
    out: dict[str, date] = {}
    for step, when in recorded.items():
        if step not in CALENDAR_STEPS:
            continue
        lapse = (suspended + timedelta(days=rules.suspension_days)
                 if step == "terminated" and suspended is not None and rules.suspension_days is not None
                 and suspended <= when else None)
        if rules.termination == "after_notice":
            if lapse is not None:
                out[step] = lapse + notice
            elif step != "notice_given" and noticed is not None and noticed <= when:
                out[step] = noticed + notice
            continue
        if lapse is not None:
            due = [e for e in expiries if e - notice >= lapse]
            if due:
                out[step] = due[0]
            continue
        dates = [e - notice if CALENDAR_STEPS[step] == "deadline" else e for e in expiries]
        later = [d for d in dates if d >= when]
        if later:
            out[step] = later[0]
    return out


def date_skill(model_errors: Mapping[str, float | None], baseline_errors: Mapping[str, float]) -> float | None:
    """Skill of the model's dates over the calendar baseline: 1 - sum|model| / sum|baseline| over the
    steps both date (1 is perfect, 0 no better than the calendar, negative worse); None when the
    baseline dates nothing, or dates it exactly (no room for skill), or the model never reaches a step."""
    steps = [s for s in baseline_errors if s in model_errors]
    if not steps or any(model_errors[s] is None for s in steps):
        return None
    base = sum(abs(baseline_errors[s]) for s in steps)
    if base == 0:
        return None
    return 1.0 - sum(abs(model_errors[s] or 0.0) for s in steps) / base


POLL_POINTS = {"approval": 1.0, "anti_japan": 100.0}
"""Points of a poll's percentage per unit of each simulated variable it measures (approval is in percent;
anti-Japan sentiment is a share)."""


def poll_rmse(model: Model, results: Sequence[ReplicationResult], variable: str = "approval") -> float | None:
    """RMS gap (points) between the median simulated `variable` (approval or anti_japan) and each poll of it;
    None without any. Opinion on the pact itself (`support`) is not simulated and never scored."""
    polls = model.scenario.polls
    gaps = []
    for i, (tr, var) in enumerate(zip(polls, model.poll_variables, strict=True)):
        if var != variable:
            continue
        sims = [v for r in results if (v := r.polls[i]) is not None]
        if sims:
            gaps.append(POLL_POINTS[variable] * median(sims) - tr.observed[variable])  # type: ignore[operator]
    if not gaps:
        return None
    return math.sqrt(sum(g * g for g in gaps) / len(gaps))


def in_order_share(outcome: str, dates: Mapping[str, date], results: Sequence[ReplicationResult]) -> float | None:
    """Among runs with the recorded outcome, the share that went through every recorded step.

    For 2012 this is the share of collapses that came after cabinet approval
    (and so before the planned signing, where the model takes that decision).
    """
    steps = [s for s in dates if s != outcome]
    hits = [r for r in results if r.outcome == outcome]
    if not steps or not hits:
        return None
    ok = 0
    for r in hits:
        times = [r.stage_t.get(s) for s in steps]
        end = r.outcome_t if r.outcome_t is not None else math.inf
        if all(t is not None and t <= end for t in times):
            ok += 1
    return ok / len(hits)


def base_rates(models: Sequence[Model]) -> list[dict[str, float]]:
    """The base-rate forecast of each episode: how often each of its possible outcomes was recorded in
    the *other* episodes (those whose recorded outcome this episode could also end in), Laplace-smoothed
    (one pseudo-count per outcome)."""
    out = []
    for i, model in enumerate(models):
        names = model.scenario.outcomes
        counts = dict.fromkeys(names, 1.0)
        for j, other in enumerate(models):
            record = other.scenario.record
            if j != i and record is not None and record.outcome in counts:
                counts[record.outcome] += 1.0
        total = sum(counts.values())
        out.append({k: v / total for k, v in counts.items()})
    return out


def quiet_outcome(sc: Scenario) -> str:
    """The outcome in which the pact's stage never changes (the status quo of its starting stage)."""
    quo = status_quo(sc.agreement.state)
    return "continued" if quo == "renewed" and sc.agreement.termination != "anniversary" else quo


def eventful(sc: Scenario) -> bool:
    """Whether the episode's record changes the pact's stage: a recorded step, or an outcome other than
    the quiet one. Read from the file's record, never from a list of years."""
    rec = sc.record
    return rec is not None and (bool(rec.dates) or rec.outcome != quiet_outcome(sc))


KINDS = ("all", "eventful", "quiet")
"""The groups of episodes every score is given over."""


def _in_kind(kind: str, is_eventful: bool) -> bool:
    return kind == "all" or (kind == "eventful") == is_eventful


def persistence_forecasts(models: Sequence[Model]) -> list[dict[str, float]]:
    """Each episode's smoothed persistence forecast (`scores.persistence`) from the other episodes' records."""
    records = [(m.scenario.record.outcome if m.scenario.record else "", eventful(m.scenario)) for m in models]
    out = []
    for i, model in enumerate(models):
        sc = model.scenario
        names = list(sc.outcomes)
        quiet = quiet_outcome(sc)
        if quiet not in names:
            names.append(quiet)
        out.append(persistence(names, quiet, [r for j, r in enumerate(records) if j != i]))
    return out


def scores(checks: Sequence[EpisodeCheck], models: Sequence[Model], floor: float,
           prior: Sequence[EpisodeCheck] | None = None) -> dict[str, Any]:
    """Brier and log scores of the record, with baselines scored on the same episodes: the smoothed
    persistence of the other episodes (`persistence_forecasts`), their base rate (`base_rates`), given
    `prior` (the same episodes run with every parameter at the median of its prior) the uncalibrated
    model, and, for reference only, all outcomes equally likely and the status quo.

    Each forecast's entry has the mean over all episodes (``brier``, ``log``) and, under ``eventful`` and
    ``quiet``, the means over those episodes alone (with their count). Lower is better for both. The Brier
    score is the squared distance between the forecast distribution and the recorded outcome (0 to 2);
    the log score is -ln p(recorded). Forecasts are floored at `floor` (half a replication's weight) so
    that an outcome the ensemble never produced costs a large but finite amount. The simulated forecasts
    (``model``, ``prior_mean``) also carry ``brier_mc_se``: the Monte Carlo standard error of their mean Brier
    score from the finite number of replications (`brier_mc_variance`, episodes independent); the baselines
    are exact. Under ``dates``: the mean dated scores (`dated_summary`).
    """
    rows: dict[str, list[tuple[float, float, bool]]] = {
        "model": [], "persistence": [], "hazard": [], "base_rate": [], "uniform": [], "status_quo": []}
    variances: dict[str, list[tuple[float, bool]]] = {"model": []}
    if prior is not None:
        rows["prior_mean"] = []
        variances["prior_mean"] = []
    rates = base_rates(models)
    persist = persistence_forecasts(models)
    reduced = hazard_forecasts(models)
    kinds = [eventful(m.scenario) for m in models]
    for i, (check, model) in enumerate(zip(checks, models, strict=True)):
        names = list(model.scenario.outcomes)
        uniform = {k: 1.0 / len(names) for k in names}
        quo = {k: float(k == status_quo(model.scenario.agreement.state)) for k in names}
        forecasts = [("model", check.probabilities), ("persistence", persist[i]),
                     ("hazard", reduced[i]["outcome"]), ("base_rate", rates[i]),
                     ("uniform", uniform), ("status_quo", quo)]
        if prior is not None:
            forecasts.append(("prior_mean", prior[i].probabilities))
        for label, forecast in forecasts:
            rows[label].append((brier(forecast, check.outcome), log_score(forecast, check.outcome, floor), kinds[i]))
        for label, simulated in [("model", check)] + ([("prior_mean", prior[i])] if prior is not None else []):
            variances[label].append(
                (brier_mc_variance(simulated.probabilities, check.outcome, simulated.runs), kinds[i]))

    def mean(vals: list[float]) -> float | None:
        return round(sum(vals) / len(vals), 6) if vals else None

    out: dict[str, Any] = {}
    for label, vals in rows.items():
        out[label] = {"brier": mean([b for b, _, _ in vals]), "log": mean([s for _, s, _ in vals])}
        for kind in KINDS[1:]:
            part = [(b, s) for b, s, e in vals if _in_kind(kind, e)]
            out[label][kind] = {"brier": mean([b for b, _ in part]), "log": mean([s for _, s in part]),
                                "episodes": len(part)}
    for label, var in variances.items():
        out[label]["brier_mc_se"] = mean_se([v for v, _ in var])
        for kind in KINDS[1:]:
            out[label][kind]["brier_mc_se"] = mean_se([v for v, e in var if _in_kind(kind, e)])
    out["dates"] = dated_summary(checks, kinds)
    out["first_change"] = first_change_summary(checks, reduced, kinds)
    return out


def mean_se(variances: Sequence[float]) -> float | None:
    """The standard error of a mean of independent scores with these variances (None for none)."""
    return round(math.sqrt(sum(variances)) / len(variances), 6) if variances else None


def hazard_forecasts(models: Sequence[Model]) -> list[dict[str, Any]]:
    """Each episode's reduced-form forecasts (`hazard`), fitted on the other episodes: the outcome, and the
    month log score and CRPS of the first change of stage (None where the record does not date it)."""
    from . import hazard

    episodes = [m.scenario for m in models]
    records = [(sc.record.outcome if sc.record else "", eventful(sc)) for sc in episodes]
    out = []
    for i, sc in enumerate(episodes):
        h = hazard.hazards(episodes, i)
        names = list(sc.outcomes)
        quiet = quiet_outcome(sc)
        if quiet not in names:
            names.append(quiet)
        others = [r for j, r in enumerate(records) if j != i]
        entry: dict[str, Any] = {"outcome": spread_change(names, quiet, float(np.prod(1.0 - h)), others),
                                 "first_change": None}
        observed = recorded_first_change(sc)
        if observed is not False:
            days = hazard.first_change_days(sc, h)
            entry["first_change"] = {"month_log": hazard.month_log(days, observed, sc),
                                     "crps_days": hazard.crps_discrete(days, observed, never_day(sc.start, sc.end))}
        out.append(entry)
    return out


def first_change_summary(checks: Sequence[EpisodeCheck], reduced: Sequence[dict[str, Any]],
                         kinds: Sequence[bool]) -> dict[str, Any]:
    """Mean month log score and CRPS (days) of the first change of stage, the model's and the hazard
    baseline's, over the episodes whose record dates it (or says it never came), by kind."""
    def mean(vals: list[float]) -> float | None:
        return round(sum(vals) / len(vals), 6) if vals else None

    out: dict[str, Any] = {"model": {}, "hazard": {}}
    for kind in KINDS:
        pairs = [(c.first_change, r["first_change"]) for c, r, e in zip(checks, reduced, kinds, strict=True)
                 if _in_kind(kind, e) and c.first_change is not None and r["first_change"] is not None]
        for label, k in (("model", 0), ("hazard", 1)):
            out[label][kind] = {"episodes": len(pairs), "month_log": mean([p[k]["month_log"] for p in pairs]),
                                "crps_days": mean([p[k]["crps_days"] for p in pairs])}
    return out


def dated_summary(checks: Sequence[EpisodeCheck], kinds: Sequence[bool]) -> dict[str, Any]:
    """Mean dated scores over all, eventful and quiet episodes: the model's month log score and CRPS (days)
    over every dated item (``model``), and, over the steps the legal calendar dates, the calendar's CRPS
    beside the model's on the same steps (``calendar``)."""
    def mean(vals: list[float]) -> float | None:
        return round(sum(vals) / len(vals), 6) if vals else None

    out: dict[str, Any] = {"model": {}, "calendar": {}}
    for kind in KINDS:
        items = [it for check, e in zip(checks, kinds, strict=True) if _in_kind(kind, e) for it in check.dated]
        cal = [it for it in items if it["calendar_crps_days"] is not None]
        out["model"][kind] = {"items": len(items), "month_log": mean([it["month_log"] for it in items]),
                              "crps_days": mean([it["crps_days"] for it in items])}
        out["calendar"][kind] = {"items": len(cal), "crps_days": mean([it["calendar_crps_days"] for it in cal]),
                                 "model_crps_days": mean([it["crps_days"] for it in cal])}
    return out


MODES = ("free", "conditional")
"""The validation modes, headline first."""


def mode_variant(sc: Scenario, mode: str) -> Scenario:
    """The episode as a mode runs it: free (no assumptions, every actor decides) or conditional
    (the given moves in force, only Seoul deciding)."""
    return without_given(sc) if mode == "free" else conditional(sc)


Say = Callable[[str], None]
"""progress(line): one line of validate's progress (the CLI writes it to stderr)."""


def validate(episodes: Sequence[Scenario], runs: int, seed: int, runner: Runner,
             prior: ParameterSet | None = None, modes: Sequence[str] = MODES,
             with_predictives: bool = True, progress: Say | None = None) -> dict[str, Any]:
    """Run every episode in each mode and assemble the validation report (JSON-able).

    Per episode and mode: p of the recorded outcome with its interval, the modal
    outcome, every outcome's probability, the moves given (none in free mode), the
    recorded steps' dates and the date skill over the legal calendar, each recorded
    move checked, the dated scores, and the approval RMSE. Per mode, `scores` sets
    the model against persistence, the base rate and the uncalibrated model (the
    episodes run with the `prior` parameters, when given), over all, eventful and
    quiet episodes. `progress`, when given, hears one line per ensemble run.
    """
    report: dict[str, Any] = {"runs": runs, "seed": seed, "modes": list(modes), "episodes": [], "scores": {},
                              "mode_labels": {m: MODE_LABELS.get(m, m) for m in modes},
                              "agree_window_days": AGREE_WINDOW_DAYS,
                              "parameters": episodes[0].params.source() if episodes else None}
    for sc in episodes:
        if sc.record is None:
            raise ValueError(f"{sc.path} has no record to validate against")
        report["episodes"].append({"name": sc.name, "file": sc.path, "outcome": sc.record.outcome,
                                   "eventful": eventful(sc),
                                   "recorded_dates": {s: d.isoformat() for s, d in sc.record.dates.items()}})
    n = len(episodes)
    steps = n * len(modes) * (2 if prior is not None else 1) + (
        sum(1 for sc in episodes for _ in PREDICTIVES if _ != "loo" or loo_status(sc) is None)
        if with_predictives else 0)
    clock = _Steps(steps, progress)

    def run(models: list[Model], what: str) -> list[EpisodeCheck]:
        out = []
        for k, (model, rs) in enumerate(zip(models, run_points(models, runs, seed, runner), strict=True)):
            out.append(check_episode(model, rs))
            clock.step(f"{what}, episode {k + 1} of {len(models)} ({model.scenario.name})")
        return out

    for mode in modes:
        models = [compile_scenario(mode_variant(sc, mode)) for sc in episodes]
        checks = run(models, f"{mode} mode")
        prior_checks = None
        if prior is not None:
            prior_models = [compile_scenario(mode_variant(dataclasses.replace(sc, params=prior), mode))
                            for sc in episodes]
            prior_checks = run(prior_models, f"{mode} mode, prior medians")
        for ep, sc, check in zip(report["episodes"], episodes, checks, strict=True):
            entry = check.as_json()
            for key in ("name", "file", "outcome", "recorded_dates"):
                entry.pop(key)
            entry["given"] = [] if mode == "free" else assumptions(sc) + [
                f"the {role} takes no initiatives" for role in sorted(silenced_by_mode(sc, mode))]
            ep[mode] = entry
        report["scores"][mode] = scores(checks, models, floor=0.5 / runs, prior=prior_checks)
    if with_predictives:
        found = predictives(episodes, runs, seed, runner, step=clock.step)
        report["predictives"] = list(PREDICTIVES)
        report["loo_missing"] = {sc.name: why for sc in episodes if (why := loo_status(sc)) is not None}
        for name, row in found.items():
            for ep, item in zip(report["episodes"], row, strict=True):
                ep[name] = None if item is None else predictive_entry(item[0], item[2])
            present = [item for item in row if item is not None]
            if len(present) == len(row):
                report["scores"][name] = scores([c for c, _, _ in present], [m for _, m, _ in present],
                                                floor=0.5 / runs)
    clock.done()
    return report


class _Steps:
    """Counts validate's ensemble runs and tells `say` of each, with the time since the start:
    'validate: 3/35 free mode, episode 3 of 7 (GSOMIA 2016) (12 s)'."""

    def __init__(self, total: int, say: Say | None) -> None:
        self.total, self.say, self.k, self.t0 = total, say, 0, time.monotonic()

    def step(self, what: str) -> None:
        self.k += 1
        if self.say is not None:
            self.say(f"validate: {self.k}/{self.total} {what} ({time.monotonic() - self.t0:.0f} s)")

    def done(self) -> None:
        if self.say is not None:
            self.say(f"validate: done, {self.k} ensembles in {time.monotonic() - self.t0:.0f} s")


def silenced_by_mode(sc: Scenario, mode: str) -> set[str]:
    """Roles a conditional run silences beyond those the file itself does (none in free mode)."""
    if mode == "free":
        return set()
    own = {tr.by for tr in sc.triggers if tr.given and tr.by} | {
        role for role, cast in sc.actors.items() if cast.facts.get("decides", True) is False}
    return {role for role in sc.actors if role != "executive"} - own


def prior_medians(params: ParameterSet) -> ParameterSet:
    """The uncalibrated parameters: every one at the median of its prior, fixed (no posterior)."""
    return params.fixed().with_values({name: spec.info.prior_median for name, spec in params.specs.items()})


PRIOR_SAMPLE = 1000
"""Particles of the prior sample a prior-predictive run draws from."""


def prior_sample(params: ParameterSet, seed: int, size: int = PRIOR_SAMPLE) -> ParameterSet:
    """`params` with every declared parameter (`PARAMETERS`, calibrated or not) drawn, per replication,
    from its prior (a Latin hypercube of `size` particles)."""
    from .identify import sample_prior

    names = tuple(PARAMETERS)
    points = sample_prior(names, size, seed)
    sample = Posterior(names, tuple(tuple(p[n] for n in names) for p in points), tuple([1.0 / size] * size),
                       "the prior", "")
    return dataclasses.replace(params.fixed(), posterior=sample)


def loo_status(sc: Scenario) -> str | None:
    """Why `sc` has no usable leave-one-out posterior, or None when it has one. Each fold calibrates the
    parameters `identify` selects without its episode, so folds may differ in their columns; one that names
    a parameter no longer declared fails to load (an error naming the file)."""
    path = LOO_DIR / f"{Path(sc.path).stem}.csv"
    if not path.is_file():
        return f"no leave-one-out posterior shipped ({shown_path(path)})"
    return None


def loo_parameters(sc: Scenario) -> ParameterSet | None:
    """`sc`'s parameters with the posterior calibrated without it (scenarios/params/loo/STEM.csv), or None
    where there is none (`loo_status`). The parameters the fold did not calibrate are drawn from their priors
    by each replication (`engine.Model.parameters_for`), their values in force being prior medians, never
    the values the in-sample calibration, which saw `sc`, gave them."""
    if loo_status(sc) is not None:
        return None
    from .identify import at_prior_medians

    sample = load_posterior(LOO_DIR / f"{Path(sc.path).stem}.csv")
    return dataclasses.replace(at_prior_medians(sc.params), posterior=sample)


PREDICTIVES = ("prior", "posterior", "loo")
"""The parameter sources validate reports the free run under: the prior, the shipped posterior (in
sample) and each episode's leave-one-out posterior (calibrated from the prior without it)."""


def predictive_entry(check: EpisodeCheck, source: str) -> dict[str, Any]:
    """The short form of a predictive check: p, interval, modal, date skill, probabilities."""
    full = check.as_json()
    return {"parameters": source, **{k: full[k] for k in ("p", "ci", "modal", "probabilities", "median_dates",
                                                            "date_error_days", "date_skill", "moves", "dated",
                                                            "first_change", "runs")}}


def predictives(episodes: Sequence[Scenario], runs: int, seed: int, runner: Runner,
                step: Say | None = None) -> dict[str, list[tuple[EpisodeCheck, Model, str] | None]]:
    """Each episode's free run under the prior, the posterior and its leave-one-out posterior: (check,
    model, where its parameters come from), or None where no leave-one-out posterior is shipped. `step`
    hears each run done."""
    out: dict[str, list[tuple[EpisodeCheck, Model, str] | None]] = {}
    sources: dict[str, list[ParameterSet | None]] = {
        "prior": [prior_sample(sc.params, seed) for sc in episodes],
        "posterior": [sc.params for sc in episodes],
        "loo": [loo_parameters(sc) for sc in episodes],
    }
    for name, params in sources.items():
        present = [(i, p) for i, p in enumerate(params) if p is not None]
        idx = [i for i, _ in present]
        models = [compile_scenario(without_given(dataclasses.replace(episodes[i], params=p))) for i, p in present]
        checks = []
        for k, (m, rs) in enumerate(zip(models, run_points(models, runs, seed, runner), strict=True)):
            checks.append(check_episode(m, rs))
            if step is not None:
                step(f"free mode, {name} parameters, episode {k + 1} of {len(models)} ({m.scenario.name})")
        row: list[Any] = [None] * len(episodes)
        for i, model, check in zip(idx, models, checks, strict=True):
            posterior = model.scenario.params.posterior
            row[i] = (check, model, posterior.file if posterior is not None else "fixed values")
        out[name] = row
    return out
