"""Checking contributions: tables through mappings, packages, captures, and a release to compare with."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from etl import contribution, inbox, pipeline, publish
from etl.contribution import DESCRIPTOR, check_paths, default_limits, resource_file, UnsafePath
from etl.report import json_report, report_data, text_report
from etl.sources import list_source_files

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONTRIBUTIONS = PROJECT_ROOT / "samples" / "contributions"
SHARED_EXPORT = PROJECT_ROOT.parent / "shared" / "samples" / "scraper-export.csv"


@pytest.fixture(scope="module")
def release(tmp_path_factory, samples_dir) -> Path:
    """A release of the bundled samples, written without Prefect."""
    extracted = pipeline.extract_batch(samples_dir, list_source_files(samples_dir))
    tables = pipeline.assemble_release(pipeline.combine_batches([extracted])).tables
    return publish.write_release(tables, tmp_path_factory.mktemp("out"), "1")


def _documents(release: Path) -> pl.DataFrame:
    return pl.read_csv(release / "data" / "documents.csv", infer_schema=False)


def _rules(report) -> set[tuple[int | None, str, str]]:
    return {(r["row"], r["field"], r["rule"]) for r in report.problems.to_dicts()}


# --- tables through a mapping ------------------------------------------------------------

def test_the_sample_export_is_recognised_and_valid():
    report = check_paths([SAMPLE_CONTRIBUTIONS / "scraper-export.csv"])
    [checked] = report.checked
    assert (checked.kind, checked.target, checked.rows, checked.status) == ("table", "scraper-export", 2, "valid")
    assert report.exit_code == 0


def test_problems_of_a_mapped_export_name_its_own_columns_and_rows():
    report = check_paths([SAMPLE_CONTRIBUTIONS / "scraper-export-with-problems.csv"])
    assert report.exit_code == 1
    found = _rules(report)
    assert (2, "title", "formula") in found
    assert (2, "authors", "type") in found
    # the date is printed in the contributor's column; the row is the spreadsheet's row
    assert (3, "original_publication_date", "date") in found


def test_the_real_scraper_export_reads_through_its_mapping():
    assert SHARED_EXPORT.exists(), f"the shared scraper export is not beside this checkout ({SHARED_EXPORT})"
    report = check_paths([SHARED_EXPORT])
    [checked] = report.checked
    assert (checked.target, checked.rows) == ("scraper-export", 11)
    assert report.problems.height == 0, report.problems.to_dicts()


def test_an_export_with_an_unmapped_column_is_refused(tmp_path):
    table = pl.read_csv(SAMPLE_CONTRIBUTIONS / "scraper-export.csv", infer_schema=False)
    table.with_columns(pl.lit("x").alias("new_column")).write_csv(tmp_path / "export.csv")
    report = check_paths([tmp_path / "export.csv"])
    assert (None, "new_column", "extra-label") in _rules(report)


def test_a_table_of_no_known_shape_is_unreadable(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    report = check_paths([tmp_path / "other.csv"])
    assert report.exit_code == 2
    assert "--resource" in report.problems.get_column("message")[0]


# --- tables of our resources ---------------------------------------------------------------

def test_a_published_documents_table_is_valid_and_duplicates_the_release(release):
    report = check_paths([release / "data" / "documents.csv"], against=release)
    [checked] = report.checked
    assert checked.target == "documents" and checked.status == "valid"
    assert set(checked.changes.get_column("change")) == {"duplicate"}
    assert checked.changes.height == _documents(release).height


def test_documents_rows_breaking_the_schema_are_reported_by_row(release, tmp_path):
    documents = _documents(release)
    broken = documents.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("not-an-id")).otherwise("document_id").alias("document_id"),
        pl.when(pl.int_range(pl.len()) == 1).then(None).otherwise("title").alias("title"),
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("sometimes")).otherwise("date_precision").alias("date_precision"),
    )
    broken.write_csv(tmp_path / "documents.csv")
    found = _rules(check_paths([tmp_path / "documents.csv"]))
    assert {(2, "document_id", "pattern"), (3, "title", "required"), (4, "date_precision", "enum")} <= found


def _seen_on_a_document_page(release: Path) -> pl.Series:
    links = pl.read_csv(release / "data" / "document_sources.csv", infer_schema=False)
    return links.filter(pl.col("layout").is_in(["document_new", "document_old"])).get_column("document_id").unique()


def test_a_changed_document_is_reported_with_the_fields_that_changed(release, tmp_path):
    # documents no document page shows: a page's summary would win over a contributed one
    documents = _documents(release).filter(pl.col("record_id").is_not_null() & ~pl.col("document_id").is_in(
        _seen_on_a_document_page(release).implode())).head(2)
    changed = documents.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("A corrected summary of the document."))
        .otherwise("summary").alias("summary"))
    new = changed.head(1).with_columns(pl.lit("rid-999999").alias("document_id"), pl.lit("999999").alias("record_id"),
                                       pl.lit("A document the release does not have").alias("title"))
    pl.concat([changed, new]).write_csv(tmp_path / "documents.csv")
    [checked] = check_paths([tmp_path / "documents.csv"], against=release).checked
    changes = {r["document_id"]: (r["change"], r["fields"]) for r in checked.changes.to_dicts()}
    first, second = documents.get_column("document_id").to_list()
    assert changes[first] == ("change", ["summary"])
    assert changes[second] == ("duplicate", [])
    assert changes["rid-999999"][0] == "add"


def test_a_correction_of_what_a_document_page_shows_is_reported_kept_not_changed(release, tmp_path):
    """A document page's fields win over a contribution's in the build, so a contributed
    summary of a document seen on its page changes nothing; a field the page lacks is filled."""
    paged = _documents(release).filter(pl.col("document_id").is_in(_seen_on_a_document_page(release).implode())
                                       & pl.col("summary").is_not_null() & pl.col("classification").is_null()).head(1)
    corrected = paged.with_columns(pl.lit("A contributor's different summary.").alias("summary"),
                                   pl.lit("Top Secret").alias("classification"))
    corrected.write_csv(tmp_path / "documents.csv")
    [checked] = check_paths([tmp_path / "documents.csv"], against=release).checked
    [change] = checked.changes.to_dicts()
    assert (change["change"], change["fields"], change["kept"]) == ("change", ["classification"], ["summary"])
    paged.with_columns(pl.lit("A contributor's different summary.").alias("summary")).write_csv(tmp_path / "summary.csv")
    [checked] = check_paths([tmp_path / "summary.csv"], against=release).checked
    [change] = checked.changes.to_dicts()
    assert (change["change"], change["fields"], change["kept"]) == ("duplicate", [], ["summary"])
    assert "kept from the document page: summary" in text_report(check_paths([tmp_path / "summary.csv"], against=release))


def test_foreign_keys_may_point_into_the_release(release, tmp_path):
    members = pl.read_csv(release / "data" / "collection_documents.csv", infer_schema=False).head(2)
    orphan = members.head(1).with_columns(pl.lit("rid-424242").alias("document_id"), pl.lit("99").alias("position"))
    pl.concat([members, orphan]).write_csv(tmp_path / "members.csv")
    report = check_paths([tmp_path / "members.csv"], against=release)
    # checked all the same, though a build takes no collection_documents rows (refused as unused)
    assert _rules(report) == {(4, "document_id", "foreignKey"), (None, None, "unused")}
    assert _rules(check_paths([tmp_path / "members.csv"])) == {(None, None, "unused")}  # keys need a release


# --- packages ----------------------------------------------------------------------------

def _package(folder: Path, release: Path, resources: dict[str, str], copy: bool = True) -> Path:
    """A contributed package: the named release tables copied (when `copy`) under the given paths."""
    folder.mkdir(parents=True, exist_ok=True)
    described = []
    for name, path in resources.items():
        source = release / "data" / f"{name}.csv"
        if copy:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, folder / path)
        described.append({"name": name, "path": path})
    (folder / "datapackage.json").write_text(json.dumps({"name": "c", "resources": described}), encoding="utf-8")
    return folder


def test_a_package_is_checked_resource_by_resource_and_across_keys(release, tmp_path):
    package = _package(tmp_path / "pkg", release, {"documents": "data/documents.csv",
                                                   "collections": "data/collections.csv",
                                                   "collection_documents": "data/members.csv"})
    report = check_paths([package])
    assert [c.kind for c in report.checked] == ["package", "table", "table", "table"]
    # valid but for the tables a build takes no rows from
    assert {(p["file"].removeprefix(package.as_posix()), p["rule"]) for p in report.problems.to_dicts()} == {
        ("/data/collections.csv", "unused"), ("/data/members.csv", "unused")}, text_report(report)
    # drop the documents the members point to: every member row is now an orphan
    pl.read_csv(package / "data" / "documents.csv", infer_schema=False).head(0).write_csv(package / "data" / "documents.csv")
    members = pl.read_csv(package / "data" / "members.csv", infer_schema=False).height
    found = [p for p in _rules(check_paths([package])) if p[2] == "foreignKey"]
    assert len(found) == members > 0


@pytest.mark.parametrize("path, words", [
    ("../outside.csv", "leaves the contribution"),
    ("/etc/passwd", "leaves the contribution"),
    ("https://example.invalid/documents.csv", "nothing is fetched"),
    ("ftp://example.invalid/documents.csv", "nothing is fetched"),
    ("data/link.csv", "symbolic link"),
])
def test_unsafe_resource_paths_are_refused_without_reading(release, tmp_path, path, words):
    outside = tmp_path / "outside.csv"
    shutil.copy(release / "data" / "documents.csv", outside)
    package = _package(tmp_path / "pkg", release, {"documents": path}, copy=False)
    (package / "data").mkdir()
    os.symlink(outside, package / "data" / "link.csv")
    report = check_paths([package])
    [problem] = report.problems.to_dicts()
    assert problem["rule"] == "unsafe-path" and words in problem["message"]
    assert len(report.checked) == 1  # no table was read
    with pytest.raises(UnsafePath):
        resource_file(package, {"name": "documents", "path": path})


def test_unknown_resources_and_inline_data_are_problems(release, tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "secrets", "path": "x.csv"}, {"name": "documents", "data": [{"title": "x"}]},
    ]}), encoding="utf-8")
    rules = sorted(r["rule"] for r in check_paths([package]).problems.to_dicts())
    assert rules == ["unknown-resource", "unsafe-path"]


@pytest.mark.parametrize("text, words", [
    ('{"resources": []', "not valid JSON"),
    ('{"resources": [], "resources": []}', "appears twice"),
    ("[1, 2]", "not a data package descriptor"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_broken_descriptors_are_unreadable(tmp_path, text, words):
    (tmp_path / "datapackage.json").write_text(text, encoding="utf-8")
    report = check_paths([tmp_path])
    assert report.exit_code == 2
    assert words in report.problems.get_column("message")[0]


# --- captures ------------------------------------------------------------------------------

def test_captures_report_what_would_be_quarantined(samples_dir, release):
    report = check_paths([samples_dir], against=release)
    [checked] = report.checked
    sources = pl.read_csv(release / "data" / "sources.csv", infer_schema=False)
    quarantine = pl.read_csv(release / "data" / "quarantine.csv", infer_schema=False)
    bad_files = sources.filter(pl.col("status") != "ok").height
    assert checked.kind == "captures"
    assert report.problems.height == bad_files + quarantine.height
    assert set(checked.changes.get_column("change")) == {"duplicate"}


def test_one_capture_file_is_checked_alone(samples_dir):
    first = sorted(samples_dir.iterdir())[0]
    [checked] = check_paths([first]).checked
    assert checked.kind == "captures" and checked.rows >= 0
    assert all(f == first.as_posix() for f in checked.problems.get_column("file"))


# --- the report -----------------------------------------------------------------------------

def test_the_text_report_groups_by_rule_and_counts_the_rest(release, tmp_path):
    documents = _documents(release)
    documents.with_columns(pl.lit("sometimes").alias("date_precision")).write_csv(tmp_path / "documents.csv")
    text = text_report(check_paths([tmp_path / "documents.csv"]), shown=2)
    lines = text.splitlines()
    assert lines[0] == f"enum ({documents.height}):"
    assert lines[1].startswith(f"{(tmp_path / 'documents.csv').as_posix()}:2:date_precision: enum — ".lstrip()) or \
        lines[1].strip().startswith(f"{(tmp_path / 'documents.csv').as_posix()}:2:date_precision: enum — ")
    assert f"… and {documents.height - 2} more enum problems" in text
    assert lines[-1] == f"1 checked, 0 valid, {documents.height} problems: invalid"


def test_the_json_report_is_stable_and_complete(release):
    report = check_paths([SAMPLE_CONTRIBUTIONS / "scraper-export.csv",
                          SAMPLE_CONTRIBUTIONS / "scraper-export-with-problems.csv"], against=release)
    data = json.loads(json_report(report))
    assert list(data) == ["report_version", "valid", "exit_code", "summary", "files", "problems"]
    assert data["exit_code"] == 1 and data["valid"] is False
    assert set(data["problems"][0]) == {"file", "row", "field", "rule", "value", "message"}
    assert data["summary"]["problems"] == len(data["problems"]) == report.problems.height
    assert json_report(report) == json.dumps(report_data(report), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert [(c["row"], c["document_id"], c["change"]) for c in data["files"][0]["changes"]] == [
        (2, "rid-910001", "add"), (3, "rid-910002", "add")]
    assert [f["status"] for f in data["files"]] == ["valid", "invalid"]


def test_limits_come_from_the_project_settings():
    assert default_limits().max_bytes > 1_000_000 and default_limits(10).max_bytes == 10


# --- what a file is shown as, and what the exit status means -----------------------------------

LISTING = ("1 - 1 of 1\n\nJuly 31, 1981\n\nAn Invented Record of a Conversation about Ferries\n\n"
           "An invented summary of a talk about river ferries.\n")
EXPORT_HEADER = "document_url,original_publication_date,title,record_id,text_body"
EXPORT_ROW = 'https://example.org/document/80001,"May 3, 1951",An invented telegram,80001,body'
# One file of every kind a capture check cannot read anything from.
UNREADABLE_CAPTURES = {
    "empty.txt": b"",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "undecodable.txt": bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40,
    "unrecognised.txt": b"Dear colleague,\nthank you for the letter.\n",
}
UNREADABLE_TABLES = {"empty.csv": b"", "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def _problems_of(report, rule: str) -> list[dict]:
    return report.problems.filter(pl.col("rule") == rule).to_dicts()


def test_a_copy_is_named_with_the_earlier_file_it_copies(tmp_path):
    folder = _write(tmp_path / "captures", {
        "a/listing.txt": LISTING, "b/listing-copy.txt": LISTING,
        "image.png": UNREADABLE_CAPTURES["binary.txt"], "image-as.txt": UNREADABLE_CAPTURES["binary.txt"],
    })
    shown = folder.as_posix()
    report = check_paths([folder])
    copies = {(p["file"], p["message"]) for p in _problems_of(report, "duplicate")}
    assert copies == {(f"{shown}/b/listing-copy.txt", f"same bytes as {shown}/a/listing.txt")}
    # A copy of a file that is no capture is what that file is, not a duplicate of a capture.
    assert sorted(p["file"] for p in _problems_of(report, "binary")) == [f"{shown}/image-as.txt", f"{shown}/image.png"]


def test_the_files_of_a_package_are_shown_as_its_path_was_given(release, tmp_path, monkeypatch):
    package = _package(tmp_path / "pkg", release, {"documents": "data/documents.csv"})
    absolute = [c.path for c in check_paths([package]).checked]
    assert absolute == [f"{package.as_posix()}/datapackage.json", f"{package.as_posix()}/data/documents.csv"]
    monkeypatch.chdir(tmp_path)
    assert [c.path for c in check_paths([Path("pkg")]).checked] == ["pkg/datapackage.json", "pkg/data/documents.csv"]
    monkeypatch.chdir(package)
    assert [c.path for c in check_paths([Path("datapackage.json")]).checked] == [
        "datapackage.json", "data/documents.csv"]


@pytest.mark.parametrize("name", [*UNREADABLE_CAPTURES, *UNREADABLE_TABLES])
def test_a_file_nothing_can_be_read_from_exits_2_as_a_capture_or_a_table(tmp_path, name):
    path = _write(tmp_path, {name: {**UNREADABLE_CAPTURES, **UNREADABLE_TABLES}[name]}) / name
    report = check_paths([path])
    [checked] = report.checked
    assert (checked.status, report.exit_code) == ("unreadable", 2), text_report(report)


def test_files_nothing_can_be_read_from_inside_a_folder_are_its_problems_exit_1(tmp_path):
    folder = _write(tmp_path / "sent", {**UNREADABLE_CAPTURES, **UNREADABLE_TABLES,
                                        "listing.txt": LISTING})
    report = check_paths([folder])
    assert report.exit_code == 1, text_report(report)
    shown = {p["file"].removeprefix(folder.as_posix() + "/") for p in report.problems.to_dicts()}
    assert shown == {*UNREADABLE_CAPTURES, *UNREADABLE_TABLES}
    assert text_report(report).endswith(": invalid\n")


def test_one_unrecognised_capture_is_a_problem_of_that_file_the_rest_still_checked(tmp_path):
    folder = _write(tmp_path / "captures", {"listing.txt": LISTING,
                                            "letter.txt": UNREADABLE_CAPTURES["unrecognised.txt"]})
    report = check_paths([folder])
    [checked] = report.checked
    assert (checked.kind, checked.status, checked.rows, report.exit_code) == ("captures", "invalid", 1, 1)
    [problem] = report.problems.to_dicts()
    assert (problem["file"], problem["rule"]) == (f"{folder.as_posix()}/letter.txt", "unrecognised")


OTHER_ROW = EXPORT_ROW.replace("80001", "80002")  # good.csv's record id would be repeated across the files


def test_a_folder_is_checked_file_by_file_by_kind(release, tmp_path):
    folder = _write(tmp_path / "sent", {
        "good.csv": f"{EXPORT_HEADER}\n{EXPORT_ROW}\n",
        "tables/bad_rows.csv": f"{EXPORT_HEADER}\n{OTHER_ROW}\n{OTHER_ROW}\n",
        "pages/listing.txt": LISTING,
    })
    _package(folder / "pkg", release, {"documents": "data/documents.csv"})
    shown = folder.as_posix()
    report = check_paths([folder])
    assert [(c.path, c.kind, c.target, c.status) for c in report.checked] == [
        (shown, "captures", "captures", "valid"),
        (f"{shown}/good.csv", "table", "scraper-export", "valid"),
        (f"{shown}/pkg/datapackage.json", "package", None, "valid"),
        (f"{shown}/pkg/data/documents.csv", "table", "documents", "valid"),
        (f"{shown}/tables/bad_rows.csv", "table", "scraper-export", "invalid"),
    ]
    assert _rules(report) == {(3, "record_id", "unique")}
    assert report.exit_code == 1


def test_a_folder_with_no_files_cannot_be_checked(tmp_path):
    (tmp_path / "sent").mkdir()
    report = check_paths([tmp_path / "sent"])
    assert report.exit_code == 2
    assert "no files" in report.problems.get_column("message")[0]


def test_a_folder_in_the_inbox_is_judged_file_by_file(tmp_path):
    folder = tmp_path / "contributions"
    good = _write(folder / "inbox" / "good", {"export.csv": f"{EXPORT_HEADER}\n{EXPORT_ROW}\n"})
    mixed = _write(folder / "inbox" / "mixed", {"export.csv": f"{EXPORT_HEADER}\n{EXPORT_ROW}\n",
                                                "empty.csv": b""})
    assert inbox.inbox_entries(folder) == [good, mixed]
    judged = inbox.check_entry(good, default_limits())
    assert ([(c.kind, c.target) for c in judged.checked], judged.exit_code) == ([("table", "scraper-export")], 0)
    assert inbox.file_entry(good, judged, folder) == folder / "accepted" / "good"
    judged = inbox.check_entry(mixed, default_limits())
    assert [(c.path.removeprefix(mixed.as_posix()), c.status) for c in judged.checked] == [
        ("/empty.csv", "unreadable"), ("/export.csv", "valid")]
    assert judged.exit_code == 1
    assert inbox.file_entry(mixed, judged, folder) == folder / "rejected" / "mixed"


# --- what the build will do with it ----------------------------------------------------------

DOCUMENT_FIELDS = [f["name"] for f in
                   json.loads((PROJECT_ROOT / "schemas" / "documents.json").read_text("utf-8"))["fields"]]
CD_TABLE = "collection_id,document_id,position\ncollection-invented,rid-70001,1\n"


def _document(number: int, **values) -> dict:
    """One invented, valid row of our documents table (as text cells) of record id `number`,
    `values` over it."""
    row = dict.fromkeys(DOCUMENT_FIELDS)
    row.update(document_id=f"rid-{number}", record_id=str(number),
               title=f"An invented memorandum number {number}", date="1951-03-02", date_precision="day",
               date_start="1951-03-02", date_end="1951-03-02", date_text="March 2, 1951", has_text="false",
               source_count="1")
    row.update(values)
    return row


def _documents_table(path: Path, *rows: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(list(rows), schema=dict.fromkeys(DOCUMENT_FIELDS, pl.String)).write_csv(path)
    return path


def test_a_documents_table_is_also_checked_as_the_build_reads_it_each_problem_once(tmp_path):
    path = _documents_table(
        tmp_path / "documents.csv",
        _document(70001),
        _document(70002, title="L" * 2500),  # the records schema's maxLength
        _document(70003, date_text="n.d."),  # the normaliser cannot read it
        _document(1234567890),  # more digits than a record id has
        _document(70005, record_id="abc"),  # the schema's type problem, said once
        _document(70006, date_text=None, date="someday"),  # the schema's pattern problem, said once
    )
    report = check_paths([path])
    assert _rules(report) == {(3, "title", "maxLength"), (4, "date_text", "date"), (5, "record_id", "pattern"),
                              (6, "record_id", "type"), (7, "date", "pattern")}
    # every row the build would quarantine is a row the check reports
    extracted = contribution.accepted_extracted(tmp_path)
    _, quarantined = pipeline.checked_records(extracted.records)
    rows = set((quarantined.get_column("position") + 1).to_list())
    assert rows and rows <= {r[0] for r in _rules(report)}


def test_a_problem_of_a_field_two_columns_fill_names_the_column_its_value_came_from(tmp_path):
    """documents.json fills date_text from `date` when date_text is empty."""
    path = _documents_table(tmp_path / "documents.csv", _document(70011, date_text=None, date="1950-13"),
                            _document(70012, date_text="31 February 1950"))
    assert _rules(check_paths([path])) == {(2, "date", "date"), (3, "date_text", "date")}


def test_a_rid_document_id_must_name_its_record_id_and_changes_give_the_build_s_id(release, tmp_path):
    path = _documents_table(tmp_path / "documents.csv", _document(900003, document_id="rid-900002"),
                            _document(900004, record_id=None), _document(900005))
    report = check_paths([path], against=release)
    assert _rules(report) == {(2, "document_id", "document-id"), (3, "document_id", "document-id")}
    first, second = report.problems.get_column("message").to_list()
    assert "rid-900003" in first and "900004" in second
    [checked] = report.checked
    assert {(r["document_id"], r["change"]) for r in checked.changes.to_dicts()} >= {
        ("rid-900003", "add"), ("rid-900005", "add")}


def test_a_repeated_or_missing_document_id_is_one_problem(tmp_path):
    path = _documents_table(tmp_path / "documents.csv", _document(70001), _document(70001, title="A second title"),
                            _document(70003, document_id=None))
    assert _rules(check_paths([path])) == {(3, "document_id", "unique"), (4, "document_id", "required")}


def test_tables_the_build_takes_no_rows_from_are_refused_with_the_reason(tmp_path):
    (tmp_path / "members.csv").write_text(CD_TABLE, encoding="utf-8")
    report = check_paths([tmp_path / "members.csv"])
    [problem] = report.problems.to_dicts()
    assert (problem["rule"], report.exit_code) == ("unused", 1)
    assert "collection_documents" in problem["message"] and "build" in problem["message"]
    folder = tmp_path / "contributions"
    package = _documents_table(folder / "inbox" / "pkg" / "documents.csv", _document(70001)).parent
    (package / "members.csv").write_text(CD_TABLE, encoding="utf-8")
    (package / DESCRIPTOR).write_text(json.dumps({"resources": [
        {"name": "documents", "path": "documents.csv"}, {"name": "collection_documents", "path": "members.csv"}]}))
    judged = inbox.check_entry(package, default_limits())
    assert "unused" in judged.problems.get_column("rule").to_list()
    assert inbox.file_entry(package, judged, folder) == folder / "rejected" / "pkg"


def test_the_build_reads_an_accepted_package_through_its_descriptor(tmp_path):
    accepted = tmp_path / "accepted"
    package = _documents_table(accepted / "pkg" / "data" / "docs.csv", _document(70001)).parent.parent
    (package / DESCRIPTOR).write_text(json.dumps({"resources": [{"name": "documents", "path": "data/docs.csv"}]}))
    (package / "notes.txt").write_text("not one of the package's resources\n", encoding="utf-8")
    assert check_paths([package]).exit_code == 0
    (accepted / "members.csv").write_text(CD_TABLE, encoding="utf-8")  # accepted before tables like it were refused
    extracted = contribution.accepted_extracted(accepted)
    sources = {r["path"]: (r["status"], r["records"]) for r in extracted.sources.to_dicts()}
    assert sources["contributions/pkg/data/docs.csv"] == ("ok", 1)
    assert "contributions/pkg/datapackage.json" not in sources and "contributions/pkg/notes.txt" not in sources
    assert sources["contributions/members.csv"] == ("unrecognised", 0)
    assert "collection_documents" in extracted.sources.filter(
        pl.col("path") == "contributions/members.csv").get_column("message")[0]


def test_an_entry_never_takes_the_name_of_another_s_report(tmp_path):
    folder = tmp_path / "contributions"
    _write(folder / "accepted", {"b.csv.report.json": "a contributor's file\n"})
    entry = _write(folder / "inbox", {"b.csv": f"{EXPORT_HEADER}\n{EXPORT_ROW}\n"}) / "b.csv"
    judged = inbox.check_entry(entry, default_limits())
    target = inbox.file_entry(entry, judged, folder)
    assert target == folder / "accepted" / "b.1.csv"
    assert (folder / "accepted" / "b.csv.report.json").read_text("utf-8") == "a contributor's file\n"
    assert (folder / "accepted" / "b.1.csv.report.json").exists()


@pytest.mark.parametrize("name, content", [
    ("b.csv.report.json", json.dumps([{"document_url": "https://example.org/document/80001", "title": "A telegram",
                                       "original_publication_date": "May 3, 1951", "record_id": "80001",
                                       "text_body": "body"}])),
    ("b.report.txt", LISTING),
    (DESCRIPTOR, json.dumps({"resources": [{"name": "documents", "path": "documents.csv"}]})),
])
def test_entries_the_build_would_not_read_by_their_name_are_rejected(tmp_path, name, content):
    folder = tmp_path / "contributions"
    entry = _write(folder / "inbox", {name: content}) / name
    judged = inbox.check_entry(entry, default_limits())
    assert judged.exit_code == 1 and "entry-name" in judged.problems.get_column("rule").to_list()
    assert inbox.file_entry(entry, judged, folder).parent == folder / "rejected"
