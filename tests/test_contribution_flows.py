"""Contributions through Prefect: the inbox flow sorts them, and the build takes the accepted ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from flows.build import build_release
from flows.contributions import validate_contribution

SAMPLE_CONTRIBUTIONS = Path(__file__).resolve().parents[1] / "samples" / "contributions"


def test_the_inbox_is_sorted_into_accepted_and_rejected_with_reports(prefect_server, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("scraper-export.csv", "scraper-export-with-problems.csv"):
        shutil.copy(SAMPLE_CONTRIBUTIONS / name, inbox / name)
    (inbox / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    outcome = validate_contribution(tmp_path)
    assert set(outcome) == {"scraper-export.csv", "scraper-export-with-problems.csv", "notes.csv"}
    assert not any(inbox.iterdir())
    accepted, rejected = tmp_path / "accepted", tmp_path / "rejected"
    assert sorted(p.name for p in accepted.iterdir()) == [
        "scraper-export.csv", "scraper-export.csv.report.json", "scraper-export.csv.report.txt"]
    assert {p.name for p in rejected.iterdir()} >= {"scraper-export-with-problems.csv", "notes.csv",
                                                     "notes.csv.report.txt"}
    report = json.loads((rejected / "scraper-export-with-problems.csv.report.json").read_text("utf-8"))
    assert report["exit_code"] == 1 and report["problems"]
    # a second contribution of the same name does not overwrite the first
    shutil.copy(SAMPLE_CONTRIBUTIONS / "scraper-export.csv", inbox / "scraper-export.csv")
    validate_contribution(tmp_path)
    assert (accepted / "scraper-export.1.csv").exists()


def _contribution(samples_key: dict) -> pl.DataFrame:
    """Three rows in the export layout: a document with its own page in the samples (new
    title), a listing-only document (new summary; its listings may not show its Record ID,
    so it joins by title and date), and a document the samples lack."""
    documents = samples_key["documents"]
    paged = next(d for d in documents if set(d["layouts"]) & {"document_old", "document_new"} and d["record_id"])
    listed = next(d for d in documents if set(d["layouts"]) <= {"listing_old", "listing_search"} and d["record_id"])
    template = pl.read_csv(SAMPLE_CONTRIBUTIONS / "scraper-export.csv", infer_schema=False).head(1)
    rows = [
        {"record_id": str(paged["record_id"]), "title": "A title the document page does not print",
         "summary": paged["summary"], "date": paged["date"]},
        {"record_id": str(listed["record_id"]), "title": listed["title"],
         "summary": "A fuller summary sent by a contributor.", "date": listed["date"]},
        {"record_id": "910001", "title": "A document only the contribution has", "summary": "Only here.",
         "date": "1960-01-02"},
    ]
    return pl.concat([
        template.with_columns(pl.lit(r["record_id"]).alias("record_id"), pl.lit(r["title"]).alias("title"),
                              pl.lit(r["summary"]).alias("summary"),
                              pl.lit(r["date"]).alias("original_publication_date"),
                              pl.lit(f"https://digitalarchive.wilsoncenter.org/document/{r['record_id']}").alias("document_url"))
        for r in rows
    ]), paged, listed


def test_accepted_contributions_take_part_in_the_build_and_rank_between_pages_and_listings(
        prefect_server, tmp_path, samples_dir):
    key = json.loads((samples_dir.parent / "answer_key.json").read_text("utf-8"))
    table, paged, listed = _contribution(key)
    accepted = tmp_path / "accepted"
    accepted.mkdir()
    table.write_csv(accepted / "corrections.csv")
    counts = build_release(samples_dir, tmp_path / "out", "1", contributions=accepted)
    release = Path(counts["release"])
    documents = pl.read_parquet(release / "data" / "documents.parquet")
    by_id = {d["document_id"]: d for d in documents.to_dicts()}
    assert by_id[f"rid-{paged['record_id']}"]["title"] == paged["title"]  # the page wins
    assert by_id[f"rid-{listed['record_id']}"]["summary"] == "A fuller summary sent by a contributor."
    assert by_id["rid-910001"]["title"] == "A document only the contribution has"
    sources = pl.read_parquet(release / "data" / "sources.parquet").filter(pl.col("layout") == "contribution")
    assert sources.select("path", "format", "status", "records").to_dicts() == [
        {"path": "contributions/corrections.csv", "format": "csv", "status": "ok", "records": 3}]
    links = pl.read_parquet(release / "data" / "document_sources.parquet").filter(pl.col("layout") == "contribution")
    assert links.height == 3
    assert counts["documents"] == len(key["documents"]) + 1


def test_a_file_named_like_a_report_is_refused_and_no_report_replaces_a_file(prefect_server, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sent = pl.read_csv(SAMPLE_CONTRIBUTIONS / "scraper-export.csv", infer_schema=False)
    sent.write_json(inbox / "b.csv.report.json")  # a valid table, under a name the build skips as a report
    contributed = (inbox / "b.csv.report.json").read_text("utf-8")
    assert validate_contribution(tmp_path)["b.csv.report.json"].startswith("rejected")
    report = json.loads((tmp_path / "rejected" / "b.csv.report.json.report.json").read_text("utf-8"))
    assert [p["rule"] for p in report["problems"]] == ["entry-name"]
    # the same rows as b.csv are accepted; an accepted file of the report's name is never replaced
    sent.write_csv(inbox / "b.csv")
    (tmp_path / "accepted").mkdir()
    (tmp_path / "accepted" / "b.csv.report.json").write_text(contributed, encoding="utf-8")
    assert validate_contribution(tmp_path)["b.csv"].startswith("accepted")
    assert (tmp_path / "accepted" / "b.csv.report.json").read_text("utf-8") == contributed
    assert sorted(p.name for p in (tmp_path / "accepted").iterdir()) == [
        "b.1.csv", "b.1.csv.report.json", "b.1.csv.report.txt", "b.csv.report.json"]
