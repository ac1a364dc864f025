"""Distributed runs: the same build on a Dask LocalCluster of two worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path


def _data(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}


def test_a_build_on_a_dask_cluster_publishes_the_same_bytes_as_a_local_one(prefect_server, samples_dir, tmp_path):
    from flows.build import build_release

    none = tmp_path / "no-contributions"
    local = build_release(samples_dir, tmp_path / "local", "1", batch_size=5, contributions=none)
    on_dask = build_release(samples_dir, tmp_path / "dask", "1", batch_size=5, contributions=none,
                            task_runner="dask", dask_workers=2)
    assert on_dask["files"] == local["files"] == len(list(p for p in samples_dir.rglob("*") if p.is_file()))
    assert _data(Path(on_dask["release"])) == _data(Path(local["release"]))


def test_a_dask_address_without_the_dask_runner_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "etl", "build", "--output", str(tmp_path),
                             "--dask-address", "tcp://127.0.0.1:8786"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--task-runner dask" in result.stderr and "Traceback" not in result.stderr


def _zipped(folder: Path, archive: Path) -> str:
    """`folder` packed in a zip file; the fsspec URL of the folder inside it."""
    with zipfile.ZipFile(archive, "w") as packed:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            packed.write(path, f"captures/{path.relative_to(folder).as_posix()}")
    return f"zip://captures::{archive}"


def test_dask_workers_read_the_captures_through_an_fsspec_url(prefect_server, samples_dir, tmp_path):
    from flows.build import build_release

    none = tmp_path / "no-contributions"
    url = _zipped(samples_dir, tmp_path / "captures.zip")
    local = build_release(samples_dir, tmp_path / "local", "1", batch_size=5, contributions=none)
    from_url = build_release(url, tmp_path / "url", "1", batch_size=5, contributions=none,
                             task_runner="dask", dask_workers=2)
    assert from_url["files"] == local["files"]
    assert _data(Path(from_url["release"])) == _data(Path(local["release"]))
    recorded = json.loads((tmp_path / "url" / "wilson-digital-archive-korea" / "runs" / "1.json").read_text())
    assert recorded["inputs"]["source"] == url
