"""Rival explanations compared on the record: which mechanism set does the record support, and where does
each fail?

Each mechanism set (`scenario/sets.py`) is a model: the episodes with that set's
mechanisms switched off, its own parameters calibrated (in their prior
quantiles, as in `abc.py`), every other parameter drawn from its prior. All the
sets go into **one** ABC-SMC run with pyABC's model selection (a model index is
drawn beside each particle and perturbed between generations: Toni & Stumpf
2010, Bioinformatics 26:1), so the share of accepted particles each set holds
in the last generation is its posterior probability under a uniform prior over
the sets, against the same distance (`targets.distance`) on the same episodes.

Each set is then scored as `validate` scores a predictive: its posterior's
particles drawn per replication in free runs of every episode, the Brier and
log scores of the recorded outcome over all, eventful and quiet episodes, and
the dated scores (month log score and CRPS of every recorded step and move).
Out of sample, the same model-selection run is repeated without each episode in
turn and the episode predicted with each set's posterior from that fold; a set
that dies out in a fold (no particle left) predicts from its prior, and the
report says so.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..domain.parameters import PARAMETERS
from ..model.engine import Model, compile_scenario, run_replication
from ..scenario.loader import Record, Scenario
from ..scenario.params import ParameterSet, Posterior
from ..scenario.sets import MechanismSet
from ..scenario.variants import without_given
from .abc import ParticleModel, _pyabc, abc_distance, make_sampler
from .experiment import Runner, run_points
from .identify import at_prior_medians, sample_prior
from .scores import brier, log_score
from .targets import EpisodeSet, episode_key
from .validation import EpisodeCheck, check_episode, dated_summary, eventful

Say = Callable[[str], None]


@dataclasses.dataclass
class SetFit:
    """One set's share of a model-selection run: its probability and its particles (none if it died out)."""

    name: str
    names: tuple[str, ...]
    probability: float
    particles: list[dict[str, float]]
    weights: list[float]

    def posterior(self, seed: int) -> Posterior:
        """The particles as a posterior sample; a set with none draws from its prior (a Latin hypercube)."""
        if self.particles:
            rows, weights = self.particles, self.weights
        else:
            rows = sample_prior(self.names, 200, seed)
            weights = [1.0 / len(rows)] * len(rows)
        total = sum(weights)
        return Posterior(self.names, tuple(tuple(p[n] for n in self.names) for p in rows),
                         tuple(w / total for w in weights), f"{self.name} posterior" if self.particles
                         else f"{self.name} prior (died out)", "")


@dataclasses.dataclass
class Selection:
    """A finished model-selection run over several sets."""

    fits: list[SetFit]
    generations: int
    simulations: int
    seconds: float


def select_sets(sets: Sequence[MechanismSet], scenarios: Sequence[Scenario], base: ParameterSet, *,
                population: int, seed: int, workers: int, database: str | Path, max_generations: int,
                max_simulations: int | None = None, max_minutes: float | None = None,
                progress: Say | None = None) -> Selection:
    """One ABC-SMC run with every set as a model (pyABC model selection) on `scenarios`; each set's
    posterior probability and particles."""
    pyabc = _pyabc()
    import logging

    for logger in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.Transition"):
        logging.getLogger(logger).setLevel(logging.WARNING)
    medians = at_prior_medians(base)
    models = [ParticleModel(EpisodeSet.of([s.apply(sc) for sc in scenarios], medians), s.calibrate) for s in sets]
    priors = [pyabc.Distribution(**{n: pyabc.RV("uniform", 0.0, 1.0) for n in s.calibrate}) for s in sets]
    np.random.seed(seed % 2**32)
    random.seed(seed)
    abc = pyabc.ABCSMC(models, priors, abc_distance, population_size=population,
                       sampler=make_sampler(seed, workers, progress=progress), eps=pyabc.MedianEpsilon())
    path = Path(database).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    abc.new(f"sqlite:///{path}", {n: 0.0 for n in models[0].episodes.names})
    t0 = time.monotonic()
    history = abc.run(minimum_epsilon=0.0, max_nr_populations=max_generations,
                      max_total_nr_simulations=max_simulations if max_simulations else np.inf,
                      max_walltime=timedelta(minutes=max_minutes) if max_minutes else None)
    seconds = time.monotonic() - t0
    table = history.get_model_probabilities()  # rows: generations; columns: model index (absent: died out)
    last = table.loc[history.max_t]
    fits = []
    for m, (s, model) in enumerate(zip(sets, models, strict=True)):
        p = float(last[m]) if m in last.index and np.isfinite(last[m]) else 0.0
        particles: list[dict[str, float]] = []
        weights: list[float] = []
        if p > 0:
            frame, w = history.get_distribution(m=m, t=history.max_t)
            particles = [model.values(u) for u in frame.to_dict("records")]
            weights = [float(x) for x in w]
        fits.append(SetFit(s.name, tuple(s.calibrate), p, particles, weights))
    return Selection(fits, int(history.max_t) + 1, int(history.total_nr_simulations), seconds)


