"""A build, from captures to a published release: the order of the stages, written once for
the two ways a build runs.

`flows/build.py` runs it as a Prefect flow: each stage is a task, and the parsing batches
are mapped over the flow's task runner or a Dask cluster. `InProcess` runs the same stages
as plain calls in this process. `etl build` uses it for small updates (`updates_in_process`),
where Prefect's start (a temporary API server, 6 to 10 s on a two-core machine) would be most
of the run; scheduled runs and `--orchestrator prefect` always run the flow. Both give the same
release, byte for byte (tests/test_build_in_process.py), and both write the run manifest.

A run hashes its inputs first: when they, the code and the schemas are those of the latest
release, it publishes nothing and says so. Captures already in the extraction cache
(etl.cache) are not parsed again.
"""

from __future__ import annotations

import datetime as dt
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, TypeVar

from etl import cache, catalog, checked_cache, contribution, manifest, pipeline, publish, quality
from etl.config import DEFAULT_BATCH_SIZE, settings
from etl.inputs import Inputs, read_inputs
from etl.progress import Progress
from etl.sources import Source, source_location
from etl.stopwatch import Stopwatch
from etl.workers import batches_in_flight, extract_batch_in_worker

T = TypeVar("T")


@dataclass(frozen=True)
class BuildRequest:
    """What to build: the flow's parameters. `version` None: today's date; `cache_dir` None:
    no extraction cache; `max_rejected_share` None: the [tool.etl] setting."""

    source: Source
    output: Path
    version: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    contributions: Path | None = None
    cache_dir: Path | None = None
    force: bool = False
    max_rejected_share: float | None = None


class Stages(Protocol):
    """How a build's stages run: as Prefect tasks (flows/build.py) or as plain calls (InProcess)."""

    orchestrator: str  # recorded in the run manifest: "prefect" or "none"

    def run(self, stage: Callable[..., T], *args: Any) -> T:
        """Run one stage function on `args` and return its result."""

    def parse(self, source: Source, batches: list[list[str]], progress: Progress) -> list[pipeline.Extracted]:
        """Parse every batch of capture paths, in parallel where it can, reporting to `progress`."""

    def run_optional(self, stage: Callable[..., Any], *args: Any) -> str | None:
        """Run a stage whose failure must not fail the build; the failure's message, or None."""

    def log(self, message: str) -> None:
        """Say how the run is going (the flow's log, or standard error)."""


# --- the stages: plain functions, each a task of the flow ------------------------------------

# Inventories this process took ahead of its build, by what they are of: `etl build` hashes
# the inputs to tell "no changes" and to choose how to build, or, before a first release,
# while Prefect's temporary server starts; the build's first stage takes the result instead
# of hashing them again. (The flow's parameters are stored by Prefect: no place for tables.)
_taken_ahead: dict[tuple[Source, Path | None, Path | None], Inputs] = {}


def inventory_ahead(source: Source, contributions: Path | None, cache_dir: Path | None,
                    inputs: Inputs | None = None) -> Inputs:
    """Keep `inputs`, their inventory (taken now when None), for the next `take_inventory`
    of the same inputs in this process."""
    if inputs is None:
        inputs = read_inputs(source, contributions, cache_dir)
    _taken_ahead[(source, contributions, cache_dir)] = inputs
    return inputs


def take_inventory(source: Source, contributions: Path | None, cache_dir: Path | None) -> Inputs:
    ahead = _taken_ahead.pop((source, contributions, cache_dir), None)
    return ahead if ahead is not None else read_inputs(source, contributions, cache_dir)


def from_cache(folder: Path | None, inputs: Inputs) -> tuple[pipeline.Extracted, list[str]]:
    if folder is None:
        return pipeline.extracted(), inputs.sources.get_column("path").to_list()
    return cache.cached_extraction(folder, inputs.sources)


def fill_cache(folder: Path, parsed: list[pipeline.Extracted]) -> None:
    """What this build parsed, added to the cache as one segment (one write, not one per batch:
    a build killed while parsing leaves the cache as it was, and parses again next time)."""
    cache.store(folder, pipeline.combine_batches(parsed))


