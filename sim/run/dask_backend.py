"""Running an ensemble's chunks on a Dask distributed cluster (optional extra ``diplosim[dask]``).

The model is scattered to every worker once; each task is one chunk of
replication indices and returns the packed results, exactly as a local pool
worker does. Replication i still draws from ``replication_rng(seed, i)``, so a
cluster gives the same ensemble as one machine.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from typing import Any

from ..errors import DiplosimError, MissingExtra, excerpt
from ..model.engine import Model

INSTALL_HINT = "running on a Dask cluster needs the optional extra: pip install 'diplosim[dask]'"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingExtra(INSTALL_HINT) from exc
    return distributed


CONNECT_TIMEOUT_S = 10
"""Seconds to reach the scheduler before giving up with a clear message."""


class SchedulerUnreachable(DiplosimError):
    """The Dask scheduler named by --scheduler could not be reached."""


SCHEDULER_ADDRESS = re.compile(r"^([a-z]+://)?[A-Za-z0-9.\-_\[\]:]+:\d{1,5}$")
"""What a scheduler address looks like: [protocol://]host:port."""


def dask_client(scheduler: str) -> Any:
    """A client of the cluster at `scheduler` (close it when done), or `SchedulerUnreachable`."""
    if not SCHEDULER_ADDRESS.match(scheduler):
        # checked first: a client made from a malformed address is left half-built and hangs on exit
        raise SchedulerUnreachable(f"--scheduler: '{excerpt(scheduler)}' is not a scheduler address "
                                   "(expected [tcp://]HOST:PORT, e.g. tcp://127.0.0.1:8786)")
    distributed = _distributed()
    try:
        return distributed.Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise SchedulerUnreachable(f"--scheduler: cannot reach a Dask scheduler at '{scheduler}' "
                                   f"within {CONNECT_TIMEOUT_S} s ({type(exc).__name__})") from None


def dask_run(client: Any, model: Model, seed: int, chunks: Sequence[list[int]]
             ) -> Generator[list[tuple[Any, ...]], None, None]:
    """Run `chunks` on `client`'s cluster; yield each chunk's results as it finishes."""
    distributed = _distributed()
    from .parallel import run_chunk

    shared = client.scatter(model, broadcast=True)
    # pure=False: two chunks are never the same task, even with equal arguments
    futures = [client.submit(run_chunk, shared, seed, chunk, pure=False) for chunk in chunks]
    try:
        for future in distributed.as_completed(futures, loop=client.loop):
            yield future.result()
    finally:
        client.cancel(futures)


def dask_chunks(model: Model, seed: int, chunks: Sequence[list[int]], scheduler: str
                ) -> Generator[list[tuple[Any, ...]], None, None]:
    """Run `chunks` on the cluster at `scheduler`; yield each chunk's results as it finishes."""
    client = dask_client(scheduler)
    try:
        yield from dask_run(client, model, seed, chunks)
    finally:
        client.close()
