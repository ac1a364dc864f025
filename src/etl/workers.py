"""A pool of worker processes for the CPU-bound stage (page parsing).

Parsing is pure Python, so threads contend for one interpreter lock; worker processes
let batches use every core. The pool starts on first use (or on `start_pool`) and is
reused by every batch; 'forkserver' avoids forking a process that runs Prefect's threads.
A worker ends by itself when the process that started the pool is gone (a killed build
leaves no workers behind).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.util import Finalize

from etl.pipeline import Extracted, extract_batch
from etl.sources import Source

_pool_lock = threading.Lock()
_pool_instance: ProcessPoolExecutor | None = None
# How often a worker checks that the process that started the pool is still there.
_WATCH_SECONDS = 1.0


def worker_count() -> int:
    """Worker processes in the pool: one per core, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def batches_in_flight() -> int:
    """Batch tasks the flow runs at once: two per worker process, so that while one batch's
    task does Prefect's bookkeeping (and writes the cache), its worker parses the next one.
    Memory grows with it: each batch in flight holds its files' tables."""
    return 2 * worker_count()


def _start_worker(owner: int) -> None:
    """In a new worker: leave Ctrl-C to the process that owns the pool (it stops the pool),
    and exit as soon as that process no longer exists."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch(owner)


def _watch(owner: int) -> None:
    """In a worker: exit as soon as the process that started the pool no longer exists."""
    def watch() -> None:
        while True:
            time.sleep(_WATCH_SECONDS)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # another user's process took the number: ours is gone
                os._exit(1)

    threading.Thread(target=watch, name="etl-owner-watch", daemon=True).start()


def _ready() -> int:
    return os.getpid()


def _pool() -> ProcessPoolExecutor:
    """The one pool. The flow's first batch tasks ask for it at the same moment from
    several threads: the lock makes sure that they share one pool (and its workers)."""
    global _pool_instance
    with _pool_lock:
        if _pool_instance is None:
            _pool_instance = ProcessPoolExecutor(worker_count(),
                                                 mp_context=multiprocessing.get_context("forkserver"),
                                                 initializer=_start_worker, initargs=(os.getpid(),))
            # Stopped before multiprocessing waits for this process's children at its exit:
            # a process that is itself a multiprocessing child (Prefect runs each scheduled
            # flow run in one) would otherwise wait forever for the idle workers.
            Finalize(None, _pool_instance.shutdown, exitpriority=100)
        return _pool_instance


def start_pool() -> None:
    """Start the worker processes now, without waiting for them: a worker takes a second or
    two to start (imports), which a caller can overlap with other work (the inventory)."""
    pool = _pool()
    for _ in range(worker_count()):
        pool.submit(_ready)


def extract_batch_in_worker(root: Source, paths: list[str]) -> Extracted:
    """`extract_batch`, run in a worker process."""
    return _pool().submit(extract_batch, root, paths).result()
