"""Validation: how well the model reproduces the historical record.

Every episode runs in two modes. *Free*: the file without any assumption about
the actors (no given moves), so all five actors decide. *Conditional*: the
file's given moves in force and only Seoul deciding (the other actors take no
initiative; they still answer Seoul and react). In each mode the ensemble gives
the probability of the recorded outcome (with a 95% Wilson interval), the modal
outcome, the median simulated date of each recorded step against the record
and against the legal calendar (date skill), each recorded move of every actor
(``record.moves``: did the model's actor make it, when), and the root-mean-
square gap between simulated approval and the polls. A move given as input in a
mode is reported as given, never scored. Over all episodes, the Brier and log
scores of the record are set against informed baselines: the base rate of the
other episodes, the model with uncalibrated parameters, and (for reference)
every outcome equally likely and "the status quo persists".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..domain.kinds import ANSWER_MOVES
from ..domain.parameters import CALIBRATED
from ..errors import shown_path
from ..model.agreement import anniversaries
from ..model.engine import Model, ReplicationResult, compile_scenario
from ..model.outcomes import median, status_quo, wilson_interval
from ..scenario.loader import RecordedMove, Scenario
from ..scenario.params import ParameterSet, Posterior, load_posterior
from ..scenario.shipped import LOO_DIR
from ..scenario.variants import assumptions, conditional, without_given
from .experiment import Runner, run_points


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
    extra: dict[str, Any] = field(default_factory=dict)

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
            "in_order_share": None if self.in_order_share is None else round(self.in_order_share, 6),
            "calendar_dates": self.calendar_dates,
            "date_skill": None if self.date_skill is None else round(self.date_skill, 6),
            "moves": self.moves,
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
        in_order_share=in_order_share(rec.outcome, rec.dates, results),
        moves=move_checks(model, results),
        runs=n,
    )


def move_checks(model: Model, results: Sequence[ReplicationResult]) -> list[dict[str, Any]]:
    """Each move on the record (``record.moves``) against what the model's actors did.

    A move the run gives as input (its actor takes no initiatives in this run) is
    reported as ``given`` and not scored. Otherwise `p` is the share of
    replications that agree with the record: the actor made the move (``at``; its
    first such move then gives the median date and its error in days), made it in
    the span (``between``), or never made it (``never``).
    """
    sc = model.scenario
    if sc.record is None:
        return []
    out = []
    n = max(1, len(results))
    for move in sc.record.moves:
        row: dict[str, Any] = {"move": move.label, "by": move.by, "kind": move.kind}
        if move.by in model.silenced and (move.by, move.kind) not in ANSWER_MOVES:
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
            p = sum(t is not None for t in firsts) / n
        row.update(given=False, p=round(p, 6))
        made = [t for t in firsts if t is not None]
        mt = median(made)
        row["median_date"] = model.date(mt).isoformat() if mt is not None else None
        row["date_error_days"] = (float((model.date(mt) - move.at).days)
                                  if mt is not None and move.at is not None else None)
        out.append(row)
    return out


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

    A forecaster that knows the agreement's rules and the dated facts puts a notice
    at the last day it may be given (expiry minus the notice period) and a
    suspension, termination or renewal at the expiry it answers. Of the yearly
    cycles in the window it takes the one the recorded step falls in (the first
    deadline or expiry on or after the recorded date): the record picks the
    year, the calendar the day. Steps without a legal deadline (talks,
    initialling, cabinet approval, signing, a collapse) get no baseline.
    """
    sc = model.scenario
    signed = sc.agreement.signed
    if signed is None:
        return {}
    notice = timedelta(days=sc.agreement.notice_days)
    expiries = anniversaries(signed, sc.agreement.term_years, sc.start, sc.end + notice + timedelta(days=366))
    out: dict[str, date] = {}
    for step, when in recorded.items():
        if step not in CALENDAR_STEPS:
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


def poll_rmse(model: Model, results: Sequence[ReplicationResult]) -> float | None:
    """RMS gap (points) between the median simulated approval and each approval poll."""
    polls = model.scenario.polls
    gaps = []
    for i, (tr, var) in enumerate(zip(polls, model.poll_variables, strict=True)):
        if var != "approval":
            continue  # opinion on the pact itself is not simulated; kept for reference
        sims = [v for r in results if (v := r.polls[i]) is not None]
        if sims:
            gaps.append(median(sims) - tr.observed["approval"])  # type: ignore[operator]
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