def read_contributions(accepted: Path) -> pipeline.Extracted:
    return contribution.accepted_extracted(accepted, contribution.default_limits())


def assemble(batches: list[pipeline.Extracted], cache_dir: Path | None) -> pipeline.Release:
    """The release's tables; records of captures checked by an earlier build with the same
    code are taken from the cache of checked records (etl.checked_cache) when there is a cache."""
    combined = pipeline.combine_batches(batches)
    if cache_dir is None:
        return pipeline.assemble_release(combined)
    with cache.locked(checked_cache.checked_folder(cache_dir)) as folder:
        return pipeline.assemble_release(combined, partial(checked_cache.checked_records, folder))


def check_rejections(release: pipeline.Release, limit: float) -> None:
    problems = quality.excessive_rejections(release.tables, limit, settings().min_records_for_share)
    if problems:
        raise publish.ReleaseError("too many records rejected, so nothing was published:\n  "
                                   + "\n  ".join(problems))


def write(release: pipeline.Release, output: Path, version: str) -> Path:
    return publish.write_release(release.tables, output, version)


def record_run(output: Path, run: dict) -> Path:
    return manifest.write_manifest(output, run)


def refresh_catalog(output: Path) -> list[Path]:
    return catalog.write_catalog(output)


def compact_cache(folder: Path, inputs: Inputs) -> bool:
    return cache.compact(folder, inputs.sources)


def record_failure(output: Path, message: str) -> Path:
    """The manifest of a run that failed (outcome 'failed', and why)."""
    return manifest.write_manifest(output, manifest.run_manifest(
        "failed", None, manifest.utc_now(), {}, error=message[:2000]))


# --- the order of the stages ----------------------------------------------------------------

def report_parsing(finished: Iterable[int], batches: list[list[str]], progress: Progress) -> None:
    """Report on `progress` as batches finish; `finished` yields each finished batch's index."""
    total, done = sum(map(len, batches)), 0
    for index in finished:
        done += len(batches[index])
        progress.update("extracting", done, total)
    if batches:
        progress.finish(f"extracted {total:,} files in {len(batches)} batches")


def extract_inputs(stages: Stages, source: Source, inputs: Inputs, cache_dir: Path | None, batch_size: int,
                   contributions: Path | None) -> tuple[list[pipeline.Extracted], int]:
    """(every input's extraction: from the cache, parsed now, and the contributions;
    how many files were parsed now)."""
    cache_folder = cache.cache_folder(cache_dir) if cache_dir is not None else None
    with cache.locked(cache_folder) if cache_folder else nullcontext():
        cached, missing = stages.run(from_cache, cache_folder, inputs)
        batches = pipeline.batches(missing, batch_size, 4 * batches_in_flight()) if missing else []
        stages.log(f"{inputs.sources.height} files: {inputs.sources.height - len(missing)} from the cache, "
                   f"{len(missing)} to extract in {len(batches)} batches")
        parsed = stages.parse(source, batches, Progress(sys.stderr)) if batches else []
        if cache_folder is not None and parsed:
            stages.run(fill_cache, cache_folder, parsed)
        extracted = [cached, *parsed]
    if contributions is not None:
        extracted.append(stages.run(read_contributions, contributions))
    return extracted, len(missing)


def tidy_cache(stages: Stages, cache_dir: Path | None, inputs: Inputs) -> None:
    if cache_dir is not None:
        folder = cache.cache_folder(cache_dir)
        with cache.locked(folder):
            stages.run(compact_cache, folder, inputs)


