"""Imperfect contributions, one per rule: each gets a clear verdict, never a traceback.

Every file here is written by the test itself (invented rows), small enough to read.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from etl.contribution import check_paths
from etl.report import text_report

HEADER = "document_url,original_publication_date,title,record_id,text_body"


def _export(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _rules(report) -> set[tuple[int | None, str | None, str]]:
    return {(r["row"], r["field"], r["rule"]) for r in report.problems.to_dicts()}


def _documents_row(**values) -> dict:
    """One valid row of our documents table, as the Parquet release types it."""
    fields = [f["name"] for f in json.loads((Path(__file__).resolve().parents[1] / "schemas" / "documents.json")
                                            .read_text("utf-8"))["fields"]]
    row = dict.fromkeys(fields)
    row.update(document_id="rid-70001", record_id=70001, title="An invented memorandum", date="1951-03-02",
               date_precision="day", date_start=dt.date(1951, 3, 2), date_end=dt.date(1951, 3, 2),
               has_text=False, source_count=1, authors=["A. Nobody"])
    row.update(values)
    return row


# --- a mapped export ---------------------------------------------------------------------------

def test_a_record_id_repeated_in_one_file_is_refused_naming_the_first_row(tmp_path):
    path = _export(tmp_path,
                   'https://example.org/document/70001,"May 3, 1951",An invented telegram,70001,body',
                   'https://example.org/document/70001,"June 9, 1952",Another invented letter,70001,body')
    report = check_paths([path])
    assert report.exit_code == 1
    [problem] = report.problems.to_dicts()
    assert (problem["row"], problem["field"], problem["rule"], problem["value"]) == (3, "record_id", "unique", "70001")
    assert "row 2" in problem["message"]


def test_a_record_id_repeated_in_another_table_of_the_folder_is_refused_naming_its_file_and_row(tmp_path):
    folder = tmp_path / "sent"
    folder.mkdir()
    _export(folder, 'https://example.org/document/70001,"May 3, 1951",An invented telegram,70001,body', name="a.csv")
    _export(folder, 'https://example.org/document/70002,"May 4, 1951",An invented note,70002,body',
            'https://example.org/document/70001,"June 9, 1952",Another invented letter,70001,body', name="b.csv")
    report = check_paths([folder])
    assert report.exit_code == 1
    [problem] = report.problems.to_dicts()
    assert (problem["file"], problem["row"], problem["field"], problem["rule"], problem["value"]) == (
        f"{folder.as_posix()}/b.csv", 3, "record_id", "unique", "70001")
    assert f"{folder.as_posix()}/a.csv row 2" in problem["message"]


def test_a_record_id_that_is_the_number_of_the_row_s_node_address_is_refused(tmp_path):
    """/node/<n> is the site's page number; a scraper that takes it for the record id names another record."""
    path = _export(tmp_path, 'https://example.org/node/70001,"May 3, 1951",An invented telegram,70001,body',
                   'https://example.org/node/70002,"May 4, 1951",An invented note,70009,body',
                   'https://example.org/node/70003,"May 5, 1951",An invented letter,,body')
    report = check_paths([path])
    [problem] = report.problems.to_dicts()
    assert (problem["row"], problem["field"], problem["rule"], problem["value"]) == (2, "record_id", "record-id", "70001")
    assert "/node/" in problem["message"]


def test_an_upload_date_that_is_no_iso_date_is_a_date_problem_not_dropped(tmp_path):
    """The build publishes uploaded_date only as an ISO date; any other text would be left out unsaid."""
    header = f"{HEADER},original_upload_date"
    rows = [f'https://example.org/document/7000{i},"May 3, 1951",An invented telegram {i},7000{i},body,{uploaded}'
            for i, uploaded in enumerate(["2024-03-01", "2024-02-30", '"March 1, 2024"', "2024-03-01T10:00:00", ""], 1)]
    report = check_paths([_export(tmp_path, *rows, header=header)])
    assert _rules(report) == {(3, "original_upload_date", "date"), (4, "original_upload_date", "date"),
                              (5, "original_upload_date", "date")}
    assert "YYYY-MM-DD" in report.problems.get_column("message")[0]


def test_a_blank_row_of_a_mapped_export_is_one_blank_row_problem(tmp_path):
    good = 'https://example.org/document/70001,"May 3, 1951",An invented telegram,70001,body'
    for name, rows in {"gap.csv": [good, "", good.replace("70001", "70002")],
                       "commas.csv": [good, ",,,,"],
                       "trailing.csv": [good, ""]}.items():
        report = check_paths([_export(tmp_path, *rows, name=name)])
        assert _rules(report) == {(3, "", "blank-row")}, name


