"""Releases: byte-identical for the same inputs, immutable, never half-written."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from etl import pipeline, publish
from etl.sources import list_source_files

PACKAGE = "wilson-digital-archive-korea"


def _release_tables(source: Path) -> dict:
    extracted = pipeline.extract_batch(source, list_source_files(source))
    return pipeline.assemble_release(pipeline.combine_batches([extracted])).tables


@pytest.fixture(scope="module")
def sample_tables(samples_dir):
    return _release_tables(samples_dir)


def _data_bytes(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}


def _all_bytes(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


def test_same_inputs_give_byte_identical_data_files(tmp_path, samples_dir):
    first = publish.write_release(_release_tables(samples_dir), tmp_path, "1")
    copy = tmp_path / "copy"
    shutil.copytree(samples_dir, copy / "captures")
    second = publish.write_release(_release_tables(copy / "captures"), tmp_path, "2")
    assert _data_bytes(first) == _data_bytes(second)
    assert len(_data_bytes(first)) == 2 * 9


def test_same_tables_give_a_byte_identical_release_sqlite_and_zip_included(tmp_path, samples_dir):
    first = publish.write_release(_release_tables(samples_dir), tmp_path / "a", "2026.11.23")
    second = publish.write_release(_release_tables(samples_dir), tmp_path / "b", "2026.11.23")
    files = _all_bytes(first)
    assert {f"{PACKAGE}-2026.11.23.sqlite", f"{PACKAGE}-2026.11.23-csv.zip", "README.md", "SHA256SUMS",
            "datapackage.json"} <= set(files)
    assert files == _all_bytes(second)


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
    package = tmp_path / PACKAGE
    assert sorted(p.name for p in package.iterdir()) == ["1", "latest"]
    assert (package / "latest").read_text().strip() == "1"


@pytest.mark.parametrize("step", ["write_database", "render_datasheet", "add_to_bundle", "write_checksums"])
def test_a_failure_writing_any_release_file_leaves_nothing_behind(tmp_path, sample_tables, monkeypatch, step):
    publish.write_release(sample_tables, tmp_path, "1")

    def failing(*args, **kwargs):
        raise OSError(f"{step}: disk full")

    monkeypatch.setattr(publish, step, failing)
    with pytest.raises(OSError, match=step):
        publish.write_release(sample_tables, tmp_path, "2")
    package = tmp_path / PACKAGE
    assert sorted(p.name for p in package.iterdir()) == ["1", "latest"]
    assert (package / "latest").read_text().strip() == "1"


def test_every_release_file_is_written_in_staging_before_the_rename(tmp_path, sample_tables, monkeypatch):
    staged = {}
    real_sync = publish._sync_tree

    def recording_sync(folder):
        staged["folder"] = folder
        staged["files"] = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        real_sync(folder)

    monkeypatch.setattr(publish, "_sync_tree", recording_sync)
    release = publish.write_release(sample_tables, tmp_path, "1")
    assert staged["folder"].name.startswith(publish.STAGING_PREFIX + "1-")
    assert staged["files"] == sorted(_all_bytes(release))
    assert {"README.md", "SHA256SUMS", f"{PACKAGE}-1.sqlite", f"{PACKAGE}-1-csv.zip"} <= set(staged["files"])


def test_invalid_tables_are_refused_before_anything_is_written(tmp_path, sample_tables):
    broken = dict(sample_tables)
    broken["document_sources"] = broken["document_sources"].with_columns(
        broken["document_sources"].get_column("document_id").str.replace("^", "rid-9"))
    with pytest.raises(publish.ReleaseError, match="missing documents.document_id"):
        publish.write_release(broken, tmp_path, "1")
    assert not (tmp_path / "wilson-digital-archive-korea" / "1").exists()


def test_descriptor_lists_every_file_with_size_and_hash(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert descriptor["version"] == "1"
    entries = [descriptor["sqlite"]]
    for resource in descriptor["resources"]:
        entries += [resource, resource["parquet"]]
        assert resource["rowCount"] == sample_tables[resource["name"]].height
        assert resource["description"] and resource["schema"]["fields"]
        assert (resource["format"], resource["encoding"], resource["dialect"]["delimiter"]) == ("csv", "utf-8", ",")
    assert descriptor["sqlite"]["path"] == f"{PACKAGE}-1.sqlite"
    assert descriptor["sqlite"]["mediatype"] == "application/vnd.sqlite3"
    for entry in entries:
        data = (release / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_archive_tables_carry_the_reuse_statement_and_article_tables_cc_by_sa(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    licence_of = {r["name"]: [licence["name"] for licence in r["licenses"]] for r in descriptor["resources"]}
    assert {name for name, names in licence_of.items() if names == ["CC-BY-SA-4.0"]} == {"articles", "references"}
    assert {name for name, names in licence_of.items() if names == ["other-at"]} == \
        set(licence_of) - {"articles", "references"}
    assert [licence["name"] for licence in descriptor["licenses"]] == ["other-at", "CC-BY-SA-4.0"]


def test_descriptor_names_its_sources_and_publisher(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    paths = [source["path"] for source in descriptor["sources"]]
    assert paths == ["https://digitalarchive.wilsoncenter.org", "data/sources.csv"]
    assert [c["role"] for c in descriptor["contributors"]] == ["publisher"]
    assert descriptor["title"] and descriptor["description"]


@pytest.mark.parametrize(("version", "created"), [
    ("2026.11.23", "2026-11-23T00:00:00Z"), ("2026.11.23.2", "2026-11-23T00:00:00Z"),
    ("1.0.0", None), ("2026.11", None), ("bench", None), ("2026.13.45", None), ("2025.02.29", None),
])
def test_created_is_the_date_a_dated_version_names_never_the_clock(version, created):
    assert publish.created_from_version(version) == created


def test_a_version_that_is_not_a_date_gives_no_created(tmp_path, sample_tables):
    dated = publish.write_release(sample_tables, tmp_path, "2026.11.23.1")
    plain = publish.write_release(sample_tables, tmp_path, "1.0.0")
    assert json.loads((dated / "datapackage.json").read_text("utf-8"))["created"] == "2026-11-23T00:00:00Z"
    assert "created" not in json.loads((plain / "datapackage.json").read_text("utf-8"))


def test_sha256sums_lists_every_other_file_the_zip_included(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    lines = (release / "SHA256SUMS").read_text("utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert sorted(listed) == sorted(set(_all_bytes(release)) - {"SHA256SUMS"})
    assert f"{PACKAGE}-1-csv.zip" in listed
    for path, digest in listed.items():
        assert hashlib.sha256((release / path).read_bytes()).hexdigest() == digest


def test_zip_holds_csvs_datapackage_and_readme_in_fixed_order_date_and_mode(tmp_path, sample_tables):
    release = publish.write_release(sample_tables, tmp_path, "1")
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    members = [*(r["path"] for r in descriptor["resources"]), "datapackage.json", "README.md", "CHANGELOG.md"]
    with zipfile.ZipFile(release / f"{PACKAGE}-1-csv.zip") as bundle:
        entries = bundle.infolist()
        assert [e.filename for e in entries] == [f"{PACKAGE}-1/{name}" for name in members]
        for entry in entries:
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)
            assert entry.external_attr >> 16 == 0o100644
            assert bundle.read(entry) == (release / entry.filename.split("/", 1)[1]).read_bytes()


def test_list_fields_are_json_arrays_in_csv_and_lists_in_parquet(tmp_path, sample_tables):
    import csv

    import polars as pl

    release = publish.write_release(sample_tables, tmp_path, "1")
    parquet = pl.read_parquet(release / "data" / "documents.parquet")
    assert parquet.schema["translators"] == pl.List(pl.String)
    with (release / "data" / "documents.csv").open(encoding="utf-8", newline="") as fh:
        cells = [row["translators"] for row in csv.DictReader(fh)]
    assert all(isinstance(json.loads(c), list) for c in cells if c)