def scores(checks: Sequence[EpisodeCheck], models: Sequence[Model], floor: float,
           prior: Sequence[EpisodeCheck] | None = None) -> dict[str, Any]:
    """Brier and log scores of the record over all episodes, with baselines: all outcomes equally
    likely, the status quo, the base rate over the other episodes (`base_rates`) and, given `prior`
    (the same episodes run with every parameter at the middle of its declared range), the uncalibrated model.

    Lower is better for both. The Brier score is the mean over episodes of the
    squared distance between the forecast distribution and the recorded
    outcome; the log score is the mean of -ln p(recorded). Forecasts are
    floored at `floor` (half a replication's weight) so that an outcome the
    ensemble never produced costs a large but finite amount.
    """
    def brier(p: dict[str, float], outcome: str) -> float:
        keys = set(p) | {outcome}
        return sum((p.get(k, 0.0) - (k == outcome)) ** 2 for k in keys)

    def log_score(p: dict[str, float], outcome: str) -> float:
        return -math.log(max(p.get(outcome, 0.0), floor))

    rows: dict[str, list[tuple[float, float]]] = {"model": [], "uniform": [], "status_quo": [], "base_rate": []}
    if prior is not None:
        rows["prior_mean"] = []
    rates = base_rates(models)
    for i, (check, model) in enumerate(zip(checks, models, strict=True)):
        names = list(model.scenario.outcomes)
        uniform = {k: 1.0 / len(names) for k in names}
        quo = {k: float(k == status_quo(model.scenario.agreement.state)) for k in names}
        forecasts = [("model", check.probabilities), ("uniform", uniform), ("status_quo", quo),
                     ("base_rate", rates[i])]
        if prior is not None:
            forecasts.append(("prior_mean", prior[i].probabilities))
        for label, forecast in forecasts:
            rows[label].append((brier(forecast, check.outcome), log_score(forecast, check.outcome)))
    out: dict[str, Any] = {}
    for label, vals in rows.items():
        out[label] = {
            "brier": round(sum(b for b, _ in vals) / len(vals), 6) if vals else None,
            "log": round(sum(s for _, s in vals) / len(vals), 6) if vals else None,
        }
    return out


MODES = ("free", "conditional")
"""The validation modes, headline first."""


def mode_variant(sc: Scenario, mode: str) -> Scenario:
    """The episode as a mode runs it: free (no assumptions, every actor decides) or conditional
    (the given moves in force, only Seoul deciding)."""
    return without_given(sc) if mode == "free" else conditional(sc)