def test_a_required_field_without_its_column_is_a_missing_label(tmp_path):
    path = _export(tmp_path, 'https://example.org/document/70001,"May 3, 1951",70001,body',
                   'https://example.org/document/70002,"May 4, 1951",70002,body',
                   header="document_url,original_publication_date,record_id,text_body")
    report = check_paths([path])
    assert _rules(report) == {(None, "title", "missing-label")}
    assert "title" in report.problems.get_column("message")[0]


def test_an_export_in_semicolons_is_told_about_its_separator(tmp_path):
    path = _export(tmp_path, 'https://example.org/document/70001;May 3 1951;An invented telegram;70001;body',
                   header=HEADER.replace(",", ";"))
    report = check_paths([path])
    assert report.exit_code == 2
    assert '";"' in report.problems.get_column("message")[0]


def test_header_names_off_by_case_or_spaces_are_named_with_the_expected_name(tmp_path):
    row = 'https://example.org/document/70001,"May 3, 1951",An invented telegram,70001,body'
    unrecognised = check_paths([_export(tmp_path, row, header=HEADER.replace("record_id", "Record_ID"),
                                        name="case.csv")])
    message = unrecognised.problems.get_column("message")[0]
    assert "scraper-export" in message and '"Record_ID"' in message and '"record_id"' in message
    spaced = check_paths([_export(tmp_path, row, header=HEADER.replace("title", " title "), name="spaces.csv")])
    [label] = spaced.problems.filter(pl.col("rule") == "extra-label").to_dicts()
    assert '"title"' in label["message"]


def test_mapped_parquet_columns_of_the_wrong_type_are_type_problems(tmp_path):
    row = {"document_url": "https://example.org/document/70001", "original_publication_date": "May 3, 1951",
           "title": "An invented telegram", "record_id": 70001, "text_body": "body", "authors": ["A. Nobody"]}
    pl.DataFrame([row]).write_parquet(tmp_path / "good.parquet")
    assert check_paths([tmp_path / "good.parquet"]).exit_code == 0
    pl.DataFrame([row]).with_columns(
        pl.struct(pl.lit(1).alias("x")).alias("title"), pl.lit([1, 2]).alias("authors"),
        pl.lit(True).alias("text_body"),
    ).write_parquet(tmp_path / "bad.parquet")
    report = check_paths([tmp_path / "bad.parquet"])
    assert report.exit_code == 1
    assert {(2, "title", "type"), (2, "authors", "type"), (2, "text_body", "type")} <= _rules(report)


# --- our own resources ---------------------------------------------------------------------------

def test_parquet_columns_of_the_wrong_type_are_type_problems_not_a_crash(tmp_path):
    pl.DataFrame([_documents_row()]).write_parquet(tmp_path / "documents.parquet")
    assert check_paths([tmp_path / "documents.parquet"]).exit_code == 0
    pl.DataFrame([_documents_row()]).with_columns(
        pl.lit(12.5).alias("record_id"), pl.lit(19510302).alias("date_start"), pl.lit(3).alias("title"),
        pl.lit([1]).alias("authors"), pl.lit(True).alias("summary"),
    ).write_parquet(tmp_path / "wrong.parquet")
    report = check_paths([tmp_path / "wrong.parquet"], wanted="documents")
    assert report.exit_code == 1
    found = _rules(report)
    for name in ("record_id", "date_start", "title", "authors", "summary"):
        assert (2, name, "type") in found, name
    message = report.problems.filter(pl.col("field") == "record_id").get_column("message")[0]
    assert "integer" in message and "Float64" in message
    assert "record_id" in text_report(report)


# --- data packages ---------------------------------------------------------------------------------

def test_every_unsafe_or_unknown_resource_of_a_package_is_reported(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (tmp_path / "outside.csv").write_text("document_id\nrid-1\n", encoding="utf-8")
    (package / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "documents", "path": "../outside.csv"},
        {"name": "texts", "path": "/etc/passwd"},
        {"name": "collections", "path": "data/../../outside.csv"},
        {"name": "secrets", "path": "a.csv"},
        {"name": "gossip", "path": "b.csv"},
    ]}), encoding="utf-8")
    report = check_paths([package])
    rules = sorted(r["rule"] for r in report.problems.to_dicts())
    assert rules == ["unknown-resource"] * 2 + ["unsafe-path"] * 3
    assert len(report.checked) == 1  # nothing was read
