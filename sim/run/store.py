"""The run store: ensembles and their replications in a SQLite database.

One row per ensemble holds its provenance (scenario file and hash, parameter
values, mechanisms, root seed, versions, when it started and finished, and
its status); one row per replication holds the seed index, outcome, dates and
final state (the columns of ``replications.csv``) plus the exact result as
JSON, so a stored ensemble can be read back and resumed bit for bit.

Each chunk of replications is written in one transaction as it finishes, so
a Ctrl-C or a kill leaves every finished chunk saved and the file consistent.
Only the main process writes; workers never touch the database.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import platform
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from ..errors import DiplosimError, excerpt
from ..model import source_digest
from ..model.engine import Model, ReplicationResult
from .ensemble import ROW_COLUMNS, replication_row
from .parallel import pack, unpack

STORE_NAME = "runs.sqlite"
"""The file name of the store inside an output directory."""

SCHEMA_VERSION = 4
"""2: every replication and every ensemble's provenance carry a checksum; 3: a replication's result
holds the actors' moves; 4: a replication's checksum binds it to its ensemble (`_row_digest`)."""
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(DiplosimError):
    """A run store that cannot be used: not a store, from another version, or damaged."""


def _digest(values: Sequence[Any]) -> str:
    """The checksum of a stored row: its values as canonical JSON, hashed."""
    text = json.dumps(list(values), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _row_digest(identity: Sequence[Any], values: Sequence[Any]) -> str:
    """The checksum of a stored replication: its values (ensemble id, row columns, result) bound to its
    ensemble's identity (scenario digest, model key, root seed), so a row copied from another ensemble
    or store, or left under ids that were swapped, fails the check as a damaged one does."""
    return _digest([*identity, *values])


def _identity(model: Model, seed: int) -> tuple[str, str, str]:
    """An ensemble's identity as a replication's checksum binds it: (scenario digest, model key, root seed),
    as the ensemble's own (checksummed) provenance stores them."""
    return model.scenario.sha256, model_key(model), str(seed)


