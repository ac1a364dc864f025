"""The build flow: captures in, one published release out. Orchestration only.

Tasks work on batches of files; the stage logic is in `etl.pipeline`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from etl import catalog, contribution, pipeline, publish
from etl.sources import list_source_files
from etl.workers import extract_batch_in_worker, worker_count

# Stage tables are large and rebuilt every run: Prefect must not hash or cache them.
stage = task(cache_policy=NO_CACHE)


@stage
def list_files(source: Path) -> list[str]:
    return list_source_files(source)


@stage
def extract(source: Path, paths: list[str]) -> pipeline.Extracted:
    return extract_batch_in_worker(source, paths)


@stage
def read_contributions(accepted: Path) -> pipeline.Extracted:
    return contribution.accepted_extracted(accepted, contribution.default_limits())


@stage
def assemble(batches: list[pipeline.Extracted]) -> pipeline.Release:
    return pipeline.assemble_release(pipeline.combine_batches(batches))


@stage
def write(release: pipeline.Release, output: Path, version: str) -> Path:
    return publish.write_release(release.tables, output, version)


@stage
def refresh_catalog(output: Path) -> list[Path]:
    return catalog.write_catalog(output)


# One batch in flight per worker process: each task hands its batch to the pool (etl.workers).
@flow(name="build-release", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=worker_count()))
def build_release(source: Path, output: Path, version: str, batch_size: int = 500,
                  contributions: Path | None = None) -> dict:
    """Build release `version` of the package from the captures under `source` and the
    accepted contributions in `contributions` (none when it is None or missing)."""
    logger = get_run_logger()
    paths = list_files(source)
    batches = pipeline.batches(paths, batch_size)
    logger.info("extracting %d files in %d batches", len(paths), len(batches))
    extracted = extract.map(unmapped(source), batches).result()
    if contributions is not None:
        extracted.append(read_contributions(contributions))
    release = assemble(extracted)
    logger.info("assembled %s", ", ".join(f"{k}={v}" for k, v in release.counts.items()))
    path = write(release, output, version)
    logger.info("published %s", path)
    # The release is in place whatever happens to its catalog, which `etl catalog` can rewrite.
    refreshed = refresh_catalog(output, return_state=True)
    if refreshed.is_failed():
        logger.warning("the catalog was not refreshed (%s); run `etl catalog`", refreshed.message)
    return {**release.counts, "release": str(path)}
