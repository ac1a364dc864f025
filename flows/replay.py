"""The replay flow: the latest release's inputs through the current code, published nowhere.

Orchestration only: extraction is the build's (same cache, same tasks); the comparison
is `etl.replay`'s.
"""


from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from etl import build, manifest, replay
from etl.config import DEFAULT_BATCH_SIZE
from etl.sources import Source, source_location
from etl.workers import batches_in_flight
from flows.build import PrefectStages


def compare(release: Path, now: dict) -> dict:
    return replay.replay_report(release.name, replay.read_release_tables(release), now)


@flow(name="replay-quarantine", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=batches_in_flight()))
def replay_quarantine(release: Path, source: Source, output: Path, contributions: Path | None = None,
                      cache_dir: Path | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """Build `source` (and `contributions`) again without publishing, and follow every record
    that release folder `release` quarantined. Writes the report under runs/ and returns it."""
    started, source, stages = manifest.utc_now(), source_location(source), PrefectStages()
    inputs = stages.run(build.take_inventory, source, contributions, cache_dir)
    extracted, _ = build.extract_inputs(stages, source, inputs, cache_dir, batch_size, contributions)
    report = stages.run(compare, release, stages.run(build.assemble, extracted, cache_dir).tables)
    manifest.write_manifest(output, manifest.run_manifest("replay", inputs.fingerprint, started, {},
                                                          release=release.name, replay=report))
    build.tidy_cache(stages, cache_dir, inputs)
    return report
