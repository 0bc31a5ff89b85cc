"""The Dask cluster long work runs on when the user gives none.

Model searches, cross-validation folds and fits of many tables are independent tasks run
with ``dask.distributed``. A user's ``Client`` (a remote scheduler, Kubernetes, a HPC
queue: any Dask deployment) is used as given; without one the kit starts a
:class:`~distributed.LocalCluster` of processes with one thread each, once per kernel,
and reuses it. The kit's client is not made the kernel's default, so it never captures
the user's own Dask work.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from mmm_widgets.errors import FitError, problem

_LOCK = threading.Lock()
_LOCAL: dict[int, Any] = {}


def default_workers() -> int:
    """Processes of the local cluster: one per CPU."""
    return max(1, os.cpu_count() or 1)


def local_client(workers: int | None = None) -> Any:
    """A client of the kit's local cluster of ``workers`` processes (started on first use).

    Parameters
    ----------
    workers : int, optional
        Worker processes, one thread each; default :func:`default_workers`.

    Returns
    -------
    distributed.Client

    Raises
    ------
    FitError
        When the workers cannot start, saying what to change.
    """
    from distributed import Client, LocalCluster

    count = workers or default_workers()
    with _LOCK:
        client = _LOCAL.get(count)
        if client is None or client.status != "running":
            try:
                cluster = LocalCluster(n_workers=count, threads_per_worker=1,
                                       processes=True, dashboard_address=":0")
            except RuntimeError as error:
                raise FitError(problem(
                    f"The local Dask cluster could not start its workers ({error}).",
                    "In a Python script, put the code under `if __name__ == '__main__':` "
                    "(the workers are new processes that import the script), or pass "
                    "client= a cluster you started.")) from error
            client = Client(cluster, set_as_default=False)
            if not _LOCAL:
                atexit.register(close_local)
            _LOCAL[count] = client
        return client


def close_local() -> None:
    """Stop the kit's local clusters (they also stop when the kernel exits)."""
    with _LOCK:
        for client in _LOCAL.values():
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
        _LOCAL.clear()


def client_lines(name: str, workers: int) -> list[str]:
    """Exported code binding ``name`` to the kernel's Dask client, else a new local cluster.

    ``get_client()`` is the cluster the kernel is connected to (a ``Client`` the user made,
    or the one the kit runs the cell under with ``client.as_current()``); without one the
    cell starts a ``LocalCluster`` of ``workers`` processes with one thread each.
    """
    return ["try:",
            f"    {name} = get_client()  # the Dask cluster this kernel is connected to",
            "except ValueError:",
            f"    {name} = Client(LocalCluster(n_workers={int(workers)}, threads_per_worker=1))"]


#: The import the lines of :func:`client_lines` need.
CLIENT_IMPORT = "from dask.distributed import Client, LocalCluster, get_client"


def worker_pids(client: Any) -> dict[str, int]:
    """Each worker's process id, by worker address (to watch or stop a worker)."""
    return client.run(os.getpid)
