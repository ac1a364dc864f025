"""The full build of the real seed captures, checked against their answer key (expected.json)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import polars as pl
import pytest

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def folded(title: str) -> str:
    """Titles compare after folding whitespace and curly/straight quotes, as the key says."""
    return re.sub(r"\s+", " ", title.translate(_QUOTES)).strip()


@pytest.fixture(scope="module")
def seeds_build(prefect_server, seeds_dir, tmp_path_factory):
    from flows.build import build_release

    output = tmp_path_factory.mktemp("seeds-output")
    counts = build_release(seeds_dir, output, "1.0.0")
    release = Path(counts["release"])
    tables = {p.stem: pl.read_parquet(p) for p in (release / "data").glob("*.parquet")}
    expected = json.loads((seeds_dir / "expected.json").read_text("utf-8"))
    return counts, release, tables, expected


def _entries(tables: dict, filename: str) -> pl.DataFrame:
    """The published documents of one seed file, in entry order."""
    source_id = tables["sources"].filter(pl.col("path") == filename).get_column("source_id").item()
    return (tables["document_sources"].filter(pl.col("source_id") == source_id)
            .join(tables["documents"], on="document_id").sort("position"))


def test_build_totals_match_the_answer_key(seeds_build):
    counts, _, tables, expected = seeds_build
    totals = expected["build_totals"]
    assert tables["documents"].height == totals["documents"] == counts["documents"]
    assert tables["collections"].height == totals["collections"]
    assert tables["collection_documents"].height == totals["collection_members"]
    assert tables["document_sources"].height == totals["document_source_links"]
    assert tables["articles"].height == totals["articles"]
    assert tables["references"].height == totals["references"]


def test_counts_reconcile_and_nothing_is_quarantined(seeds_build):
    counts, _, tables, _ = seeds_build
    assert counts["records_extracted"] == counts["records_published"] + counts["records_quarantined"]
    assert tables["quarantine"].height == 0
    statuses = dict(tables["sources"].select("path", "status").iter_rows())
    assert statuses.pop("expected.json") == "unrecognised"  # the answer key is a file of the folder too
    assert set(statuses.values()) == {"ok"} and len(statuses) == 5


@pytest.mark.parametrize("filename", ["000_5d02e385fbfc4b85.txt", "001_f82ee6bc65e6481e.txt"])
def test_listing_entries_match_the_answer_key(seeds_build, filename):
    _, _, tables, expected = seeds_build
    want = expected["files"][filename]["entries"]
    got = _entries(tables, filename)
    assert got.height == len(want)
    for entry, row in zip(want, got.iter_rows(named=True)):
        assert row["position"] == entry["position"]
        assert folded(row["title"]) == folded(entry["title"])
        assert (row["date"], row["date_precision"]) == (entry["date"], entry["date_precision"])
        if entry["has_summary"] and row["source_count"] == 1:
            assert row["summary"]


def test_collection_lists_its_members_in_page_order(seeds_build):
    _, _, tables, expected = seeds_build
    want = expected["files"]["000_5d02e385fbfc4b85.txt"]["collection"]
    collection = tables["collections"].row(0, named=True)
    assert collection["title"] == want["title"]
    assert collection["description"].startswith(want["description_starts"])
    assert collection["document_count"] == want["members"]
    members = tables["collection_documents"].sort("position").get_column("document_id").to_list()
    in_page_order = _entries(tables, "000_5d02e385fbfc4b85.txt").get_column("document_id").to_list()
    assert members == in_page_order


def _document_of(tables: dict, filename: str) -> dict:
    rows = _entries(tables, filename)
    assert rows.height == 1
    return rows.row(0, named=True)


@pytest.mark.parametrize("filename", ["002_bfcc2973cea2ea5d.txt", "003_78758ff57c64ac5e.txt"])
def test_document_page_fields_match_the_answer_key(seeds_build, filename):
    _, _, tables, expected = seeds_build
    want = expected["files"][filename]["document"]
    got = _document_of(tables, filename)
    assert folded(got["title"]) == folded(want["title"])
    for key, value in want.items():
        if key in ("title", "same_document_as"):
            continue
        if key.endswith("_starts"):
            assert got[key.removesuffix("_starts")].startswith(value), key
        elif key == "uploaded_date":
            assert str(got[key]) == value
        else:
            assert got[key] == value, key


def test_document_page_and_listing_entry_merge_into_one_document(seeds_build):
    _, _, tables, _ = seeds_build
    page = _document_of(tables, "002_bfcc2973cea2ea5d.txt")
    entry = _entries(tables, "001_f82ee6bc65e6481e.txt").filter(pl.col("position") == 5).row(0, named=True)
    assert page["document_id"] == entry["document_id"] == "rid-120769"
    assert page["source_count"] == 2 and page["has_text"]


def test_one_title_on_three_dates_is_three_documents(seeds_build):
    _, _, tables, _ = seeds_build
    rows = _entries(tables, "000_5d02e385fbfc4b85.txt").filter(pl.col("position").is_in([6, 8, 15]))
    assert rows.get_column("title").n_unique() == 1
    assert rows.get_column("document_id").n_unique() == 3


def test_month_only_date_keeps_its_precision(seeds_build):
    _, _, tables, _ = seeds_build
    row = _entries(tables, "001_f82ee6bc65e6481e.txt").filter(pl.col("position") == 10).row(0, named=True)
    assert (row["date"], row["date_precision"]) == ("1959-10", "month")
    assert (str(row["date_start"]), str(row["date_end"])) == ("1959-10-01", "1959-10-31")


def test_article_matches_the_answer_key(seeds_build):
    _, _, tables, expected = seeds_build
    want = expected["files"]["004_7acd7597d4270e98.txt"]["article"]
    article = tables["articles"].row(0, named=True)
    assert article["title"] == want["title"]
    assert article["license"] == want["license"]
    assert article["reference_count"] == want["references"]
    links = dict(link.split(":", 1) for link in article["language_links"])
    assert links == want["language_links"]
    for figure in want["figures_mentioned"]:
        assert figure in article["text"]


def test_published_package_passes_frictionless_validation(seeds_build):
    import frictionless

    _, release, tables, _ = seeds_build
    cwd = os.getcwd()
    os.chdir(release)  # frictionless refuses absolute resource paths: validate from inside
    try:
        report = frictionless.validate("datapackage.json")
    finally:
        os.chdir(cwd)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}
    assert rows["documents"] == tables["documents"].height > 0
    assert rows["document_sources"] == tables["document_sources"].height > 0
