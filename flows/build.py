"""The build flow: captures in, one published release out. Orchestration only.

Tasks work on batches of files; the stage logic is in `etl.pipeline` and the modules it
names. A run hashes its inputs first: when they, the code and the schemas are those of the
latest release, it publishes nothing and says so. Otherwise captures already in the
extraction cache (etl.cache) are not parsed again.
"""


import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from etl import cache, catalog, contribution, manifest, pipeline, publish, quality
from etl.config import settings
from etl.dask_runner import DaskOptions, dask_runner
from etl.inputs import Inputs, read_inputs
from etl.progress import Progress
from etl.sources import Source, source_location
from etl.stopwatch import Stopwatch
from etl.workers import batches_in_flight, extract_batch_in_worker

# Stage tables are large and rebuilt every run: Prefect must not hash or cache them.
stage = task(cache_policy=NO_CACHE)


@stage
def take_inventory(source: Source, contributions: Path | None, cache_dir: Path | None) -> Inputs:
    return read_inputs(source, contributions, cache_dir)


@stage
def from_cache(folder: Path | None, inputs: Inputs) -> tuple[pipeline.Extracted, list[str]]:
    if folder is None:
        return pipeline.extracted(), inputs.sources.get_column("path").to_list()
    return cache.cached_extraction(folder, inputs.sources)


@stage
def extract(source: Source, paths: list[str]) -> pipeline.Extracted:
    return extract_batch_in_worker(source, paths)


@stage
def fill_cache(folder: Path, parsed: list[pipeline.Extracted]) -> None:
    """What this build parsed, added to the cache as one segment (one write, not one per batch:
    a build killed while parsing leaves the cache as it was, and parses again next time)."""
    cache.store(folder, pipeline.combine_batches(parsed))


@stage
def extract_on_worker(source: Source, paths: list[str]) -> pipeline.Extracted:
    """A batch parsed in the Dask worker that runs this task (a process of its own)."""
    return pipeline.extract_batch(source, paths)


@flow(name="extract-on-dask", log_prints=False)
def extract_on_dask(source: Source, batches: list[list[str]]) -> list[pipeline.Extracted]:
    """The parsing stage on a dask.distributed cluster; `build_release` gives it its task runner."""
    futures = extract_on_worker.map(unmapped(source), batches)
    return [f.result() for f in futures]


@stage
def read_contributions(accepted: Path) -> pipeline.Extracted:
    return contribution.accepted_extracted(accepted, contribution.default_limits())


@stage
def assemble(batches: list[pipeline.Extracted]) -> pipeline.Release:
    return pipeline.assemble_release(pipeline.combine_batches(batches))


@stage
def check_rejections(release: pipeline.Release, limit: float) -> None:
    problems = quality.excessive_rejections(release.tables, limit, settings().min_records_for_share)
    if problems:
        raise publish.ReleaseError("too many records rejected, so nothing was published:\n  "
                                   + "\n  ".join(problems))


@stage
def write(release: pipeline.Release, output: Path, version: str) -> Path:
    return publish.write_release(release.tables, output, version)


@stage
def record_run(output: Path, run: dict) -> Path:
    return manifest.write_manifest(output, run)


def _record_run(output: Path, run: dict) -> Path:
    # quote(): the manifest lists every input file; Prefect need not walk it for dependencies.
    return record_run(output, quote(run))


@stage
def refresh_catalog(output: Path) -> list[Path]:
    return catalog.write_catalog(output)


@stage
def compact_cache(folder: Path, inputs: Inputs) -> bool:
    return cache.compact(folder, inputs.sources)


def _record_failure(flow, flow_run, state) -> None:
    """on_failure hook: a failed run leaves its manifest too (outcome 'failed', and why)."""
    output = Path(flow_run.parameters["output"])
    manifest.write_manifest(output, manifest.run_manifest(
        "failed", None, manifest.utc_now(), {}, error=str(state.message)[:2000]))


def _extract_all(source: Source, batches: list[list[str]], progress: Progress) -> list[pipeline.Extracted]:
    """Run the extraction batches, reporting each as it finishes."""
    futures = extract.map(unmapped(source), batches)
    total, done = sum(map(len, batches)), 0
    for future in as_completed(futures):
        done += len(batches[futures.index(future)])
        progress.update("extracting", done, total)
    if batches:
        progress.finish(f"extracted {total:,} files in {len(batches)} batches")
    return [f.result() for f in futures]


