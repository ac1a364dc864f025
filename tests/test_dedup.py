import calendar
from datetime import date

import polars as pl

from etl.dedup import assign_documents, merge_documents

_COLUMNS = {
    "source_id": pl.String, "position": pl.Int64, "layout": pl.String, "title": pl.String,
    "title_key": pl.String, "date": pl.String, "date_precision": pl.String, "record_id": pl.Int64,
    "summary": pl.String, "text": pl.String, "date_start": pl.Date, "date_end": pl.Date,
}


def _records(*rows: dict) -> pl.DataFrame:
    base = {"layout": "listing_old", "date_precision": "day", "record_id": None, "summary": None, "text": None,
            "date_start": None, "date_end": None}
    table = pl.DataFrame([{**base, **r} for r in rows], schema=_COLUMNS)
    missing = ["url", "document_type", "language", "archive", "archive_reference", "fond", "opis", "delo",
               "papka", "pages", "file_number", "rights", "original_archive", "classification", "date_text"]
    lists = ["translators", "funders", "authors", "places", "subjects"]
    return table.with_columns(
        *[pl.lit(None, pl.String).alias(c) for c in missing],
        *[pl.lit([], pl.List(pl.String)).alias(c) for c in lists],
        pl.lit(None, pl.Date).alias("uploaded_date"),
    )


def _documents(records: pl.DataFrame) -> pl.DataFrame:
    assigned, quarantined = assign_documents(records)
    assert quarantined.height == 0
    return merge_documents(assigned)


def test_same_title_on_two_dates_stays_two_documents():
    docs = _documents(_records(
        {"source_id": "a", "position": 1, "title": "Report", "title_key": "report", "date": "1963-10-02"},
        {"source_id": "a", "position": 2, "title": "Report", "title_key": "report", "date": "1964-06-01"},
    ))
    assert docs.height == 2


def test_numbered_titles_on_one_date_stay_two_documents():
    docs = _documents(_records(
        {"source_id": "a", "position": 1, "title": "No. 28", "title_key": "no. 28", "date": "1962-05-05"},
        {"source_id": "a", "position": 2, "title": "No. 29", "title_key": "no. 29", "date": "1962-05-05"},
    ))
    assert docs.height == 2


def test_listing_entry_joins_the_document_page_with_its_title_and_date():
    docs = _documents(_records(
        {"source_id": "list", "position": 5, "title": "MEMO ON KOREANS", "title_key": "memo on koreans",
         "date": "1956-02-02", "summary": "listing summary"},
        {"source_id": "page", "position": 1, "layout": "document_new", "title": "Memo on Koreans",
         "title_key": "memo on koreans", "date": "1956-02-02", "record_id": 42, "summary": "page summary",
         "text": "body"},
    ))
    row = docs.row(0, named=True)
    assert (docs.height, row["document_id"], row["source_count"]) == (1, "rid-42", 2)
    assert (row["title"], row["summary"], row["has_text"]) == ("Memo on Koreans", "page summary", True)


def test_record_ids_always_separate_documents():
    docs = _documents(_records(
        {"source_id": "p1", "position": 1, "layout": "document_new", "title": "T", "title_key": "t",
         "date": "1960-01-01", "record_id": 1},
        {"source_id": "p2", "position": 1, "layout": "document_new", "title": "T", "title_key": "t",
         "date": "1960-01-01", "record_id": 2},
    ))
    assert sorted(docs.get_column("document_id")) == ["rid-1", "rid-2"]


def test_entry_matching_two_record_ids_is_quarantined_not_guessed():
    assigned, quarantined = assign_documents(_records(
        {"source_id": "p1", "position": 1, "layout": "document_new", "title": "T", "title_key": "t",
         "date": "1960-01-01", "record_id": 1},
        {"source_id": "p2", "position": 1, "layout": "document_new", "title": "T", "title_key": "t",
         "date": "1960-01-01", "record_id": 2},
        {"source_id": "l", "position": 3, "title": "T", "title_key": "t", "date": "1960-01-01"},
    ))
    assert assigned.height == 2
    assert quarantined.select("source_id", "position", "stage", "rule").rows() == [
        ("l", 3, "dedup", "ambiguous-match")]


def test_undated_entry_joins_the_one_document_of_its_title():
    docs = _documents(_records(
        {"source_id": "a", "position": 1, "title": "Memo on Koreans", "title_key": "memo on koreans",
         "date": "1956-02-02"},
        {"source_id": "b", "position": 4, "title": "Memo on Koreans", "title_key": "memo on koreans",
         "date": None, "date_precision": "unknown"},
    ))
    assert docs.height == 1 and docs.row(0, named=True)["source_count"] == 2
    assert docs.row(0, named=True)["date"] == "1956-02-02"