def predict(mset: MechanismSet, fit: SetFit, scenarios: Sequence[Scenario], base: ParameterSet, runs: int,
            seed: int, runner: Runner) -> tuple[list[EpisodeCheck], list[Model]]:
    """Free runs of `scenarios` under `mset`, each replication drawing the set's calibrated parameters from
    its posterior (the rest from their priors), checked against the record as `validate` does."""
    params = dataclasses.replace(at_prior_medians(base), posterior=fit.posterior(seed))
    models = [compile_scenario(without_given(mset.apply(dataclasses.replace(sc, params=params))))
              for sc in scenarios]
    checks = [check_episode(m, rs) for m, rs in zip(models, run_points(models, runs, seed, runner), strict=True)]
    return checks, models


def summary(checks: Sequence[EpisodeCheck], models: Sequence[Model], floor: float) -> dict[str, Any]:
    """`validate`'s scores of one set's predictions: Brier and log score of the recorded outcome over all,
    eventful and quiet episodes, the dated scores, and P(recorded outcome) per episode."""
    kinds = [eventful(m.scenario) for m in models]

    def mean(vals: list[float]) -> float | None:
        return round(sum(vals) / len(vals), 6) if vals else None

    out: dict[str, Any] = {}
    for kind in ("all", "eventful", "quiet"):
        part = [c for c, e in zip(checks, kinds, strict=True) if kind == "all" or (kind == "eventful") == e]
        out[kind] = {"episodes": len(part), "brier": mean([brier(c.probabilities, c.outcome) for c in part]),
                     "log": mean([log_score(c.probabilities, c.outcome, floor) for c in part])}
    out["dates"] = dated_summary(checks, kinds)["model"]
    out["p_recorded"] = {episode_key(m.scenario): round(c.p, 6) for c, m in zip(checks, models, strict=True)}
    return out


def explain_record(sets: Sequence[MechanismSet], scenarios: Sequence[Scenario], *, population: int,
                   generations: int, runs: int, seed: int, workers: int, runner: Runner, out: Path,
                   left_out: bool = True, max_simulations: int | None = None,
                   progress: Say | None = None) -> dict[str, Any]:
    """Compare `sets` on the record: one model-selection run on every episode (in sample) and, with
    `left_out`, one per fold without each episode; each set scored in and out of sample."""
    say = progress or (lambda line: None)
    base = scenarios[0].params
    floor = 0.5 / runs

    def run(on: Sequence[Scenario], tag: str) -> Selection:
        say(f"model selection on {len(on)} episodes ({tag}): {len(sets)} sets, {population} particles")
        return select_sets(sets, on, base, population=population, seed=seed, workers=workers,
                           database=out / f"abc-{tag}.db", max_generations=generations,
                           max_simulations=max_simulations, progress=say)

    whole = run(scenarios, "all")
    report: dict[str, Any] = {
        "sets": [{"name": s.name, "explains": s.explains, "file": s.file, "off": sorted(s.off), "adds": sorted(s.adds),
                  "calibrate": list(s.calibrate)} for s in sets],
        "episodes": [episode_key(sc) for sc in scenarios],
        "eventful": [episode_key(sc) for sc in scenarios if eventful(sc)],
        "population": population, "generations": generations, "runs": runs, "seed": seed,
        "in_sample": {"generations": whole.generations, "simulations": whole.simulations,
                      "seconds": round(whole.seconds, 1),
                      "probabilities": {f.name: round(f.probability, 6) for f in whole.fits}, "scores": {}},
        "left_out": None,
    }
    for s, fit in zip(sets, whole.fits, strict=True):
        say(f"in sample: {runs} free runs of {len(scenarios)} episodes under {s.name}")
        checks, models = predict(s, fit, scenarios, base, runs, seed, runner)
        report["in_sample"]["scores"][s.name] = summary(checks, models, floor)
    if left_out and len(scenarios) > 1:
        folds: dict[str, Any] = {}
        per_set: dict[str, list[tuple[EpisodeCheck, Model]]] = {s.name: [] for s in sets}
        died: dict[str, list[str]] = {s.name: [] for s in sets}
        for sc in scenarios:
            key = episode_key(sc)
            fold = run([o for o in scenarios if o is not sc], f"without-{key}")
            folds[key] = {f.name: round(f.probability, 6) for f in fold.fits}
            for s, fit in zip(sets, fold.fits, strict=True):
                if not fit.particles:
                    died[s.name].append(key)
                checks, models = predict(s, fit, [sc], base, runs, seed, runner)
                per_set[s.name].append((checks[0], models[0]))
        report["left_out"] = {
            "probabilities": folds,
            "mean_probability": {s.name: round(float(np.mean([folds[k][s.name] for k in folds])), 6) for s in sets},
            "died": died,
            "scores": {name: summary([c for c, _ in rows], [m for _, m in rows], floor)
                       for name, rows in per_set.items()},
        }
    return report


