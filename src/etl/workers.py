"""A pool of worker processes for the CPU-bound stage (page parsing).

Parsing is pure Python, so threads contend for one interpreter lock; worker processes
let batches use every core. The pool starts on first use and is reused by every batch;
'forkserver' avoids forking a process that runs Prefect's threads.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from etl.pipeline import Extracted, extract_batch


def worker_count() -> int:
    """Worker processes in the pool: one per core, at most 8. Also how many batch tasks the
    flow keeps in flight, so that every worker has a batch."""
    return max(1, min(os.cpu_count() or 1, 8))


@cache
def _pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(worker_count(), mp_context=multiprocessing.get_context("forkserver"))
    atexit.register(pool.shutdown)
    return pool


def extract_batch_in_worker(root: Path, paths: list[str]) -> Extracted:
    """`extract_batch`, run in a worker process."""
    return _pool().submit(extract_batch, root, paths).result()
