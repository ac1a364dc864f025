"""The cache of checked records (etl.checked_cache): the same checked records and quarantine
rows as checking every record again, with only the records of new captures checked."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etl import cache, checked_cache, pipeline
from etl.sources import list_source_files

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


@pytest.fixture(scope="module")
def records(samples_dir) -> pl.DataFrame:
    """The records of the bundled samples and of two invented sources whose records break
    rules: a date that does not exist, a missing title, a bad record id, a repeated key."""
    found = pipeline.combine_batches([pipeline.extract_batch(samples_dir, list_source_files(samples_dir))]).records
    first = found.filter(pl.col("source_id") == found.item(0, "source_id"))
    no_such_day = pl.concat([first, first.head(1)]).with_columns(
        pl.lit("0123456789abcdef").alias("source_id"), pl.lit("February 30, 1961").alias("date_text"))
    untitled = first.head(1).with_columns(pl.lit("fedcba9876543210").alias("source_id"),
                                          pl.lit(None, pl.String).alias("title"), pl.lit("-5").alias("record_id"))
    return pl.concat([found, no_such_day, untitled])


def _sources_checked(monkeypatch) -> list[set[str]]:
    """The source_ids of each call to pipeline.checked_records from here on."""
    calls, real = [], pipeline.checked_records

    def spy(records, seconds=None):
        calls.append(set(records.get_column("source_id")))
        return real(records, seconds)

    monkeypatch.setattr(pipeline, "checked_records", spy)
    return calls


def _split(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the records of every other source, the rest)."""
    ids = records.get_column("source_id").unique().sort()
    first = records.filter(pl.col("source_id").is_in(ids.gather_every(2).implode()))
    return first, records.join(first.select("source_id").unique(), on="source_id", how="anti")


def _assert_same(got: tuple[pl.DataFrame, pl.DataFrame], expected: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    assert_frame_equal(got[0], expected[0])
    sort = ["source_id", "position", "stage", "rule", "field"]
    assert_frame_equal(got[1].sort(sort), expected[1].sort(sort))


def test_records_checked_before_are_taken_from_the_cache(records, tmp_path, monkeypatch):
    expected = pipeline.checked_records(records)
    assert expected[0].height > 10 and expected[1].height > 0, "the samples give both kinds"
    earlier, later = _split(records)
    calls = _sources_checked(monkeypatch)

    _assert_same(checked_cache.checked_records(tmp_path, earlier), pipeline.checked_records(earlier))
    calls.clear()
    # The later build reads every record again, in another order: only the new sources are checked.
    _assert_same(checked_cache.checked_records(tmp_path, pl.concat([later, earlier])),
                 pipeline.checked_records(pl.concat([later, earlier])))
    assert calls[0] == set(later.get_column("source_id")) and len(calls) == 2  # (and the reference call)
    calls.clear()
    _assert_same(checked_cache.checked_records(tmp_path, records), expected)
    assert calls == [], "nothing new: nothing checked"
    assert len(cache.segments(tmp_path)) == 2


def test_a_new_code_version_starts_an_empty_cache(tmp_path, monkeypatch):
    first = checked_cache.checked_folder(tmp_path)
    monkeypatch.setattr(checked_cache, "output_code_version", lambda: "f" * 64)
    assert checked_cache.checked_folder(tmp_path) != first
    assert checked_cache.checked_folder(tmp_path).parent == first.parent


def test_leftovers_are_removed_and_many_segments_compacted(records, tmp_path, monkeypatch):
    leftover = tmp_path / ".half-written-123"
    leftover.mkdir(parents=True)
    (leftover / "checked.arrow").write_bytes(b"partial")
    ids = records.get_column("source_id").unique().sort().to_list()
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 2)
    for n in range(1, 4):  # three builds, each with one more source
        checked_cache.checked_records(tmp_path, records.filter(pl.col("source_id").is_in(ids[:n])))
    assert not leftover.exists()
    assert len(cache.segments(tmp_path)) == 1, "the third segment made the cache compact"
    kept = pl.read_ipc(cache.segments(tmp_path)[0] / "covered.arrow").get_column("source_id").to_list()
    assert kept == sorted(ids[:3])
    calls = _sources_checked(monkeypatch)
    _assert_same(checked_cache.checked_records(tmp_path, records), pipeline.checked_records(records))
    assert calls[0] == set(ids[3:])


def test_a_build_with_a_cache_checks_only_the_records_of_new_captures(incremental_cache: Path):
    segments = cache.segments(incremental_cache)
    covered = [set(pl.read_ipc(s / "covered.arrow").get_column("source_id")) for s in segments]
    assert len(covered) == 2
    small, large = sorted(covered, key=len)
    assert len(small) == 1 and len(large) > 5 and not small & large


@pytest.fixture
def incremental_cache(samples_dir, tmp_path) -> Path:
    """The cache of checked records after a build of the samples and one with one more capture."""
    import shutil

    from etl import build

    captures, output, cache_dir = tmp_path / "captures", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(samples_dir, captures)
    request = build.BuildRequest(captures, output, "1", contributions=tmp_path / "none", cache_dir=cache_dir)
    build.build_in_process(request)
    page = (FIXTURES / "document_new" / "full_metadata.txt").read_text("utf-8")
    (captures / "added.txt").write_text(page.replace("400123", "400778"), encoding="utf-8")
    build.build_in_process(build.BuildRequest(captures, output, "2", contributions=tmp_path / "none",
                                              cache_dir=cache_dir))
    return checked_cache.checked_folder(cache_dir)


def test_the_extraction_cache_key_covers_every_module_the_extractors_import():
    import ast

    from etl import inputs

    package = Path(inputs.__file__).parent
    keyed = {p.resolve() for p in inputs._python_files(*inputs._EXTRACTION_CODE)}
    imported = set()
    for path in package.joinpath("extract").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("etl."):
                imported.add(node.module.removeprefix("etl.").split(".")[0])
    modules = {package / f"{name}.py" for name in imported if name not in ("extract", "config")}
    assert modules <= keyed, sorted(str(m.relative_to(package)) for m in modules - keyed)
