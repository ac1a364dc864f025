"""A build without Prefect (etl.build.InProcess): the same release as the flow's, chosen by
`etl build` for small updates of a release, and recorded like any other run."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl import build, cache, publish
from etl.config import settings

PACKAGE = settings().package_name
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


def _release_bytes(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


def _run(output: Path, version: str) -> dict:
    return json.loads((output / PACKAGE / "runs" / f"{version}.json").read_text("utf-8"))


def test_in_process_and_the_flow_publish_byte_identical_releases(prefect_server, samples_dir, tmp_path):
    from flows.build import build_release

    none = tmp_path / "no-contributions"
    by_flow = build_release(samples_dir, tmp_path / "flow", "1", batch_size=8, contributions=none)
    request = build.BuildRequest(samples_dir, tmp_path / "plain", "1", batch_size=8, contributions=none)
    in_process = build.build_in_process(request)
    assert {k: v for k, v in in_process.items() if k != "release"} == \
           {k: v for k, v in by_flow.items() if k != "release"}
    files = _release_bytes(Path(in_process["release"]))
    assert len(files) > 20 and files == _release_bytes(Path(by_flow["release"]))
    assert _run(tmp_path / "flow", "1")["orchestrator"] == "prefect"
    assert _run(tmp_path / "plain", "1")["orchestrator"] == "none"


def test_several_batches_in_process_are_parsed_in_the_worker_pool(samples_dir, tmp_path):
    one = build.build_in_process(build.BuildRequest(samples_dir, tmp_path / "one", "1", batch_size=1000,
                                                    contributions=tmp_path / "none"))
    many = build.build_in_process(build.BuildRequest(samples_dir, tmp_path / "many", "1", batch_size=3,
                                                     contributions=tmp_path / "none"))
    assert _release_bytes(Path(one["release"])) == _release_bytes(Path(many["release"]))


def test_a_failed_build_in_process_leaves_a_failed_manifest_and_no_release(samples_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "settings", lambda: dataclasses.replace(settings(), min_records_for_share=1))
    request = build.BuildRequest(samples_dir, tmp_path, "1", contributions=tmp_path / "none", max_rejected_share=0.0)
    with pytest.raises(publish.ReleaseError, match="too many records rejected"):
        build.build_in_process(request)
    assert not (tmp_path / PACKAGE / "1").exists()
    failed = [json.loads(p.read_text("utf-8")) for p in (tmp_path / PACKAGE / "runs").glob("*-failed.json")]
    assert len(failed) == 1 and "too many records rejected" in failed[0]["error"]


def test_an_update_is_small_when_the_cache_lacks_at_most_one_batch(samples_dir, tmp_path):
    from etl.inputs import read_inputs

    cache_dir, none = tmp_path / "cache", tmp_path / "none"
    inputs = read_inputs(samples_dir, none)
    assert not build.updates_in_process(inputs, cache_dir, 2000)  # an empty cache: a first build
    assert not build.updates_in_process(inputs, None, 2000)
    build.build_in_process(build.BuildRequest(samples_dir, tmp_path / "out", "1", contributions=none,
                                              cache_dir=cache_dir))
    assert build.updates_in_process(inputs, cache_dir, 2000)
    captures = tmp_path / "captures"
    shutil.copytree(samples_dir, captures)
    for i in range(3):
        text = (FIXTURES / "document_new" / "full_metadata.txt").read_text("utf-8")
        (captures / f"new-{i}.txt").write_text(text.replace("400123", f"40077{i}"), encoding="utf-8")
    more = read_inputs(captures, none)
    assert build.updates_in_process(more, cache_dir, 3)
    assert not build.updates_in_process(more, cache_dir, 2)  # more than one batch to parse


def _etl(api_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    return subprocess.run([sys.executable, "-m", "etl", "build", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_etl_build_runs_a_first_build_as_a_flow_and_a_small_update_in_process(prefect_server, samples_dir,
                                                                              tmp_path):
    captures, output = tmp_path / "captures", tmp_path / "out"
    shutil.copytree(samples_dir, captures)
    common = ["--source", str(captures), "--output", str(output), "--cache", str(tmp_path / "cache"),
              "--contributions", str(tmp_path / "none")]
    first = _etl(prefect_server, *common, "--version", "1")
    assert first.returncode == 0, first.stderr
    assert _run(output, "1")["orchestrator"] == "prefect"
    text = (FIXTURES / "document_new" / "full_metadata.txt").read_text("utf-8")
    (captures / "new.txt").write_text(text.replace("400123", "400888"), encoding="utf-8")
    update = _etl(prefect_server, *common, "--version", "2")
    assert update.returncode == 0, update.stderr
    assert _run(output, "2")["orchestrator"] == "none" and "Flow run" not in update.stderr
    assert _run(output, "2")["counts"]["extract"]["files_extracted"] == 1
    assert "rid-400888" in json.loads((output / PACKAGE / "2" / "changes.json").read_text("utf-8"))["added"]
    forced = _etl(prefect_server, *common, "--version", "3", "--force", "--orchestrator", "prefect")
    assert forced.returncode == 0, forced.stderr
    assert _run(output, "3")["orchestrator"] == "prefect"
    files = _release_bytes(output / PACKAGE / "3")
    assert {k: v for k, v in files.items() if k.startswith("data/")} == \
           {k: v for k, v in _release_bytes(output / PACKAGE / "2").items() if k.startswith("data/")}


def test_dask_needs_prefect(tmp_path, samples_dir):
    refused = subprocess.run([sys.executable, "-m", "etl", "build", "--source", str(samples_dir), "--output",
                              str(tmp_path), "--orchestrator", "none", "--task-runner", "dask"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "needs Prefect" in refused.stderr and "Traceback" not in refused.stderr


def test_an_inventory_taken_ahead_of_the_flow_is_used_once(samples_dir, tmp_path):
    none = tmp_path / "none"
    ahead = build.inventory_ahead(samples_dir, none, None)
    assert ahead.seconds > 0 and ahead.sources.height > 20
    assert build.take_inventory(samples_dir, none, None) is ahead
    again = build.take_inventory(samples_dir, none, None)
    assert again is not ahead and again.fingerprint == ahead.fingerprint


def test_a_source_with_no_files_publishes_nothing(tmp_path):
    (tmp_path / "captures").mkdir()
    request = build.BuildRequest(tmp_path / "captures", tmp_path / "out", "1", contributions=tmp_path / "none")
    with pytest.raises(publish.ReleaseError, match="holds no files"):
        build.build_in_process(request)
    assert not (tmp_path / "out" / PACKAGE / "1").exists()


@pytest.mark.parametrize("damage", ["remove", "garbage", "cut"])
def test_a_damaged_cache_segment_is_passed_over_and_the_release_is_the_same(samples_dir, tmp_path, damage):
    cache_dir, none = tmp_path / "cache", tmp_path / "none"
    request = build.BuildRequest(samples_dir, tmp_path / "out", "1", contributions=none, cache_dir=cache_dir)
    first = build.build_in_process(request)
    tables = sorted(cache_dir.glob("*/*/*.arrow")) + sorted(cache_dir.glob("checked/*/*/*.arrow"))
    assert len(tables) > 6
    for table in tables[1::3]:  # tables of the extraction cache and of the checked records cache
        if damage == "remove":
            table.unlink()
        else:
            table.write_bytes(b"garbage" if damage == "garbage" else table.read_bytes()[:40])
    again = build.build_in_process(dataclasses.replace(request, version="2", force=True))
    data = {k: v for k, v in _release_bytes(Path(first["release"])).items() if k.startswith("data/")}
    assert data == {k: v for k, v in _release_bytes(Path(again["release"])).items() if k.startswith("data/")}
    extraction_cache = next(p for p in cache_dir.iterdir() if p.is_dir() and p.name != "checked")
    assert cache.segments(extraction_cache)  # the build stored what it parsed again