def extract_inputs(source: Source, inputs: Inputs, cache_dir: Path | None, batch_size: int,
                   contributions: Path | None, dask: DaskOptions | None = None
                   ) -> tuple[list[pipeline.Extracted], int]:
    """(every input's extraction: from the cache, parsed now, and the contributions;
    how many files were parsed now). Runs inside a flow; parses on Dask when `dask` is given."""
    cache_folder = cache.cache_folder(cache_dir) if cache_dir is not None else None
    with cache.locked(cache_folder) if cache_folder else nullcontext():
        cached, missing = from_cache(cache_folder, inputs)
        batches = pipeline.batches(missing, batch_size, 4 * batches_in_flight()) if missing else []
        get_run_logger().info("%d files: %d from the cache, %d to extract in %d batches", inputs.sources.height,
                              inputs.sources.height - len(missing), len(missing), len(batches))
        if dask is None:
            parsed = _extract_all(source, batches, Progress(sys.stderr))
        else:
            parsed = extract_on_dask.with_options(task_runner=dask_runner(dask))(source, batches) if batches else []
        if cache_folder is not None and parsed:
            fill_cache(cache_folder, parsed)
        extracted = [cached, *parsed]
    if contributions is not None:
        extracted.append(read_contributions(contributions))
    return extracted, len(missing)


def tidy_cache(cache_dir: Path | None, inputs: Inputs) -> None:
    if cache_dir is not None:
        folder = cache.cache_folder(cache_dir)
        with cache.locked(folder):
            compact_cache(folder, inputs)


# Each extraction task hands its batch to the process pool (etl.workers) and waits for it.
@flow(name="build-release", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=batches_in_flight()),
      on_failure=[_record_failure])
def build_release(source: Source, output: Path, version: str | None = None, batch_size: int = 2000,
                  contributions: Path | None = None, cache_dir: Path | None = None, force: bool = False,
                  max_rejected_share: float | None = None, task_runner: str = "processes",
                  dask_address: str | None = None, dask_workers: int = 2) -> dict:
    """Build a release of the captures under `source` and the accepted contributions in
    `contributions` (none when None or missing), unless nothing changed since the latest
    release (`force` builds anyway). `version` defaults to today's date; `cache_dir` holds
    the extraction cache (None: no cache). `task_runner` 'dask' parses on the Dask scheduler at
    `dask_address`, or on a LocalCluster of `dask_workers` processes when no address is given;
    'processes' (the default) parses in this machine's process pool."""
    logger = get_run_logger()
    started, clock, source = manifest.utc_now(), Stopwatch(), source_location(source)
    with publish.build_lock(output):
        with clock("inventory"):
            inputs = take_inventory(source, contributions, cache_dir)
        same = manifest.unchanged_release(output, inputs.fingerprint)
        if same and not force:
            logger.info("no changes since release %s", same)
            _record_run(output, manifest.run_manifest("no-changes", inputs.fingerprint, started, clock.seconds,
                                                      release=same))
            return {"outcome": "no-changes", "release": same}
        version = version or publish.next_version(output / settings().package_name, dt.date.today())
        with clock("extract"):
            dask = DaskOptions(dask_address, dask_workers) if task_runner == "dask" else None
            extracted, parsed = extract_inputs(source, inputs, cache_dir, batch_size, contributions, dask)
        release = assemble(extracted)
        clock.seconds.update(release.seconds)
        logger.info("assembled %s", ", ".join(f"{k}={v}" for k, v in release.counts.items()))
        check_rejections(release, settings().max_rejected_share if max_rejected_share is None
                         else max_rejected_share)
        previous = publish.latest_release(output / settings().package_name)
        with clock("publish"):
            path = write(release, output, version)
        logger.info("published %s", path)
        _record_run(output, manifest.run_manifest(
            "published", inputs.fingerprint, started, clock.seconds, version=version,
            previous=previous.name if previous else None,
            inputs=manifest.inputs_section(inputs.sources, inputs.contributions, source, contributions),
            counts=manifest.stage_counts(release.tables, inputs.sources.height - parsed, parsed)))
        # The release is in place whatever happens next; `etl catalog` can rewrite the catalog.
        refreshed = refresh_catalog(output, return_state=True)
        if refreshed.is_failed():
            logger.warning("the catalog was not refreshed (%s); run `etl catalog`", refreshed.message)
        tidy_cache(cache_dir, inputs)
    return {"outcome": "published", **release.counts, "release": str(path), "version": version}