def build(stages: Stages, request: BuildRequest) -> dict:
    """Build a release of the request's captures and accepted contributions, unless nothing
    changed since the latest release (`force` builds anyway). Returns the outcome and counts."""
    started, clock = manifest.utc_now(), Stopwatch()
    source, output, cache_dir = source_location(request.source), request.output, request.cache_dir
    with publish.build_lock(output):
        with clock("inventory"):
            inputs = stages.run(take_inventory, source, request.contributions, cache_dir)
        # When it was taken ahead: the time that took, not the lookup's.
        clock.seconds["inventory"] = max(clock.seconds["inventory"], inputs.seconds)
        if inputs.sources.is_empty() and inputs.contributions.is_empty():
            # A harvest that came back empty must not publish a release that removes everything.
            raise publish.ReleaseError(f"{source} holds no files and there are no contributions: nothing to build")
        same = manifest.unchanged_release(output, inputs.fingerprint)
        if same and not request.force:
            stages.log(f"no changes since release {same}")
            run = manifest.no_changes_manifest(inputs.fingerprint, started, clock.seconds, same, stages.orchestrator)
            stages.run(record_run, output, run)
            return {"outcome": "no-changes", "release": same}
        version = request.version or publish.next_version(output / settings().package_name, dt.date.today())
        with clock("extract"):
            extracted, parsed = extract_inputs(stages, source, inputs, cache_dir, request.batch_size,
                                               request.contributions)
        release = stages.run(assemble, extracted, cache_dir)
        clock.seconds.update(release.seconds)
        stages.log("assembled " + ", ".join(f"{k}={v}" for k, v in release.counts.items()))
        limit = request.max_rejected_share
        stages.run(check_rejections, release, settings().max_rejected_share if limit is None else limit)
        previous = publish.latest_release(output / settings().package_name)
        with clock("publish"):
            path = stages.run(write, release, output, version)
        stages.log(f"published {path}")
        stages.run(record_run, output, manifest.run_manifest(
            "published", inputs.fingerprint, started, clock.seconds, version=version,
            previous=previous.name if previous else None, orchestrator=stages.orchestrator,
            inputs=manifest.inputs_section(inputs.sources, inputs.contributions, source, request.contributions),
            counts=manifest.stage_counts(release.tables, inputs.sources.height - parsed, parsed)))
        # The release is in place whatever happens next; `etl catalog` can rewrite the catalog.
        if failure := stages.run_optional(refresh_catalog, output):
            stages.log(f"the catalog was not refreshed ({failure}); run `etl catalog`")
        tidy_cache(stages, cache_dir, inputs)
    return {"outcome": "published", **release.counts, "release": str(path), "version": version}


# --- without Prefect ------------------------------------------------------------------------

class InProcess:
    """The stages as plain calls in this process. One batch is parsed here; more are parsed
    in the process pool (etl.workers), as the flow's tasks do."""

    orchestrator = "none"

    def run(self, stage: Callable[..., T], *args: Any) -> T:
        return stage(*args)

    def parse(self, source: Source, batches: list[list[str]], progress: Progress) -> list[pipeline.Extracted]:
        if len(batches) == 1:  # not worth starting the workers for
            parsed = [pipeline.extract_batch(source, batches[0])]
            report_parsing([0], batches, progress)
            return parsed
        with ThreadPoolExecutor(batches_in_flight()) as threads:
            futures = {threads.submit(extract_batch_in_worker, source, batch): i for i, batch in enumerate(batches)}
            report_parsing((futures[f] for f in as_completed(futures)), batches, progress)
        return [f.result() for f in futures]

    def run_optional(self, stage: Callable[..., Any], *args: Any) -> str | None:
        try:
            stage(*args)
        except Exception as err:  # noqa: BLE001 - the caller reports it; the release stands
            return f"{type(err).__name__}: {err}"
        return None

    def log(self, message: str) -> None:
        print(message, file=sys.stderr)


def build_in_process(request: BuildRequest) -> dict:
    """`build` without Prefect; a failed run leaves its manifest, as the flow's hook does."""
    try:
        return build(InProcess(), request)
    except Exception as err:
        record_failure(request.output, str(err))
        raise


def updates_in_process(inputs: Inputs, cache_dir: Path | None, batch_size: int) -> bool:
    """True when a build of `inputs` is a small update, best run without Prefect: the extraction
    cache holds every capture but at most one batch's worth (and at least as many as it lacks)."""
    if cache_dir is None:
        return False
    missing = cache.uncached_count(cache.cache_folder(cache_dir), inputs.sources)
    return missing <= min(batch_size, inputs.sources.height - missing)
