"""The build flow: captures in, one published release out. Orchestration only.

The order of the stages is `etl.build`'s; here each stage runs as a Prefect task, and the
parsing batches are mapped over the flow's task runner (each task hands its batch to the
process pool of etl.workers) or, with `task_runner='dask'`, over a Dask cluster.
"""


from functools import cache
from pathlib import Path
from typing import Any, Callable

from prefect import Task, flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from etl import build, pipeline
from etl.config import DEFAULT_BATCH_SIZE
from etl.dask_runner import DaskOptions, dask_runner
from etl.progress import Progress
from etl.sources import Source
from etl.workers import batches_in_flight, extract_batch_in_worker


@cache
def as_task(stage: Callable) -> Task:
    # Stage tables are large and rebuilt every run: Prefect must not hash or cache them.
    return task(stage, name=stage.__name__, cache_policy=NO_CACHE)


extract = task(extract_batch_in_worker, name="extract", cache_policy=NO_CACHE)


def quoted(batches: list[list[str]]) -> list[quote]:
    """Each batch of paths as a task argument that Prefect does not walk: it would look at
    each of a batch's thousands of paths for futures, twice per task run (0.67 s of CPU for
    the 37 batches of 2,000 paths of a 100,000-document build). Not for the Dask task
    runner, which hands the annotation itself to the task."""
    return [quote(batch) for batch in batches]


@task(cache_policy=NO_CACHE)
def extract_on_worker(source: Source, paths: list[str]) -> pipeline.Extracted:
    """A batch parsed in the Dask worker that runs this task (a process of its own)."""
    return pipeline.extract_batch(source, paths)


@flow(name="extract-on-dask", log_prints=False)
def extract_on_dask(source: Source, batches: list[list[str]]) -> list[pipeline.Extracted]:
    """The parsing stage on a dask.distributed cluster; `PrefectStages` gives it its task runner."""
    futures = extract_on_worker.map(unmapped(source), batches)
    return [f.result() for f in futures]


class PrefectStages:
    """etl.build's stages as tasks of the running flow."""

    orchestrator = "prefect"

    def __init__(self, dask: DaskOptions | None = None):
        self.dask = dask

    def run(self, stage: Callable[..., Any], *args: Any) -> Any:
        # quote(): Prefect need not walk the arguments (tables, the manifest's list of every
        # input file) for futures; they are plain values.
        return as_task(stage)(*map(quote, args))

    def parse(self, source: Source, batches: list[list[str]], progress: Progress) -> list[pipeline.Extracted]:
        if self.dask is not None:
            return extract_on_dask.with_options(task_runner=dask_runner(self.dask))(source, batches)
        futures = extract.map(unmapped(source), quoted(batches))
        build.report_parsing((futures.index(f) for f in as_completed(futures)), batches, progress)
        return [f.result() for f in futures]

    def run_optional(self, stage: Callable[..., Any], *args: Any) -> str | None:
        state = as_task(stage)(*map(quote, args), return_state=True)
        return str(state.message) if state.is_failed() else None

    def log(self, message: str) -> None:
        get_run_logger().info("%s", message)


def _record_failure(flow, flow_run, state) -> None:
    """on_failure hook: a failed run leaves its manifest too (outcome 'failed', and why)."""
    build.record_failure(Path(flow_run.parameters["output"]), str(state.message))


@flow(name="build-release", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=batches_in_flight()),
      on_failure=[_record_failure])
def build_release(source: Source, output: Path, version: str | None = None,
                  batch_size: int = DEFAULT_BATCH_SIZE, contributions: Path | None = None,
                  cache_dir: Path | None = None, force: bool = False,
                  max_rejected_share: float | None = None, task_runner: str = "processes",
                  dask_address: str | None = None, dask_workers: int = 2) -> dict:
    """Build a release of the captures under `source` and the accepted contributions in
    `contributions` (none when None or missing), unless nothing changed since the latest
    release (`force` builds anyway). `version` defaults to today's date; `cache_dir` holds
    the extraction cache (None: no cache). `task_runner` 'dask' parses on the Dask scheduler at
    `dask_address`, or on a LocalCluster of `dask_workers` processes when no address is given;
    'processes' (the default) parses in this machine's process pool."""
    dask = DaskOptions(dask_address, dask_workers) if task_runner == "dask" else None
    request = build.BuildRequest(source, output, version, batch_size, contributions, cache_dir, force,
                                 max_rejected_share)
    return build.build(PrefectStages(dask), request)