FAIL_BELOW = 0.5
"""A set *fails* an episode when it gives the recorded outcome less than this probability."""


def _num(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def rivals_markdown(report: Mapping[str, Any]) -> str:
    """The table: each set's posterior probability and scores in and out of sample, then P(recorded
    outcome) per episode, and the episodes where each set fails."""
    names = [s["name"] for s in report["sets"]]
    ins, loo = report["in_sample"], report["left_out"]
    head = "| | " + " | ".join(f"`{n}`" for n in names) + " |"
    lines = [head, "|---|" + "---|" * len(names)]

    def row(label: str, values: Sequence[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("posterior probability, all episodes", [_num(ins["probabilities"][n]) for n in names])
    if loo:
        row("posterior probability, mean over folds", [_num(loo["mean_probability"][n]) for n in names])
    sources = [("in sample", ins["scores"])] + ([("left out", loo["scores"])] if loo else [])
    for label, scores in sources:
        for kind in ("eventful", "quiet", "all"):
            row(f"Brier {label}, {kind} ({scores[names[0]][kind]['episodes']})",
                [_num(scores[n][kind]["brier"]) for n in names])
        row(f"month log score {label}, dated items", [_num(scores[n]["dates"]["all"]["month_log"]) for n in names])
        row(f"CRPS of dates {label} (days)", [_num(scores[n]["dates"]["all"]["crps_days"], 1) for n in names])
    for key in report["episodes"]:
        tag = " (eventful)" if key in report["eventful"] else ""
        row(f"P(recorded outcome) {key}{tag}, in / out",
            [f"{_num(ins['scores'][n]['p_recorded'][key])} / "
             f"{_num(loo['scores'][n]['p_recorded'][key]) if loo else '-'}" for n in names])
    lines.append("")
    best = max(names, key=lambda n: ins["probabilities"][n])
    lines.append(f"The record supports `{best}` most (posterior probability {ins['probabilities'][best]:.3f} "
                 f"of the {len(names)} sets, one ABC-SMC run, uniform prior over the sets).")
    src, scores = sources[-1]
    for n in names:
        fails = [k for k in report["episodes"] if scores[n]["p_recorded"][k] < FAIL_BELOW]
        lines.append(f"- `{n}` fails ({src}, P(recorded) < {FAIL_BELOW:g}) on: "
                     f"{', '.join(fails) if fails else 'none'}")
    if loo and any(loo["died"].values()):
        for n, keys in loo["died"].items():
            if keys:
                lines.append(f"- `{n}` died out (no particle) in the folds without {', '.join(keys)}; its left-out "
                             "prediction there is from its prior")
    return "\n".join(lines)


def synthetic_record(sc: Scenario, mset: MechanismSet, values: Mapping[str, float], seed: int) -> Scenario:
    """`sc` with a record simulated by `mset` at `values` (the rest at prior medians): one free replication's
    outcome, the dates of the steps it reached that the record names, and its approval at each poll. What
    the model-selection test recovers."""
    for name in values:
        if name not in PARAMETERS:
            raise ValueError(f"unknown parameter {name!r}")
    params = at_prior_medians(sc.params).with_values(values)
    free = without_given(mset.apply(dataclasses.replace(sc, params=params)))
    model = compile_scenario(free)
    result = run_replication(model, np.random.default_rng(np.random.SeedSequence(seed)), 0)
    assert sc.record is not None
    dates = {step: model.date(t) for step, t in result.stage_t.items() if step in sc.record.dates}
    record = Record(result.outcome, dates, "synthetic: simulated by the mechanism set " + mset.name, ())
    simulated = {id(tr): value for tr, value in zip(sc.polls, result.polls, strict=True)}
    triggers = []
    for tr in sc.triggers:
        value = simulated.get(id(tr))
        if "approval" in tr.observed and value is not None:
            tr = dataclasses.replace(tr, observed={**tr.observed, "approval": float(value)})
        triggers.append(tr)
    return dataclasses.replace(sc, record=record, triggers=tuple(triggers))
