"""Bayesian calibration: approximate Bayesian computation with sequential Monte Carlo (pyABC).

The calibrated parameters (`domain/parameters.py`, those the targets identify)
are searched in the space of their prior quantiles, where every prior is
uniform on [0, 1]: a particle u maps to the value ``info.from_unit(u)``. A
particle's simulation draws every uncalibrated parameter (not declared fixed)
from its prior, so the posterior integrates them out as every predictive does,
and runs one replication of every episode in free mode (`targets.EpisodeSet`);
its distance to the record is `targets.distance` (0 when
every outcome, date, move and poll agrees). pyABC's ABC-SMC (Toni et al. 2009,
J. R. Soc. Interface 6:31; Beaumont et al. 2009, Biometrika 96:4) lowers the
threshold generation by generation (each the median distance of the last),
proposes from a Gaussian kernel fitted to the last population, and keeps every
generation in its SQLite database.

pyABC's own parallel samplers seed each worker from the operating system, so
their results depend on timing. `SeededSampler` instead gives particle task k
of generation t the seed ``SeedSequence(root, spawn_key=(t, k))`` and maps the
tasks in order over a process pool: the same root seed gives the same
posterior on one worker or many.
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
from ..errors import MissingExtra, install_hint
from ..run.parallel import pool_map
from .targets import EpisodeSet, distance

Progress = Callable[[str], None]


def _pyabc() -> Any:
    try:
        import pyabc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtra(f"calibration needs pyABC, an optional extra: {install_hint('calibrate')}") from exc
    return pyabc


# -- the model pyABC simulates ---------------------------------------------------------------


@dataclasses.dataclass
class ParticleModel:
    """What pyABC calls with a particle (unit-cube coordinates of the calibrated parameters)."""

    episodes: EpisodeSet
    names: tuple[str, ...]

    @property
    def nuisance(self) -> tuple[str, ...]:
        """The parameters each simulation draws from their priors (integrated out): neither calibrated,
        nor overridden, nor declared fixed; the same that every replication of a predictive draws
        (`engine.Model.parameters_for`)."""
        return tuple(n for n, info in PARAMETERS.items()
                     if n not in self.names and n not in self.episodes.base.overridden and not info.fixed)

    def values(self, particle: Mapping[str, float]) -> dict[str, float]:
        """The parameter values of a particle."""
        return {n: PARAMETERS[n].from_unit(min(1.0, max(0.0, float(particle[n])))) for n in self.names}

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        # the task's seed (SeededSampler) fixes np.random; the nuisance draws and the replications' seeds
        # come from it
        nuisance = self.nuisance
        prior = {n: PARAMETERS[n].from_unit(float(u)) for n, u in zip(nuisance, np.random.random(len(nuisance)),
                                                                      strict=True)}
        seed = np.random.SeedSequence(int(np.random.randint(0, 2**62)))
        return self.episodes.simulate({**prior, **self.values(particle)}, seed, runs=1)


@dataclasses.dataclass(frozen=True)
class WeightedDistance:
    """pyABC's distance: how far a simulation's targets are from the record's (all 0), each episode's
    distance times its weight (`targets.distance`'s `episode_weights`; 1 where absent). Picklable, for the
    sampler's workers."""

    episode_weights: Mapping[str, float] = dataclasses.field(default_factory=dict)

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        return distance(x, self.episode_weights)


abc_distance = WeightedDistance()
"""The unweighted distance (every episode weighs 1): the shipped calibration's and explain-record's."""


# -- a seeded, ordered parallel sampler ---------------------------------------------------------


def _particle_tasks(blob: bytes, batch: tuple[list[int], float]) -> list[tuple[Any, int]]:
    """Run one batch of particle tasks in a worker: each until one particle is accepted."""
    import cloudpickle

    seeds, max_eval = batch
    simulate_one = cloudpickle.loads(blob)
    out = []
    for seed in seeds:
        np.random.seed(seed % 2**32)
        random.seed(seed)
        evaluations = 0
        results = []
        while True:
            sim = simulate_one()
            evaluations += 1
            results.append(sim)
            if sim.accepted or evaluations >= max_eval:
                break
        out.append((results, evaluations))
    return out


def make_sampler(root_seed: int, workers: int, batch: int = 25, progress: Progress | None = None) -> Any:
    """A pyABC sampler whose results depend on `root_seed` only, not on `workers`; `progress` hears one
    line per generation."""
    pyabc = _pyabc()
    import cloudpickle

    class SeededSampler(pyabc.sampler.Sampler):  # type: ignore[name-defined]
        """Particle task k of generation t seeded by SeedSequence(root, spawn_key=(t, k)), mapped in order."""

        def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, *, max_eval: float = np.inf,
                                    all_accepted: bool = False, ana_vars: Any = None) -> Any:
            seeds = [int(np.random.SeedSequence(root_seed, spawn_key=(t + 1, k)).generate_state(1, np.uint64)[0])
                     for k in range(n)]
            blob = cloudpickle.dumps(simulate_one)
            per_task = max_eval / max(1, n) if np.isfinite(max_eval) else np.inf
            batches = [(seeds[i:i + batch], per_task) for i in range(0, n, batch)]
            sample = self._create_empty_sample()
            evaluations = 0
            for done in pool_map(_particle_tasks, batches, blob, workers):
                for results, count in done:
                    for sim in results:
                        sample.append(sim)
                    evaluations += count
            self.nr_evaluations_ = evaluations
            if sample.n_accepted < n:
                sample.ok = False
            if progress is not None:
                what = "the prior, to set the first threshold" if t < 0 else f"generation {t}"
                progress(f"{what}: {sample.n_accepted} particles accepted of {evaluations} simulations")
            return sample

    return SeededSampler()


