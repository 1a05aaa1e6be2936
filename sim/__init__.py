"""diplosim: a discrete-event simulator of diplomatic scenarios.

The Python API that the command line is a thin layer over (docs/api.md)::

    from diplosim import load_scenario, run_ensemble, compare, sweep
    sc = load_scenario("scenarios/history/gsomia-2019.yaml")
    ens = run_ensemble(sc, runs=1000, seed=1)
    ens.summary()      # outcome probabilities, intervals, median dates
    ens.to_frame()     # one row per replication (pandas; ens.rows() gives dicts)
    compare(path_a, path_b, runs=500).to_frame()
    sweep(path, {"params.threat_weight": (0, 6, 7)}).to_frame()
"""

from .errors import DiplosimError, ScenarioError
from .explore.notebook import Table, compare, sweep
from .model.engine import Model, ReplicationResult, compile_scenario, run_replication
from .run.ensemble import Ensemble, replication_rng, run_ensemble
from .scenario.loader import Scenario, load_scenario
from .scenario.params import ParameterSet, load_parameters

__version__ = "0.1.0"

__all__ = [
    "DiplosimError", "Ensemble", "Model", "ParameterSet", "ReplicationResult", "Scenario",
    "ScenarioError", "Table", "__version__", "compare", "sweep", "compile_scenario", "load_parameters", "load_scenario",
    "replication_rng", "run_ensemble", "run_replication",
]
