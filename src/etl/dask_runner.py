"""Running the parsing stage on a dask.distributed cluster (`etl build --task-runner dask`).

Prefect's DaskTaskRunner (prefect-dask) submits the stage's batch tasks to the cluster: an
existing scheduler at `address` (started by dask-jobqueue, on Kubernetes, or by hand with
`dask scheduler` and `dask worker`), or, without an address, a LocalCluster of worker
processes started for the run and stopped after it.

Workers report their task runs to the flow's Prefect API: every process must reach the same
server, or each starts an ephemeral server of its own. The runner is made inside the flow,
where the API URL is known, and that URL is put in the environment LocalCluster workers
inherit; for a remote cluster, start the workers with PREFECT_API_URL set to the server.
Workers read captures by path, so a remote cluster needs the source folder on shared storage.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class DaskOptions:
    address: str | None = None  # tcp://HOST:PORT of a scheduler; None: a LocalCluster
    workers: int = 2  # processes of the LocalCluster


# The other protocols of dask.distributed's comm layer.
DASK_SCHEMES = ("inproc", "ucx", "ws", "wss")


def scheduler_problem(address: str, timeout: float = 5.0) -> str | None:
    """Why the Dask scheduler at `address` (tcp://HOST:PORT or tls://HOST:PORT) cannot be
    reached, or None; Dask's other protocols are left to Dask. Checked before a build starts
    Prefect."""
    scheme, _, rest = address.partition("://")
    if scheme in DASK_SCHEMES:
        return None
    if scheme not in ("tcp", "tls"):
        return (f"--dask-address {address} is no Dask scheduler address: use tcp://HOST:PORT "
                f"(or {', '.join(s + '://' for s in ('tls', *DASK_SCHEMES))})")
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        return f"--dask-address {address} is not tcp://HOST:PORT"
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        return f"cannot reach the Dask scheduler at {address}: {err.strerror or err}"
    return None


def dask_runner(options: DaskOptions):
    """A DaskTaskRunner for the options, with LocalCluster workers pointed at this flow's API."""
    from prefect.client.orchestration import get_client
    from prefect_dask import DaskTaskRunner

    if options.address:
        return DaskTaskRunner(address=options.address)
    with get_client(sync_client=True) as client:  # the ephemeral server's address too
        os.environ["PREFECT_API_URL"] = str(client.api_url).rstrip("/")
    return DaskTaskRunner(cluster_kwargs={"n_workers": options.workers, "processes": True,
                                          "threads_per_worker": 1, "dashboard_address": None})
