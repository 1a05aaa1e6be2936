"""The command line of the run store: `runs` lists it, `export` writes its rows.

Also the SIGTERM handling of long commands: a kill (SIGTERM) is turned into
an exception so that a running ensemble stops its workers and marks itself
interrupted, like Ctrl-C; finished chunks are already in the store.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import DiplosimError
from ..files import check_output, csv_text, to_json, write_atomic
from ..run.store import STORE_NAME, RunStore

PROVENANCE_COLUMNS = (
    "id", "status", "saved", "runs", "root_seed", "scenario", "scenario_file", "scenario_sha256",
    "diplosim_version", "started", "finished", "model_key", "mechanisms", "params", "environment", "meta",
)


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


class StoreUsageError(DiplosimError):
    """A store command was given something it cannot use (exit status 2)."""


def raise_terminated(signum: int, frame: FrameType | None) -> None:
    """A SIGTERM handler: raise `Terminated` where the program is."""
    raise Terminated()


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` (in the main thread only)."""
    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _open(path: str) -> RunStore:
    check_output(path, folder=True, file=True)  # a pipe, a device, a loop of links: one line
    try:
        return RunStore(path, create=False)
    except FileNotFoundError as exc:
        raise StoreUsageError(f"{exc} (give the --store file or the --out directory of a run)") from exc


def cmd_runs(args: argparse.Namespace) -> int:
    """List the ensembles in a store."""
    with _open(args.store) as store:
        store.verify()  # a damaged store is refused here, not listed as if it were whole
        rows = store.ensembles()
    if args.json:
        print(to_json(rows), end="")
        return 0
    print(f"{'id':>4}  {'status':<11} {'saved/runs':>13}  {'seed':>6}  {'started':<25} {'scenario'}")
    for r in rows:
        done = f"{r['saved']}/{r['runs']}"
        print(f"{r['id']:>4}  {r['status']:<11} {done:>13}  {r['root_seed']:>6}  {r['started']:<25} "
              f"{r['scenario']} ({r['scenario_file']}, sha256 {r['scenario_sha256'][:12]}, "
              f"diplosim {r['diplosim_version']})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write replication rows (or provenance) as CSV or Parquet."""
    with _open(args.store) as store:
        known = [e["id"] for e in store.ensembles()]
        ids = args.ensemble or known
        unknown = sorted(set(ids) - set(known))
        if unknown:
            raise StoreUsageError(f"no ensemble {unknown[0]} in {store.path} (it holds {known or 'none'})")
        if args.provenance:
            rows: list[dict[str, Any]] = [
                {c: _flat(e[c]) for c in PROVENANCE_COLUMNS}
                for e in store.ensembles() if e["id"] in ids
            ]
        else:
            rows = store.rows(ids)
    fmt = args.format or export_format(args.to)
    if args.to:
        WRITERS[fmt](rows, Path(args.to))
    elif fmt == "csv":
        sys.stdout.write(csv_text(rows))
    else:
        raise StoreUsageError(f"{fmt} output needs --to FILE")
    if args.to:
        print(f"wrote {len(rows)} rows to {args.to}", file=sys.stderr)
    return 0


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows as a CSV file."""
    write_atomic(path, csv_text(rows))


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows as a Parquet file (needs pyarrow)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise StoreUsageError("Parquet output needs pyarrow: pip install 'diplosim[parquet]'") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pylist(rows), tmp)
    tmp.replace(path)  # atomic, like every other output file


WRITERS = {"csv": write_csv, "parquet": write_parquet}
"""Export format -> the function that writes rows to a file in it (add a format here)."""
EXPORT_FORMATS = {f".{fmt}": fmt for fmt in WRITERS}
"""File ending -> export format."""


def export_format(to: str | None) -> str:
    """The format `--to FILE` asks for by its ending (CSV on stdout without --to); refuse any other ending."""
    if to is None:
        return "csv"
    suffix = Path(to).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise StoreUsageError(f"export: cannot write '{suffix or Path(to).name}' files; --to takes a file ending in "
                              f"{' or '.join(EXPORT_FORMATS)} (or give --format {'|'.join(WRITERS)})")
    return EXPORT_FORMATS[suffix]


def _flat(value: Any) -> Any:
    """A table cell: nested values as compact JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def add_store_commands(sub: Any) -> None:
    """Add `runs` and `export` to the CLI's subcommands."""
    where = f"a run store file, or the --out directory holding {STORE_NAME}"
    p = sub.add_parser("runs", help="list the ensembles in a run store")
    p.add_argument("store", help=where)
    p.add_argument("--json", action="store_true", help="print JSON (with parameters and environment)")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("export", help=f"write stored replications as {' or '.join(WRITERS)}")
    p.add_argument("store", help=where)
    p.add_argument("--ensemble", type=int, action="append", metavar="ID",
                   help="only this ensemble (repeatable; default: all)")
    p.add_argument("--to", metavar="FILE",
                   help=f"output file ({' or '.join(EXPORT_FORMATS)}; default: CSV on stdout)")
    p.add_argument("--format", choices=tuple(WRITERS), help="output format (default: from --to)")
    p.add_argument("--provenance", action="store_true",
                   help="export one row per ensemble (its provenance) instead of the replications")
    p.set_defaults(func=cmd_export)