# -- the calibration ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Calibration:
    """A finished ABC-SMC run: the final population and how it got there."""

    names: tuple[str, ...]
    particles: list[dict[str, float]]
    weights: list[float]
    generations: list[dict[str, Any]]
    simulations: int
    seconds: float
    database: str

    def posterior_rows(self) -> list[dict[str, float]]:
        """The particles as rows of a posterior file: weight, then each calibrated parameter's value."""
        return [{"weight": round(w, 10), **{n: round(v[n], 6) for n in self.names}}
                for v, w in zip(self.particles, self.weights, strict=True)]


def calibrate_abc(episodes: EpisodeSet, names: Sequence[str], *, population: int, seed: int, workers: int,
                  database: str | Path, max_generations: int = 12, minimum_epsilon: float = 0.0,
                  max_simulations: int | None = None, max_minutes: float | None = None,
                  progress: Progress | None = None,
                  episode_weights: Mapping[str, float] | None = None) -> Calibration:
    """ABC-SMC over `names` (uniform on their prior quantiles) against every target of `episodes`; with
    `episode_weights` (by episode key), each episode's distance weighted (`targets.kind_weights`)."""
    pyabc = _pyabc()
    import logging

    for logger in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.Transition"):
        logging.getLogger(logger).setLevel(logging.WARNING)  # progress comes through `progress`, one line each
    names = tuple(names)
    model = ParticleModel(episodes, names)
    prior = pyabc.Distribution(**{n: pyabc.RV("uniform", 0.0, 1.0) for n in names})
    np.random.seed(seed % 2**32)  # what pyABC itself draws in this process
    random.seed(seed)
    abc = pyabc.ABCSMC(model, prior, WeightedDistance(dict(episode_weights or {})), population_size=population,
                       sampler=make_sampler(seed, workers, progress=progress), eps=pyabc.MedianEpsilon())
    target = {n: 0.0 for n in episodes.names}
    path = Path(database).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()  # a fresh database for a fresh run
    abc.new(f"sqlite:///{path}", target)
    t0 = time.monotonic()
    history = abc.run(minimum_epsilon=minimum_epsilon, max_nr_populations=max_generations,
                      max_total_nr_simulations=max_simulations if max_simulations else np.inf,
                      max_walltime=timedelta(minutes=max_minutes) if max_minutes else None)
    seconds = time.monotonic() - t0
    frame, w = history.get_distribution(m=0, t=history.max_t)
    units = frame.to_dict("records")
    particles = [model.values(u) for u in units]
    pops = history.get_all_populations()
    generations = [{"t": int(row.t), "epsilon": float(row.epsilon), "simulations": int(row.samples)}
                   for row in pops.itertuples() if row.t >= 0]
    return Calibration(names, particles, [float(x) for x in w], generations,
                       int(history.total_nr_simulations), seconds, str(path))
