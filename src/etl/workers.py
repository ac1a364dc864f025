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


@cache
def _pool() -> ProcessPoolExecutor:
    workers = max(1, min(os.cpu_count() or 1, 8))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
    atexit.register(pool.shutdown)
    return pool


def extract_batch_in_worker(root: Path, paths: list[str]) -> Extracted:
    """`extract_batch`, run in a worker process."""
    return _pool().submit(extract_batch, root, paths).result()