_ROW_COLUMNS = tuple(c for c in ROW_COLUMNS if c != "root_seed")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ensembles (
    id INTEGER PRIMARY KEY,
    scenario TEXT NOT NULL,
    scenario_file TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    model_key TEXT NOT NULL,
    params TEXT NOT NULL,
    mechanisms TEXT NOT NULL,
    root_seed TEXT NOT NULL,
    runs INTEGER NOT NULL,
    diplosim_version TEXT NOT NULL,
    environment TEXT NOT NULL,
    meta TEXT NOT NULL,
    status TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    checksum TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ensembles_by_model ON ensembles (model_key, root_seed);
CREATE TABLE IF NOT EXISTS replications (
    ensemble_id INTEGER NOT NULL REFERENCES ensembles (id),
    {", ".join(f'"{c}"' for c in _ROW_COLUMNS)},
    result TEXT NOT NULL,
    checksum TEXT NOT NULL,
    PRIMARY KEY (ensemble_id, replication)
) WITHOUT ROWID;
"""

ENSEMBLE_COLUMNS = (
    "id", "scenario", "scenario_file", "scenario_sha256", "model_key", "params", "mechanisms",
    "root_seed", "runs", "diplosim_version", "environment", "meta", "status", "started", "finished",
)


def store_path(path: str | Path) -> Path:
    """The database file meant by `path`: the path itself, or `runs.sqlite` inside a directory."""
    path = Path(path)
    return path / STORE_NAME if path.is_dir() else path


@functools.cache
def _model_sources() -> str:
    """The digest of the model's own sources (`model.source_digest`), read once per process."""
    return source_digest()


def model_key(model: Model) -> str:
    """A hash of everything that decides a replication's result besides the seed: the scenario files
    (with overrides), the parameter values, the posterior sample and which parameters each replication
    draws from its prior, the mechanisms, and the model's sources (a replication made by another
    version of the model is not resumed)."""
    posterior = model.scenario.params.posterior
    doc = {
        "scenario": model.scenario.sha256,
        "params": dataclasses.asdict(model.p),
        "posterior": posterior.sha256 if posterior is not None else None,
        "nuisance": list(model.nuisance),
        "mechanisms": sorted(model.mechanisms),
        "initial": dict(model.initial),
        "sources": _model_sources(),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _refuse_foreign_file(path: Path) -> None:
    """A file at `path` that is not an SQLite database is never overwritten."""
    try:
        if not path.exists() or path.stat().st_size == 0:
            return
        if path.is_dir() or not path.is_file():
            raise StoreError(f"{path}: not a file, so not a run store")
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the run store ({exc.strerror})") from None
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a diplosim run store (not an SQLite database); refusing to overwrite it")


def _storable(text: str) -> str:
    """`text` as SQLite can hold it: a file name that is not UTF-8 (its bytes decoded as lone surrogates)
    keeps them as backslash escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunStore:
    """A SQLite run store (created on first use)."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = store_path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(f"no run store at {self.path}")
        _refuse_foreign_file(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30.0)
            tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "store_info" not in tables:
                raise StoreError(f"{self.path}: an SQLite database that is not a diplosim run store; "
                                 "refusing to write into it")
            # WAL: readers (`runs`, a progress check) never block the writer; a
            # killed writer leaves the last committed chunk intact.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            with self.db:
                self.db.executescript(_SCHEMA)
                self.db.execute("INSERT OR IGNORE INTO store_info VALUES ('schema_version', ?)",
                                (str(SCHEMA_VERSION),))
            (version,) = self.db.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the run store cannot be read ({exc})") from None
        if version != str(SCHEMA_VERSION):
            older = version.isdigit() and int(version) < SCHEMA_VERSION
            why = ("; written before each replication's checksum was bound to its ensemble, its rows cannot be "
                   "trusted: rerun into a new store (move this one aside, or name another with --store)"
                   if older else "; start a new store")
            raise StoreError(f"{self.path}: a run store of schema {excerpt(version)} (this diplosim writes "
                             f"schema {SCHEMA_VERSION}){why}")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------

    def begin(self, model: Model, runs: int, seed: int, meta: Mapping[str, Any] | None = None) -> int:
        """Record a new ensemble and its provenance; return its id."""
        from .. import __version__

        sc = model.scenario
        env = {"python": platform.python_version(), "numpy": np.__version__, "simpy": simpy.__version__,
               "platform": platform.platform()}
        fixed = (_storable(sc.name), _storable(sc.path), sc.sha256, model_key(model),
                 json.dumps(dataclasses.asdict(model.p), sort_keys=True), json.dumps(sorted(model.mechanisms)),
                 str(seed), __version__, json.dumps(env, sort_keys=True),
                 json.dumps(dict(meta or {}), sort_keys=True, default=str))
        with self.db:
            cur = self.db.execute(
                "INSERT INTO ensembles (scenario, scenario_file, scenario_sha256, model_key, params, mechanisms,"
                " root_seed, diplosim_version, environment, meta, runs, status, started, checksum)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)",
                (*fixed, runs, _now(), _digest(fixed)),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def add(self, ensemble_id: int, model: Model, seed: int, results: Iterable[ReplicationResult]) -> None:
        """Save finished replications (one transaction)."""
        cols = ", ".join(f'"{c}"' for c in _ROW_COLUMNS)
        marks = ", ".join("?" * (len(_ROW_COLUMNS) + 2))
        rows = []
        identity = _identity(model, seed)
        for r in results:
            row = replication_row(model, seed, r)
            values = (ensemble_id, *(row[c] for c in _ROW_COLUMNS), json.dumps(pack(r)))
            rows.append((*values, _row_digest(identity, values)))
        with self.db:
            self.db.executemany(f"INSERT OR REPLACE INTO replications (ensemble_id, {cols}, result, checksum)"
                                f" VALUES ({marks}, ?)", rows)

    def end(self, ensemble_id: int, status: str) -> None:
        """Mark an ensemble complete or interrupted, with the time."""
        with self.db:
            self.db.execute("UPDATE ensembles SET status = ?, finished = ? WHERE id = ?",
                            (status, _now(), ensemble_id))

    def reopen(self, ensemble_id: int, runs: int) -> None:
        """Resume an ensemble (possibly asking for more replications than before)."""
        with self.db:
            self.db.execute("UPDATE ensembles SET status = 'running', finished = NULL,"
                            " runs = MAX(runs, ?) WHERE id = ?", (runs, ensemble_id))

    # -- reading ----------------------------------------------------------------

    def find_resumable(self, model: Model, seed: int) -> int | None:
        """The latest ensemble of the same model and root seed, or None."""
        row = self.db.execute("SELECT id FROM ensembles WHERE model_key = ? AND root_seed = ?"
                              " ORDER BY id DESC LIMIT 1", (model_key(model), str(seed))).fetchone()
        return row[0] if row else None

    def _verified(self, ensemble_id: int) -> list[tuple[Any, ...]]:
        """An ensemble's stored replication rows (ensemble id, row columns, result), each checked
        against its checksum; a damaged row is a `StoreError` naming the file."""
        cols = ", ".join(f'"{c}"' for c in _ROW_COLUMNS)
        try:
            identity = self.db.execute("SELECT scenario_sha256, model_key, root_seed FROM ensembles WHERE id = ?",
                                       (ensemble_id,)).fetchone()
            cur = self.db.execute(f"SELECT ensemble_id, {cols}, result, checksum FROM replications"
                                  " WHERE ensemble_id = ? ORDER BY replication", (ensemble_id,))
            rows = cur.fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the run store is damaged ({exc})") from None
        for values in rows:
            if identity is None or _row_digest(identity, values[:-1]) != values[-1]:
                raise StoreError(f"{self.path}: replication {values[1]} of ensemble {ensemble_id} does not match "
                                 "its checksum: the store is damaged, or the row is another ensemble's (start a "
                                 "new store, or rerun without --resume)")
        return [values[:-1] for values in rows]

    def verify(self) -> None:
        """Check every ensemble and replication against its checksum (`StoreError` if one fails)."""
        for row in self.ensembles():
            self._verified(row["id"])

    def results(self, ensemble_id: int) -> list[ReplicationResult]:
        """The stored replications of an ensemble, in replication order (checked)."""
        try:
            results = [(values[1], unpack(json.loads(values[-1]))) for values in self._verified(ensemble_id)]
        except (ValueError, TypeError) as exc:
            raise StoreError(f"{self.path}: a stored replication cannot be read ({exc})") from None
        for index, r in results:
            if r.index != index:  # a result filed under another replication's number
                raise StoreError(f"{self.path}: replication {index} of ensemble {ensemble_id} holds the result of "
                                 f"replication {r.index}; the store is damaged")
        return [r for _, r in results]

    def ensembles(self) -> list[dict[str, Any]]:
        """Every stored ensemble's provenance (checked), with how many replications are saved."""
        fixed = ("scenario", "scenario_file", "scenario_sha256", "model_key", "params", "mechanisms",
                 "root_seed", "diplosim_version", "environment", "meta")
        try:
            cur = self.db.execute(
                f"SELECT {', '.join('e.' + c for c in ENSEMBLE_COLUMNS)}, e.checksum,"
                " (SELECT COUNT(*) FROM replications r WHERE r.ensemble_id = e.id) FROM ensembles e ORDER BY e.id")
            found = cur.fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the run store is damaged ({exc})") from None
        out = []
        for values in found:
            row = dict(zip(ENSEMBLE_COLUMNS, values[:-2], strict=True))
            if _digest([row[c] for c in fixed]) != values[-2]:
                raise StoreError(f"{self.path}: the provenance of ensemble {row['id']} does not match its "
                                 "checksum; the store is damaged")
            for key in ("params", "mechanisms", "environment", "meta"):
                row[key] = json.loads(row[key])
            row["root_seed"] = int(row["root_seed"])
            row["saved"] = values[-1]
            out.append(row)
        return out

    def ensemble(self, ensemble_id: int) -> dict[str, Any]:
        """One ensemble's provenance (KeyError if there is none with that id)."""
        for row in self.ensembles():
            if row["id"] == ensemble_id:
                return row
        raise KeyError(ensemble_id)

    def rows(self, ensemble_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Replication rows (the columns of replications.csv, plus `ensemble`) of the given ensembles (checked)."""
        out: list[dict[str, Any]] = []
        for eid in ensemble_ids:
            seed = self.ensemble(eid)["root_seed"]
            for values in self._verified(eid):
                row = {"ensemble": eid, **dict(zip(_ROW_COLUMNS, values[1:-1], strict=True))}
                row["root_seed"] = seed
                out.append({c: row[c] for c in ("ensemble", *ROW_COLUMNS)})
        return out
