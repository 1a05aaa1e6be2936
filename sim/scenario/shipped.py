"""Where the shipped scenario files are: the `scenarios/` folder, installed as `diplosim.scenarios`.

Found through `importlib.resources`, so an installed wheel finds them from any
directory, exactly as a clone with an editable install does.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_dir() -> Path:
    """The folder of the shipped scenarios, parameters and schema."""
    root = resources.files("diplosim.scenarios")
    path = Path(str(root))
    if not path.is_dir():  # a zipped install: not supported, say so plainly
        raise RuntimeError(f"diplosim's scenario files are not on disk ({root}); install it unzipped")
    return path


SHIPPED_DIR = shipped_dir()
DEFAULT_PARAMS_FILE = SHIPPED_DIR / "params" / "default.yaml"
"""The shared, calibrated behavioural parameters."""
HISTORY_DIR = SHIPPED_DIR / "history"
"""The history episodes, facts only, each with its record."""
COUNTERFACTUAL_DIR = SHIPPED_DIR / "counterfactuals"
"""'What if' variants of the history episodes."""
LOO_DIR = SHIPPED_DIR / "params" / "loo"
"""The leave-one-out posteriors: `EPISODE.csv`, calibrated without that episode (validate's `loo`)."""
