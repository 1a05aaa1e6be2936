"""Where the shipped scenario files are, what they are called, and where a collection of them begins.

The `scenarios/` folder is installed as `diplosim.scenarios` and found through
`importlib.resources`, so an installed wheel finds it from any directory, exactly
as a clone with an editable install does.

Its top holds a marker file, `MARKER`, copied along wherever the folder goes
(an installed package, a clone, a copy): `collection_root` finds the nearest
folder above a scenario that holds it, so files in one collection may name each
other (``extends: ../history/...``, ``params.file: ../params/default.yaml``)
wherever the collection lies.

`find_scenario` turns a shipped scenario's short name (``gsomia-2019``,
``history/gsomia-2019``, ``2019-no-us-pressure``) into its file when no file of
that name exists: a real path always wins.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from ..errors import ScenarioError, did_you_mean, excerpt


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

# -- the top of a collection ------------------------------------------------------

MARKER = "diplosim-scenarios.txt"
"""The file that marks the top of a scenario collection (the shipped one holds it)."""
MARKER_FIRST_LINE = "diplosim scenario collection"
"""How a marker file begins; a file of that name that begins otherwise marks nothing."""
MAX_MARKER_BYTES = 4096
"""Largest marker file read: it is a few lines of text."""


def _is_marker(path: Path) -> bool:
    """Whether `path` is a marker: a regular file (not a link), owned by this user or the
    administrator where the system has owners, beginning with `MARKER_FIRST_LINE`."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MARKER_BYTES:
        return False
    if hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(len(MARKER_FIRST_LINE))
    except OSError:
        return False
    return head == MARKER_FIRST_LINE.encode("ascii")


def collection_root(scenario: Path) -> Path | None:
    """The top of the collection the scenario file lies in: the nearest folder at or above its own
    folder (links resolved) that holds a `MARKER`, or None.

    The search stops at a folder anyone may write in (``/tmp``, say): a marker there or above
    would let any user of the machine widen what another user's scenarios may read.
    """
    try:
        folder = scenario.resolve().parent
    except (OSError, RuntimeError):
        return None
    for candidate in (folder, *folder.parents):
        try:
            mode = candidate.stat().st_mode
        except OSError:
            return None
        if mode & stat.S_IWOTH:
            return None
        if _is_marker(candidate / MARKER):
            return candidate
    return None


# -- names ---------------------------------------------------------------------------

EPISODE_GROUPS = ("history", "counterfactuals", "examples")
"""The folders of the shipped scenarios that hold episodes, in the order they are listed."""
SCENARIO_SUFFIXES = (".yaml", ".yml")
"""Endings a name may carry (``gsomia-2019.yaml`` names the same file as ``gsomia-2019``)."""


@dataclass(frozen=True)
class ShippedScenario:
    """One shipped scenario file and its short name."""

    name: str
    """The file's stem: ``gsomia-2019``."""
    group: str
    """Its folder: ``history``, ``counterfactuals`` or ``examples``."""
    path: Path

    @property
    def long_name(self) -> str:
        """The name with its folder: ``history/gsomia-2019``."""
        return f"{self.group}/{self.name}"


def shipped_scenarios() -> tuple[ShippedScenario, ...]:
    """Every shipped episode, counterfactual and example, by group, then name."""
    return tuple(ShippedScenario(p.stem, group, p)
                 for group in EPISODE_GROUPS for p in sorted((SHIPPED_DIR / group).glob("*.yaml")))


def _names(every: tuple[ShippedScenario, ...]) -> dict[str, list[ShippedScenario]]:
    """Each accepted name (short and with its folder) and the scenarios it names."""
    names: dict[str, list[ShippedScenario]] = {}
    for sc in every:
        for key in (sc.name, sc.long_name):
            names.setdefault(key, []).append(sc)
    return names


def _as_name(text: str) -> str | None:
    """`text` as a name to look up (without ``./``, a leading ``scenarios/`` or a .yaml ending),
    or None when it cannot be one: an absolute path, one with ``..``, or one of more than GROUP/NAME."""
    pure = PurePosixPath(text.replace(os.sep, "/"))
    if pure.is_absolute() or (os.altsep and text.startswith(os.altsep)) or Path(text).drive:
        return None
    parts = [p for p in pure.parts if p != "."]
    if parts and parts[0] == "scenarios":
        parts = parts[1:]
    if not 1 <= len(parts) <= 2 or ".." in parts:
        return None
    name = "/".join(parts)
    for suffix in SCENARIO_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[:-len(suffix)]
    return name


def find_scenario(path: str | os.PathLike[str]) -> Path:
    """The scenario file `path` names: the path itself when anything exists there, else the shipped
    scenario of that name (``gsomia-2019``, ``history/gsomia-2019``, ``scenarios/history/gsomia-2019.yaml``).

    Raises `ScenarioError` naming the closest shipped names when neither exists.
    """
    given = Path(path)
    text = os.fspath(path)
    try:
        given.lstat()
        return given  # something is there: the loader reads it, or says why not
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (OSError, ValueError):  # a name too long for the system, a NUL byte: the loader says so
        return given
    name = _as_name(text)
    if name is None:
        return given  # the loader says the file is not found
    every = shipped_scenarios()
    names = _names(every)
    found = names.get(name, [])
    if len(found) == 1:
        return found[0].path
    if found:
        raise ScenarioError(f"no such file, and the name '{excerpt(name)}' fits several shipped scenarios: "
                            + ", ".join(sc.long_name for sc in found), file=text)
    hint = did_you_mean(name, names)
    if not hint:  # nothing close: name the history episodes, the likeliest wanted
        hint = f" (the history episodes are {', '.join(sc.name for sc in every if sc.group == 'history')})"
    raise ScenarioError(f"file not found, nor the name of a shipped scenario{hint}; "
                        f"`diplosim list` names all {len(every)} shipped scenarios", file=text)
