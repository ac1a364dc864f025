"""Run manifests: what each run read, did and published, beside the releases.

    OUTPUT/<package>/runs/<version>.json             a run that published release <version>
    OUTPUT/<package>/runs/<UTC time>-<outcome>.json  a run that published nothing
                                                     (outcome: no-changes or failed)

A manifest records the inputs (every source file with its sha256, and the contributions),
the fingerprint of inputs, code and schemas (etl.inputs), counts per stage, seconds per
stage, and the versions of code and schemas. It is a record of a run, not part of the
release: it holds wall-clock times, which a release never does, and it is written after
the release is in place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import polars as pl

from etl.config import settings
from etl.inputs import code_versions
from etl.jsontext import readable_json

MANIFEST_FORMAT = 1
RUNS_FOLDER = "runs"


def runs_dir(output: Path) -> Path:
    return output / settings().package_name / RUNS_FOLDER


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stage_counts(tables: dict[str, pl.DataFrame], cache_hits: int, extracted_files: int) -> dict[str, dict]:
    """Counts per stage: files read, records made and rejected at each stage, rows published."""
    quarantine = tables["quarantine"]
    rejected = {row["stage"]: row["len"] for row in
                quarantine.unique(["source_id", "position", "stage"]).group_by("stage").len().to_dicts()}
    sources = tables["sources"]
    return {
        "inventory": {"files": sources.height, "bytes": int(sources.get_column("bytes").sum())},
        "extract": {"files_from_cache": cache_hits, "files_extracted": extracted_files,
                    "records": int(sources.get_column("records").sum()), "rejected": rejected.get("extract", 0)},
        "validate": {"rejected": rejected.get("validate", 0)},
        "normalise": {"rejected": rejected.get("normalise", 0)},
        "dedup": {"rejected": rejected.get("dedup", 0), "documents": tables["documents"].height},
        "publish": {"rows": {name: table.height for name, table in tables.items()}},
    }


def inputs_section(sources: pl.DataFrame, contributions: pl.DataFrame, source: Path | str,
                   contributions_dir: Path | None) -> dict:
    return {
        "source": str(source),
        "contributions": str(contributions_dir) if contributions_dir else None,
        "files": sources.height,
        "bytes": int(sources.get_column("bytes").sum()),
        "source_files": sources.select("path", "sha256", "bytes").to_dicts(),
        "contribution_files": contributions.select("path", "sha256", "bytes").to_dicts(),
    }


def run_manifest(outcome: str, fingerprint: str, started: str, seconds: dict[str, float], **details) -> dict:
    """A manifest: outcome, fingerprint, times, code versions and whatever the run adds."""
    return {
        "manifest_format": MANIFEST_FORMAT,
        "outcome": outcome,
        "started": started,
        "finished": utc_now(),
        "seconds": {stage: round(s, 3) for stage, s in seconds.items()},
        "fingerprint": fingerprint,
        "code": code_versions(),
        **details,
    }


def no_changes_manifest(fingerprint: str, started: str, seconds: dict[str, float], release: str,
                        orchestrator: str) -> dict:
    """The manifest of a run that found its inputs, code and schemas those of `release`."""
    return run_manifest("no-changes", fingerprint, started, seconds, release=release, orchestrator=orchestrator)


def write_manifest(output: Path, manifest: dict) -> Path:
    """Write the manifest under runs/ (named by its version, or by time and outcome); atomically."""
    folder = runs_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = manifest["finished"].replace(":", "").replace("-", "")
    name = manifest.get("version") if manifest["outcome"] == "published" else f"{stamp}-{manifest['outcome']}"
    path = folder / f"{name}.json"
    partial = folder / f".{name}.json.tmp"
    # Three levels: one input file a line.
    partial.write_text(readable_json(manifest, levels=3) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def release_manifest(output: Path, version: str) -> dict | None:
    """The manifest of the run that published `version`, if there is one."""
    path = runs_dir(output) / f"{version}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError:
        return None


def unchanged_release(output: Path, fingerprint: str) -> str | None:
    """The latest release's version when its run had this fingerprint: nothing to publish."""
    from etl.publish import latest_release

    latest = latest_release(output / settings().package_name)
    if latest is None:
        return None
    recorded = release_manifest(output, latest.name)
    return latest.name if recorded and recorded.get("fingerprint") == fingerprint else None