def validate(episodes: Sequence[Scenario], runs: int, seed: int, runner: Runner,
             prior: ParameterSet | None = None, modes: Sequence[str] = MODES,
             with_predictives: bool = True) -> dict[str, Any]:
    """Run every episode in each mode and assemble the validation report (JSON-able).

    Per episode and mode: p of the recorded outcome with its interval, the modal
    outcome, every outcome's probability, the moves given (none in free mode), the
    recorded steps' dates and the date skill over the legal calendar, each recorded
    move checked, and the approval RMSE. Per mode, `scores` sets the model against
    the base rate, the uncalibrated model (the episodes run with the `prior`
    parameters, when given), all-equal and the status quo.
    """
    report: dict[str, Any] = {"runs": runs, "seed": seed, "modes": list(modes), "episodes": [], "scores": {},
                              "parameters": episodes[0].params.source() if episodes else None}
    for sc in episodes:
        if sc.record is None:
            raise ValueError(f"{sc.path} has no record to validate against")
        report["episodes"].append({"name": sc.name, "file": sc.path, "outcome": sc.record.outcome,
                                   "recorded_dates": {s: d.isoformat() for s, d in sc.record.dates.items()}})
    for mode in modes:
        models = [compile_scenario(mode_variant(sc, mode)) for sc in episodes]
        checks = [check_episode(m, rs) for m, rs in zip(models, run_points(models, runs, seed, runner), strict=True)]
        prior_checks = None
        if prior is not None:
            prior_models = [compile_scenario(mode_variant(dataclasses.replace(sc, params=prior), mode))
                            for sc in episodes]
            prior_checks = [check_episode(m, rs) for m, rs in
                            zip(prior_models, run_points(prior_models, runs, seed, runner), strict=True)]
        for ep, sc, check in zip(report["episodes"], episodes, checks, strict=True):
            entry = check.as_json()
            for key in ("name", "file", "outcome", "recorded_dates"):
                entry.pop(key)
            entry["given"] = [] if mode == "free" else assumptions(sc) + [
                f"the {role} takes no initiatives" for role in sorted(silenced_by_mode(sc, mode))]
            ep[mode] = entry
        report["scores"][mode] = scores(checks, models, floor=0.5 / runs, prior=prior_checks)
    if with_predictives:
        found = predictives(episodes, runs, seed, runner)
        report["predictives"] = list(PREDICTIVES)
        report["loo_missing"] = {sc.name: why for sc in episodes if (why := loo_status(sc)) is not None}
        for name, row in found.items():
            for ep, item in zip(report["episodes"], row, strict=True):
                ep[name] = None if item is None else predictive_entry(item[0], item[2])
            present = [item for item in row if item is not None]
            if len(present) == len(row):
                report["scores"][name] = scores([c for c, _, _ in present], [m for _, m, _ in present],
                                                floor=0.5 / runs)
    return report


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
    """`params` with the calibrated parameters drawn, per replication, from their prior (a Latin
    hypercube of `size` particles); the others keep their values (their prior medians)."""
    from .identify import sample_prior

    names = tuple(CALIBRATED)
    points = sample_prior(names, size, seed)
    sample = Posterior(names, tuple(tuple(p[n] for n in names) for p in points), tuple([1.0 / size] * size),
                       "the prior", "")
    return dataclasses.replace(params.fixed(), posterior=sample)


def loo_status(sc: Scenario) -> str | None:
    """Why `sc` has no usable leave-one-out posterior, or None when it has one: none is shipped, or the one
    shipped was calibrated over other parameters than those declared calibrated now (a model change since:
    drawing it would mix two calibrations, so it is not used)."""
    path = LOO_DIR / f"{Path(sc.path).stem}.csv"
    if not path.is_file():
        return f"no leave-one-out posterior shipped ({shown_path(path)})"
    names = load_posterior(path).names
    if set(names) != set(CALIBRATED):
        return (f"{shown_path(path)} is stale: calibrated over {', '.join(sorted(set(names) - set(CALIBRATED)))} "
                f"instead of {', '.join(sorted(set(CALIBRATED) - set(names)))}; rerun "
                f"`calibrate --leave-out {Path(sc.path).stem} --ship`")
    return None


def loo_parameters(sc: Scenario) -> ParameterSet | None:
    """`sc`'s parameters with the posterior calibrated without it (scenarios/params/loo/STEM.csv), or None
    where there is none or it is stale (`loo_status`)."""
    if loo_status(sc) is not None:
        return None
    return dataclasses.replace(sc.params.fixed(), posterior=load_posterior(LOO_DIR / f"{Path(sc.path).stem}.csv"))


PREDICTIVES = ("prior", "posterior", "loo")
"""The parameter sources validate reports the free run under: the prior, the shipped posterior (in
sample) and each episode's leave-one-out posterior (calibrated from the prior without it)."""


def predictive_entry(check: EpisodeCheck, source: str) -> dict[str, Any]:
    """The short form of a predictive check: p, interval, modal, date skill, probabilities."""
    full = check.as_json()
    return {"parameters": source, **{k: full[k] for k in ("p", "ci", "modal", "probabilities", "median_dates",
                                                            "date_error_days", "date_skill", "moves", "runs")}}


def predictives(episodes: Sequence[Scenario], runs: int, seed: int,
                runner: Runner) -> dict[str, list[tuple[EpisodeCheck, Model, str] | None]]:
    """Each episode's free run under the prior, the posterior and its leave-one-out posterior: (check,
    model, where its parameters come from), or None where no leave-one-out posterior is shipped."""
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
        checks = [check_episode(m, rs) for m, rs in zip(models, run_points(models, runs, seed, runner), strict=True)]
        row: list[Any] = [None] * len(episodes)
        for i, model, check in zip(idx, models, checks, strict=True):
            posterior = model.scenario.params.posterior
            row[i] = (check, model, posterior.file if posterior is not None else "fixed values")
        out[name] = row
    return out