def test_undated_entry_of_a_series_title_is_not_guessed():
    docs = _documents(_records(
        {"source_id": "a", "position": 1, "title": "Report", "title_key": "report", "date": "1963-10-02"},
        {"source_id": "a", "position": 2, "title": "Report", "title_key": "report", "date": "1964-06-01"},
        {"source_id": "b", "position": 1, "title": "Report", "title_key": "report", "date": None,
         "date_precision": "unknown"},
    ))
    assert docs.height == 3


def test_undated_records_with_no_dated_twin_are_never_merged_on_title_alone():
    docs = _documents(_records(
        {"source_id": "a", "position": 1, "title": "T", "title_key": "t", "date": None, "date_precision": "unknown"},
        {"source_id": "b", "position": 1, "title": "T", "title_key": "t", "date": None, "date_precision": "unknown"},
    ))
    assert docs.height == 2


def test_document_ids_do_not_depend_on_record_order():
    rows = [
        {"source_id": "a", "position": 1, "title": "X", "title_key": "x", "date": "1970-05-05"},
        {"source_id": "b", "position": 2, "title": "Y", "title_key": "y", "date": "1970-05-05"},
    ]
    forward = _documents(_records(*rows)).get_column("document_id").sort().to_list()
    backward = _documents(_records(*reversed(rows))).get_column("document_id").sort().to_list()
    assert forward == backward and all(i.startswith("doc-") for i in forward)


def _dated(source_id: str, position: int, title: str, iso: str, **fields) -> dict:
    """A record of `title` dated `iso` (YYYY, YYYY-MM or YYYY-MM-DD), with its span."""
    parts = [int(p) for p in iso.split("-")]
    year, month, day = parts + [None] * (3 - len(parts))
    start = date(year, month or 1, day or 1)
    end = date(year, month or 12, day or calendar.monthrange(year, month or 12)[1])
    precision = "day" if day else "month" if month else "year"
    return {"source_id": source_id, "position": position, "title": title, "title_key": title.lower(),
            "date": iso, "date_precision": precision, "date_start": start, "date_end": end, **fields}


def test_month_only_entry_of_a_series_title_is_not_joined_to_a_report_dated_that_month():
    # One title, many reports: the one dated to the month only is another report.
    docs = _documents(_records(
        _dated("list", 4, "Cable, Embassy to the Ministry", "1961-03"),
        _dated("page", 1, "Cable, Embassy to the Ministry", "1961-03-14", layout="document_new", record_id=7),
    ))
    assert sorted(docs.get_column("date").to_list()) == ["1961-03", "1961-03-14"]


def test_captures_of_one_document_keep_the_date_to_the_day_over_the_month():
    for first, second in (("a", "b"), ("b", "a")):
        docs = _documents(_records(
            _dated(first, 1, "Cable on Grain Quotas", "1961-03", layout="document_old", record_id=7),
            _dated(second, 1, "Cable on Grain Quotas", "1961-03-14", layout="document_new", record_id=7),
        ))
        row = docs.row(0, named=True)
        assert (docs.height, row["date"], row["date_precision"]) == (1, "1961-03-14", "day")


def test_mixed_case_title_of_a_listing_beats_an_upper_cased_one_of_the_page():
    docs = _documents(_records(
        {"source_id": "list", "position": 3, "title": "Cable on Grain Quotas", "title_key": "cable on grain quotas",
         "date": "1961-03-14"},
        {"source_id": "page", "position": 1, "layout": "document_old", "title": "CABLE ON GRAIN QUOTAS",
         "title_key": "cable on grain quotas", "date": "1961-03-14", "summary": "page summary"},
    ))
    row = docs.row(0, named=True)
    assert (docs.height, row["title"], row["summary"]) == (1, "Cable on Grain Quotas", "page summary")


def test_text_of_a_complete_capture_beats_that_of_one_cut_off():
    records = _records(
        {"source_id": "a", "position": 1, "layout": "document_new", "title": "Report", "title_key": "report",
         "date": "1963-10-02", "record_id": 7, "text": "First paragraph."},
        {"source_id": "b", "position": 1, "layout": "document_new", "title": "Report", "title_key": "report",
         "date": "1963-10-02", "record_id": 7, "text": "First paragraph.\n\nSecond paragraph."},
    )
    assigned, _ = assign_documents(records)
    assert merge_documents(assigned).get_column("text").to_list() == ["First paragraph."]
    assert merge_documents(assigned, pl.Series(["a"])).get_column("text").to_list() == [
        "First paragraph.\n\nSecond paragraph."]
