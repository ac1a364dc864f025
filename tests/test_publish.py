"""Releases: byte-identical for the same inputs, immutable, never half-written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etl import pipeline, publish
from etl.sources import list_source_files


def _release_tables(source: Path) -> dict:
    extracted = pipeline.extract_batch(source, list_source_files(source))
    return pipeline.assemble_release(pipeline.combine_batches([extracted])).tables


@pytest.fixture(scope="module")
def sample_tables(samples_dir):
    return _release_tables(samples_dir)


def _data_bytes(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}


def test_same_inputs_give_byte_identical_data_files(tmp_path, samples_dir):
    first = publish.write_release(_release_tables(samples_dir), tmp_path, "1")
    copy = tmp_path / "copy"
    shutil.copytree(samples_dir, copy / "captures")
    second = publish.write_release(_release_tables(copy / "captures"), tmp_path, "2")
    assert _data_bytes(first) == _data_bytes(second)
    assert len(_data_bytes(first)) == 2 * 9


def test_an_existing_release_is_never_rewritten(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    before = _data_bytes(release)
    with pytest.raises(publish.ReleaseError, match="already exists"):
        publish.write_release(sample_tables, tmp_path, "1")
    assert _data_bytes(release) == before


def test_a_failed_write_leaves_no_partial_release_and_latest_unmoved(tmp_path, sample_tables, monkeypatch):
    publish.write_release(sample_tables, tmp_path, "1")
    written = []

    def failing_write(table, name, data_dir):
        if written:
            raise OSError("disk full")
        written.append(name)
        return real_write(table, name, data_dir)

    real_write = publish.write_resource
    monkeypatch.setattr(publish, "write_resource", failing_write)
    with pytest.raises(OSError):
        publish.write_release(sample_tables, tmp_path, "2")
    package = tmp_path / "wilson-digital-archive-korea"
    assert sorted(p.name for p in package.iterdir()) == ["1", "latest"]
    assert (package / "latest").read_text().strip() == "1"


def test_invalid_tables_are_refused_before_anything_is_written(tmp_path, sample_tables):
    broken = dict(sample_tables)
    broken["document_sources"] = broken["document_sources"].with_columns(
        broken["document_sources"].get_column("document_id").str.replace("^", "rid-9"))
    with pytest.raises(publish.ReleaseError, match="missing documents.document_id"):
        publish.write_release(broken, tmp_path, "1")
    assert not (tmp_path / "wilson-digital-archive-korea" / "1").exists()


def test_descriptor_lists_every_file_with_size_and_hash(tmp_path, sample_tables):
    import hashlib

    release = publish.write_release(sample_tables, tmp_path, "1")
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert descriptor["version"] == "1"
    for resource in descriptor["resources"]:
        for entry in (resource, resource["parquet"]):
            data = (release / entry["path"]).read_bytes()
            assert entry["bytes"] == len(data)
            assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["rowCount"] == sample_tables[resource["name"]].height


def test_list_fields_are_json_arrays_in_csv_and_lists_in_parquet(tmp_path, sample_tables):
    import csv

    import polars as pl

    release = publish.write_release(sample_tables, tmp_path, "1")
    parquet = pl.read_parquet(release / "data" / "documents.parquet")
    assert parquet.schema["translators"] == pl.List(pl.String)
    with (release / "data" / "documents.csv").open(encoding="utf-8", newline="") as fh:
        cells = [row["translators"] for row in csv.DictReader(fh)]
    assert all(isinstance(json.loads(c), list) for c in cells if c)
