"""Checking what comes from outside: contributed tables, data packages and captures.

Nothing from a contributor enters a build before it passes the schemas the published
dataset uses. `check_paths` reads each path the way its kind needs (a folder file by file,
each file by its kind) and gathers every problem as one row (file, row, field, rule, value,
message); `etl validate`, the `validate_contribution` flow and the build's reading of
accepted contributions all call this module. Nothing is fetched and nothing outside a
contribution is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from etl import pipeline
from etl.compare import CHANGE_SCHEMA, document_changes
from etl.config import settings
from etl.dedup import DOCUMENT_PAGE_LAYOUTS, assign_documents, merge_documents
from etl.mapping import (Mapping, filling_columns, mapped_records, mapping_for, mapping_named, mapping_problems,
                         mappings)
from etl.schema import field_names, load_schema, polars_schema, required_fields
from etl.checksums import file_sha256
from etl.sources import list_source_files
from etl.tables import Limits, TableRead, UnreadableTable, read_table, table_format
from etl.validate import VIOLATION_SCHEMA, foreign_key_orphans, typed_table, violations

PROBLEM_SCHEMA = {
    "file": pl.String, "row": pl.Int64, "field": pl.String, "rule": pl.String,
    "value": pl.String, "message": pl.String,
}
# Rules of a file nothing could be read from: it cannot be read at all, or not as what it
# claims to be (exit status 2 when it is a path named to the check, see Report.exit_code).
UNREADABLE_RULES = ("unreadable", "unrecognised", "empty", "binary", "undecodable", "parse_error")
DESCRIPTOR = "datapackage.json"
REPORT_SUFFIXES = (".report.json", ".report.txt")
# A cell a spreadsheet would run as a formula, unless it is a plain number.
_FORMULA = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?\d+(?:\.\d+)?$"
# Tables count rows as a spreadsheet and frictionless do: the header is row 1.
_FIRST_DATA_ROW = 2


@dataclass
class Checked:
    """One checked input: what it was taken for and what is wrong with it."""

    path: str
    kind: str  # table, package, captures
    target: str | None = None  # resource or mapping the rows were checked as
    rows: int = 0
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))
    changes: pl.DataFrame | None = None  # against a release: row, document_id, change, fields
    record_ids: pl.DataFrame | None = None  # of a mapped table: row, field (its column), record_id
    inside: bool = False  # a file found inside a folder or package named to the check, not named itself

    @property
    def status(self) -> str:
        """unreadable when nothing could be read from this input itself; a file inside a
        folder that cannot be read is one of the folder's problems, not the folder unreadable."""
        own_rules = self.problems.filter(pl.col("file") == self.path).get_column("rule")
        if own_rules.is_in(UNREADABLE_RULES).any():
            return "unreadable"
        return "invalid" if self.problems.height else "valid"


@dataclass
class Report:
    checked: list[Checked]

    @property
    def problems(self) -> pl.DataFrame:
        return pl.concat([c.problems for c in self.checked]) if self.checked else pl.DataFrame(schema=PROBLEM_SCHEMA)

    @property
    def exit_code(self) -> int:
        """0 valid; 1 problems found, a file inside a named folder or package that cannot be
        read among them; 2 a named path that nothing could be read from."""
        if any(c.status == "unreadable" and not c.inside for c in self.checked):
            return 2
        return 1 if any(c.status != "valid" for c in self.checked) else 0


def file_problem(path: str, rule: str, message: str, field_name: str | None = None, value: str | None = None) -> pl.DataFrame:
    return pl.DataFrame([{"file": path, "row": None, "field": field_name, "rule": rule,
                          "value": value, "message": message}], schema=PROBLEM_SCHEMA)


def _row_problems(path: str, found: pl.DataFrame, rename: dict[str, str] | None = None) -> pl.DataFrame:
    """Violations (0-based rows, our field names) as report rows of `path`."""
    renamed = pl.col("field").replace(rename) if rename else pl.col("field")
    return found.select(
        pl.lit(path).alias("file"), (pl.col("row").cast(pl.Int64) + _FIRST_DATA_ROW).alias("row"),
        renamed.alias("field"), "rule", "value", "message",
    ).cast(PROBLEM_SCHEMA)


def _sorted(problems: list[pl.DataFrame]) -> pl.DataFrame:
    found = pl.concat([p.cast(PROBLEM_SCHEMA) for p in problems]) if problems else pl.DataFrame(schema=PROBLEM_SCHEMA)
    return found.unique(["file", "row", "field", "rule"], keep="first", maintain_order=True) \
        .sort("file", "row", "field", "rule", nulls_last=False)


def _folder_prefix(folder: str) -> str:
    """What goes before a path below `folder` (a folder as the report names it) to name the
    file as the user gave the folder: relative below a relative folder, absolute below an
    absolute one; nothing below "."."""
    folder = PurePosixPath(folder).as_posix()
    return "" if folder == "." else f"{folder.rstrip('/')}/"


def default_limits(max_bytes: int | None = None) -> Limits:
    """The limits in pyproject's [tool.etl.contribution-limits], max_bytes overridden if given."""
    limits = dict(settings().contribution_limits)
    if max_bytes is not None:
        limits["max_bytes"] = max_bytes
    return Limits(**limits)


# --- what a header is --------------------------------------------------------------------

def resource_for(header: list[str]) -> str | None:
    """The published resource whose fields the header names (all its required ones, and
    more of its fields than of any other resource's)."""
    best, best_share = None, 0.0
    for name in settings().resources:
        schema = load_schema(name)
        names = set(field_names(schema))
        required = set(required_fields(schema))
        share = len(names & set(header)) / len(names | set(header))
        if required <= set(header) and share > best_share:
            best, best_share = name, share
    return best if best_share >= 0.5 else None


def _target(header: list[str], wanted: str | None) -> tuple[str | None, Mapping | None]:
    """(resource, mapping) the table is read as: the one asked for, else recognised."""
    if wanted:
        if wanted in settings().resources:
            return wanted, mapping_named(wanted)
        return None, mapping_named(wanted)
    resource = resource_for(header)
    return resource, mapping_named(resource) if resource else mapping_for(header)


def target_names() -> list[str]:
    return sorted({*settings().resources, *(m.name for m in mappings())})


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _near_name_hint(column: str, known: list[str], header: list[str]) -> str:
    """'; did you mean "x"?' when `column` is a known name but for case or spaces."""
    near = [k for k in known if k != column and k not in header and _folded(k) == _folded(column)]
    return f'; did you mean "{near[0]}"? the names differ only in case or spaces' if near else ""


def _separator_hint(header: list[str], path: Path) -> str | None:
    """A sentence for a header read as one column that holds another separator."""
    if len(header) != 1:
        return None
    found = [(sep, shown) for sep, shown in ((";", '";"'), ("\t", "tabs"), ("|", '"|"'), (",", '","'))
             if sep in header[0]]
    if not found:
        return None
    sep, shown = found[0]
    expected = {"csv": 'commas (",")', "tsv": "tabs"}.get(table_format(path) or "", "")
    if not expected:
        return None
    advice = " (or name the file .tsv)" if sep == "\t" else ""
    return (f"the header is read as one column, {header[0][:80]!r}, which holds {shown}: the file seems to "
            f"separate its cells with {shown}; save it with {expected} between cells{advice}")


def _unrecognised_message(header: list[str], path: Path) -> str:
    """Why no resource or mapping fits the header: a wrong separator, or the closest
    mapping or resource and the columns it needs that the header lacks."""
    names = f"name one with --resource ({', '.join(target_names())})"
    if hint := _separator_hint(header, path):
        return hint
    folded = {_folded(c): c for c in header}
    candidates = [(m.name, f"the mapping {m.name}", list(m.recognised_by)) for m in mappings()] + [
        (r, f"the resource {r}", list(required_fields(load_schema(r)))) for r in settings().resources]
    best = max(candidates, key=lambda c: sum(_folded(n) in folded for n in c[2]) / max(len(c[2]), 1))
    _, what, needed = best
    if not any(_folded(n) in folded for n in needed):
        return f"the header matches no resource of this package and no mapping in mappings/; {names}"
    lacking = [f'"{n}"' + (f' (the header has "{folded[_folded(n)]}": names differ in case or spaces)'
                           if _folded(n) in folded else "")
               for n in needed if n not in header]
    return (f"the header is closest to {what}, which needs the columns {', '.join(needed)}, but lacks "
            f"{', '.join(lacking)}; rename or add the columns, or {names}")


# --- checks of one table -------------------------------------------------------------------

def formula_cells(table: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would execute (leading =, +, -, @, tab or CR)."""
    names = [name for name, dtype in table.schema.items() if dtype == pl.String()]
    leading = {name: pl.col(name).str.contains(_FORMULA) & ~pl.col(name).str.contains(_NUMBER) for name in names}
    # One cheap pass finds the rows with any suspect first character; the per-column report
    # (and the plain-number exception) is worked out on those rows alone.
    suspect = table.with_row_index("row").filter(
        pl.any_horizontal(pl.col(name).str.contains(_FORMULA) for name in names)) if names else table.clear()
    frames = [
        suspect.lazy().filter(flagged).select(
            "row", pl.lit(name).alias("field"), pl.lit("formula").alias("rule"),
            pl.col(name).str.slice(0, 200).alias("value"),
            pl.lit(f"{name} starts with a character that makes a spreadsheet run the cell as a "
                   "formula; remove it or reword the cell").alias("message"),
        )
        for name, flagged in leading.items()
    ] if suspect.height else []
    return pl.concat(frames).collect().cast(VIOLATION_SCHEMA) if frames else pl.DataFrame(schema=VIOLATION_SCHEMA)


def label_problems(path: str, header: list[str], schema: dict, resource: str) -> list[pl.DataFrame]:
    """Columns the resource does not have, and required columns the table lacks."""
    names = field_names(schema)
    return [
        *[file_problem(path, "extra-label", f'column "{c}" is not a field of {resource}'
                       + _near_name_hint(c, names, header), c) for c in header if c not in names],
        *[file_problem(path, "missing-label", f"the required column {c} of {resource} is missing", c)
          for c in required_fields(schema) if c not in header],
    ]


def contributed_records(table: pl.DataFrame, mapping: Mapping, source_id: str) -> pl.DataFrame:
    """The table's rows as extracted records of a contribution (position = data row, from 1)."""
    return mapped_records(table, mapping).with_columns(
        pl.lit(source_id).alias("source_id"),
        pl.int_range(1, table.height + 1, dtype=pl.Int64).alias("position"),
        pl.lit("contribution").alias("layout"),
    )


def _quarantine_as_problems(path: str, quarantine: pl.DataFrame, table: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """The build's quarantine rows as problems of the contributed columns: a field several
    columns fill is named by the column its row's value came from."""
    found = quarantine.select((pl.col("position") - 1).alias("row"), "field", "rule", "value", "message")
    named = {f: mapping.column_of(f) for f in found.get_column("field").unique().drop_nulls()}
    columns = found.join(filling_columns(table, mapping), on=["row", "field"], how="left", maintain_order="left")
    return _row_problems(path, columns.with_columns(
        pl.coalesce("column", pl.col("field").replace(named)).alias("field")).drop("column"))


def repeated_record_ids(records: pl.DataFrame) -> pl.DataFrame:
    """Violations (0-based rows) for records whose record id an earlier record of the same
    table already has: a record id names one document, and the build would merge them."""
    first = pl.col("position").min().over("record_id").alias("_first")
    return records.with_columns(first).filter(
        pl.col("record_id").is_not_null() & (pl.col("position") != pl.col("_first"))).select(
        (pl.col("position") - 1).alias("row"), pl.lit("record_id").alias("field"), pl.lit("unique").alias("rule"),
        pl.col("record_id").cast(pl.String).alias("value"),
        pl.format("record_id {} is already the record id of row {}; a record id names one document, "
                  "so send one row per document", pl.col("record_id"),
                  pl.col("_first") - 1 + _FIRST_DATA_ROW).alias("message"),
    ).sort("row").cast(VIOLATION_SCHEMA)


def node_numbers_as_record_ids(records: pl.DataFrame) -> pl.DataFrame:
    """Violations (0-based rows) for records whose record id is the number of their own
    /node/<n> address: the site's page number, which a scraper may take for the record id,
    and the build would merge the row with the record of that id."""
    node = pl.col("url").str.extract(r"/node/(\d{1,18})/?(?:[?#].*)?$").cast(pl.Int64, strict=False)
    return records.filter(node == pl.col("record_id")).select(
        (pl.col("position") - 1).alias("row"), pl.lit("record_id").alias("field"), pl.lit("record-id").alias("rule"),
        pl.col("record_id").cast(pl.String).alias("value"),
        pl.format("record_id {} is the number of the row's address {}: a /node/ number is the site's page number, "
                  "not a record id; give the Record ID the page prints, or leave record_id empty",
                  pl.col("record_id"), pl.col("url")).alias("message"),
    ).sort("row").cast(VIOLATION_SCHEMA)


def unreadable_upload_dates(records: pl.DataFrame) -> pl.DataFrame:
    """Violations (0-based rows) for records with an upload date that is no ISO date: the
    build publishes uploaded_date only as one, and would leave any other text out unsaid."""
    return records.filter(pl.col("uploaded_date_text").is_not_null() & pl.col("uploaded_date").is_null()).select(
        (pl.col("position") - 1).alias("row"), pl.lit("uploaded_date_text").alias("field"),
        pl.lit("date").alias("rule"), pl.col("uploaded_date_text").alias("value"),
        pl.format("the upload date {} is not a real date written as YYYY-MM-DD; it would be published empty",
                  pl.col("uploaded_date_text")).alias("message"),
    ).sort("row").cast(VIOLATION_SCHEMA)


def disagreeing_ids(table: pl.DataFrame, accepted: pl.DataFrame) -> pl.DataFrame:
    """Violations (0-based rows) for rows whose document_id is a rid- id the build would not
    give them. The build ignores a contributed document_id: it names a document rid-<record
    id> (the record id read from record_id, else from a /document/<n> url), and one without a
    record id by its title and date, so a rid- id that is not the row's own names nothing."""
    if table.schema.get("document_id") != pl.String():
        return pl.DataFrame(schema=VIOLATION_SCHEMA)
    given = table.select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("position"), "document_id")
    built = accepted.select("position", pl.col("record_id").cast(pl.String).alias("_record_id"))
    wrong = given.join(built, on="position").filter(
        pl.col("document_id").str.starts_with("rid-")
        & (pl.col("document_id") != pl.lit("rid-") + pl.col("_record_id")).fill_null(True))
    return wrong.select(
        (pl.col("position") - 1).alias("row"), pl.lit("document_id").alias("field"),
        pl.lit("document-id").alias("rule"), pl.col("document_id").alias("value"),
        pl.when(pl.col("_record_id").is_null()).then(pl.format(
            "document_id {} names a record id, but the row has none (no record_id, no /document/<n> url): "
            "the build would name this document by its title and date instead; fill record_id",
            pl.col("document_id"))).otherwise(pl.format(
            "document_id {} is not the id of the row's record_id {}: the build names a document by its "
            "record id and would publish this row as rid-{}; make document_id and record_id agree",
            pl.col("document_id"), pl.col("_record_id"), pl.col("_record_id"))).alias("message"),
    ).sort("row").cast(VIOLATION_SCHEMA)


def _mapped_row_problems(path: str, read: TableRead, cells: pl.DataFrame, records: pl.DataFrame,
                         missing_columns: list[str]) -> pl.DataFrame:
    """The row problems of a mapped table, each said once: a blank row is one `blank-row`
    problem (not its record's `required` ones), a cell of the wrong type hides the record
    rules broken by its emptiness, and a required column the table lacks is a missing-label,
    not a `required` problem in every row."""
    table = read.table
    blank = table.lazy().with_row_index("row").filter(pl.all_horizontal(pl.exclude("row").is_null())).select(
        "row", pl.lit("").alias("field"), pl.lit("blank-row").alias("rule"), pl.lit(None, pl.String).alias("value"),
        pl.lit("row is blank: every cell is empty").alias("message"),
    ).collect().cast(VIOLATION_SCHEMA) if table.width else pl.DataFrame(schema=VIOLATION_SCHEMA)
    found = _row_problems(path, pl.concat([read.problems, blank, cells]))
    typed_cells = found.filter(pl.col("rule") == "type").select("row", "field")
    blank_rows = found.filter(pl.col("rule") == "blank-row").select("row")
    later = records.filter(~((pl.col("rule") == "required") & pl.col("field").is_in(missing_columns))) \
        .join(typed_cells, on=["row", "field"], how="anti")
    return pl.concat([found.join(blank_rows, on="row", how="anti"), found.filter(pl.col("rule") == "blank-row"),
                      later.join(blank_rows, on="row", how="anti")])


def _build_reading(shown: str, path: Path, read: TableRead, mapping: Mapping) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(what the build finds wrong reading the table through `mapping`, as report rows; the
    records it keeps). The build quarantines a row whose cells it cannot read, or whose record
    the records schema, the normaliser or the documents rules refuse; a record id repeated
    or taken from a /node/ address, an upload date the build would drop and a rid-
    document_id the build would not give are refused here as well."""
    missing = mapping.missing_required(read.table.columns)
    missing_columns = [columns[0] if columns else f for f, columns in missing.items()]
    records = contributed_records(read.table, mapping, _file_id(path))
    accepted, quarantine = pipeline.checked_records(records)
    found = [
        _mapped_row_problems(shown, read, mapping_problems(read.table, mapping),
                             _quarantine_as_problems(shown, quarantine, read.table, mapping), missing_columns),
        _row_problems(shown, pl.concat([repeated_record_ids(accepted), node_numbers_as_record_ids(accepted),
                                        unreadable_upload_dates(accepted)]),
                      {f: mapping.column_of(f) for f in ("record_id", "uploaded_date_text")}),
        _row_problems(shown, disagreeing_ids(read.table, accepted)),
    ]
    return pl.concat([f.cast(PROBLEM_SCHEMA) for f in found]), accepted


def _new_to(found: pl.DataFrame, said: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """The problems in `found` (the build's reading of a table of one of our resources) that
    `said` (the resource's own schema) does not already give: none about a cell the schema
    finds wrong, nor about another column filling the same field in that row (`date` fills
    an empty `date_text`), and no repeated record id in a row whose id the schema finds repeated."""
    filled = {column: spec["field"] for column, spec in mapping.columns.items() if spec}
    cell = [pl.col("row"), pl.col("field").replace(filled).alias("_filled")]
    wrong_cells = said.filter(pl.col("row").is_not_null()).select(cell).unique()
    repeated = said.filter(pl.col("rule").is_in(["unique", "primaryKey"])).get_column("row").unique()
    fresh = found.with_columns(cell[1]).join(wrong_cells, on=["row", "_filled"], how="anti").drop("_filled")
    return fresh.filter(~((pl.col("rule") == "unique") & pl.col("row").is_in(repeated.implode())))


def _key_said_once(found: pl.DataFrame) -> pl.DataFrame:
    """Violations without the primaryKey problem of a row whose one key field already breaks
    its own unique or required rule there: a repeated or missing id is one problem, not two."""
    own = found.filter(pl.col("rule").is_in(["unique", "required"])).select("row", "field")
    key = found.filter(pl.col("rule") == "primaryKey").join(own, on=["row", "field"], how="anti")
    return pl.concat([found.filter(pl.col("rule") != "primaryKey"), key]).sort("row", "field", "rule")


def _unused_message(resource: str) -> str:
    """Why a build takes nothing from a table of `resource` (one no mapping reads)."""
    return (f"a build takes no rows from a table of `{resource}`: contributions enter it only as document "
            f"records, through a mapping of mappings/ ({', '.join(m.name for m in mappings())}); send the "
            f"documents as one of those and leave this table out")


def foreign_key_problems(path: str, table: pl.DataFrame, schema: dict,
                         references: dict[str, pl.DataFrame]) -> list[pl.DataFrame]:
    """Rows whose foreign keys name no row of the referenced resource (in the same
    contribution or the published release); keys to a resource not at hand are not checked."""
    problems = []
    for fk in schema.get("foreignKeys", []):
        parent_name, parent_fields = fk["reference"]["resource"], fk["reference"]["fields"]
        if parent_name not in references or not set(fk["fields"]) <= set(table.columns):
            continue
        orphans = foreign_key_orphans(table, fk, references[parent_name])
        key = ",".join(fk["fields"])
        problems.append(_row_problems(path, orphans.select(
            "row", pl.lit(key).alias("field"), pl.lit("foreignKey").alias("rule"),
            pl.concat_str(fk["fields"], separator=",").alias("value"),
            pl.lit(f"{key} names no {parent_name}.{','.join(parent_fields)}").alias("message"),
        )))
    return problems


def _on_document_pages(published: dict[str, pl.DataFrame]) -> pl.Series | None:
    """The ids of the published documents a document page shows, when the release says."""
    links = published.get("document_sources")
    if links is None:
        return None
    return links.filter(pl.col("layout").is_in(DOCUMENT_PAGE_LAYOUTS)).get_column("document_id").unique()


def _changes(documents: pl.DataFrame, assigned: pl.DataFrame, published: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per document the mapped rows make: its first data row, and what it does to the release."""
    rows = assigned.group_by("document_id").agg((pl.col("position").min() - 1 + _FIRST_DATA_ROW).alias("row"))
    changes = document_changes(documents, published["documents"], _on_document_pages(published))
    return changes.join(rows, on="document_id", how="left") \
        .select("row", *CHANGE_SCHEMA).sort("row", "document_id")


def check_table(path: Path, shown: str, wanted: str | None = None, limits: Limits = Limits(),
                published: dict[str, pl.DataFrame] | None = None,
                check_keys: bool = True) -> tuple[Checked, pl.DataFrame | None]:
    """Check one contributed table; also return it typed as its resource when `check_keys`
    is off (a package checks keys itself, once all its tables are read).

    A table of one of our resources is checked against its Table Schema and, when the build
    reads it through a mapping (documents), also as the build reads it, so that a row it
    would quarantine is a problem here; a resource no mapping reads is refused, the build
    would leave it out. Foreign keys are checked against `published`, and the documents the
    build would make of the rows compared with the published ones, when it is given.
    """
    published = published or {}
    try:
        read = read_table(path, limits)
    except UnreadableTable as err:
        return Checked(shown, "table", problems=file_problem(shown, "unreadable", str(err))), None
    header = read.table.columns
    resource, mapping = _target(header, wanted)
    checked = Checked(shown, "table", resource or (mapping.name if mapping else None), read.table.height)
    if resource is None and mapping is None:
        message = (f"no resource named {wanted}; use one of {', '.join(target_names())}" if wanted else
                   _unrecognised_message(header, path))
        checked.problems = file_problem(shown, "unrecognised", message)
        return checked, None
    problems = [_row_problems(shown, formula_cells(read.table))]
    typed, accepted = None, None
    if resource:
        schema = load_schema(resource)
        problems.append(_row_problems(shown, read.problems))
        problems += label_problems(shown, header, schema, resource)
        problems.append(_row_problems(shown, _key_said_once(violations(read.table.select(
            [c for c in header if c in field_names(schema)]), schema))))
        if check_keys:
            problems += foreign_key_problems(shown, read.table, schema, published)
        else:  # typed rows, for the package to check keys across its tables
            typed = typed_table(read.table, schema)
        if mapping is None:
            problems.append(file_problem(shown, "unused", _unused_message(resource)))
        else:
            found, accepted = _build_reading(shown, path, read, mapping)
            problems.append(_new_to(found, _sorted(problems), mapping))
    else:
        problems += [file_problem(shown, "extra-label", f'column "{c}" is not in the mapping {mapping.name}'
                                  + _near_name_hint(c, list(mapping.columns), header), c)
                     for c in mapping.unknown_columns(header)]
        problems += [file_problem(shown, "missing-label", f"the column {' or '.join(columns) or field_name} is "
                                  f"missing: it fills {field_name}, which every record needs",
                                  columns[0] if columns else field_name)
                     for field_name, columns in mapping.missing_required(header).items()]
        found, accepted = _build_reading(shown, path, read, mapping)
        problems.append(found)
    if accepted is not None:
        checked.record_ids = accepted.filter(pl.col("record_id").is_not_null()).select(
            (pl.col("position") - 1 + _FIRST_DATA_ROW).alias("row"),
            pl.lit(mapping.column_of("record_id")).alias("field"), "record_id")
    if accepted is not None and "documents" in published:
        # What the build would make of the rows, under the ids it would give them.
        assigned, _ = assign_documents(accepted)
        checked.changes = _changes(merge_documents(assigned), assigned, published)
    checked.problems = _sorted(problems)
    return checked, typed


def _file_id(path: Path) -> str:
    """The content id a capture of the same bytes would have (sources.source_id)."""
    return file_sha256(path)[:16]


# --- data packages -------------------------------------------------------------------------

class UnsafePath(Exception):
    """A resource path that would read outside the contribution, or fetch something."""


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def read_descriptor(path: Path, limits: Limits) -> dict:
    """A contributed datapackage.json as a dict; ValueError with one sentence when it is not one."""
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path.name} is not a regular file")
    if path.stat().st_size > limits.max_bytes:
        raise ValueError(f"{path.name} is larger than the {limits.max_bytes:,}-byte limit")
    try:
        descriptor = json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{path.name} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:
        raise ValueError(f"{path.name} is nested too deeply to be a data package descriptor") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise ValueError(f"{path.name} is not a data package descriptor: it needs an object with a 'resources' list")
    return descriptor


def resource_file(root: Path, resource: dict) -> Path:
    """The local file a resource names, refusing remote, absolute, upward and linked-out paths."""
    name = resource.get("name", "?")
    if "data" in resource and "path" not in resource:
        raise UnsafePath(f"resource {name} has inline data; put its rows in a file beside datapackage.json")
    raw = resource.get("path")
    if not isinstance(raw, str) or not raw:
        raise UnsafePath(f"resource {name} needs one relative file path (a list of paths is not accepted)")
    if "://" in raw or raw.lower().startswith(("http:", "https:", "ftp:", "file:")):
        raise UnsafePath(f"resource {name} points to the remote address {raw}; nothing is fetched, "
                         "send the file inside the contribution")
    relative = Path(raw)
    if relative.is_absolute() or raw.startswith(("/", "\\")) or ".." in relative.parts or ":" in relative.parts[0]:
        raise UnsafePath(f"resource {name} has the path {raw}, which leaves the contribution's folder; "
                         "use a path relative to datapackage.json, without '..'")
    target = root / relative
    if any(p.is_symlink() for p in [target, *target.parents] if p.is_relative_to(root) and p != root):
        raise UnsafePath(f"resource {name} reaches {raw} through a symbolic link; send the file itself")
    if not target.resolve().is_relative_to(root.resolve()):
        raise UnsafePath(f"resource {name} has the path {raw}, which leaves the contribution's folder")
    return target


def check_package(descriptor_path: Path, shown: str, limits: Limits = Limits(),
                  published: dict[str, pl.DataFrame] | None = None) -> list[Checked]:
    """Check every resource of a contributed package, then the keys between them (and into
    the published release, when given)."""
    package = Checked(shown, "package")
    try:
        descriptor = read_descriptor(descriptor_path, limits)
    except ValueError as err:
        package.problems = file_problem(shown, "unreadable", str(err))
        return [package]
    root = descriptor_path.parent
    problems, files = [], []
    for i, resource in enumerate(descriptor["resources"]):
        where = f"resources[{i}]"  # each resource's problems apart: the report keeps one per field and rule
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(resource, dict):
            problems.append(file_problem(shown, "unknown-resource", f"{where} is not an object with a name and a path",
                                         where, str(resource)[:200]))
            continue
        if name not in settings().resources:
            said = f"resource {name} is not" if name is not None else f"{where} has no name; name it as"
            problems.append(file_problem(shown, "unknown-resource",
                                         f"{said} one of {', '.join(settings().resources)}", where, str(name)))
            continue
        try:
            files.append((name, resource_file(root, resource)))
        except UnsafePath as err:
            problems.append(file_problem(shown, "unsafe-path", str(err), where, str(resource.get("path"))))
    package.problems = _sorted(problems)
    typed = dict(published or {})
    checked = []
    for name, path in files:
        shown_file = _folder_prefix(PurePosixPath(shown).parent.as_posix()) + path.relative_to(root).as_posix()
        result, table = check_table(path, shown_file, name, limits, published, check_keys=False)
        result.inside = True
        checked.append((name, result, table))
        if table is not None:
            typed[name] = table if name not in typed else pl.concat([typed[name], table], how="diagonal_relaxed")
    for name, result, table in checked:
        if table is not None:
            keys = foreign_key_problems(result.path, table, load_schema(name), typed)
            result.problems = _sorted([result.problems, *keys])
    return [package, *(result for _, result, _ in checked)]


# --- captures --------------------------------------------------------------------------------

def _named_sources(sources: pl.DataFrame, file: pl.Expr) -> pl.DataFrame:
    """`sources` with `file`, the name the report gives each capture, and each copy's message
    naming the earlier file (the one read) the way the report names it."""
    named = sources.sort("path").with_columns(file.alias("file"))
    earlier = pl.col("file").first().over("sha256")
    message = pl.when(pl.col("status") == "duplicate").then(pl.concat_str([pl.lit("same bytes as "), earlier]))
    return named.with_columns(message.otherwise("message").alias("message"))


def check_captures(path: Path, shown: str, published: dict[str, pl.DataFrame] | None = None,
                   files: list[str] | None = None) -> Checked:
    """Run the extractor over a capture or a folder of them (its `files`, by default all): what
    would be quarantined, and why, as problems; nothing is published."""
    if path.is_dir():
        root, paths = path, list_source_files(path) if files is None else files
        file = pl.concat_str([pl.lit(_folder_prefix(shown)), pl.col("path")])
    else:
        root, paths, file = path.parent, [path.name], pl.lit(shown)
    extracted = pipeline.combine_batches([pipeline.extract_batch(root, paths)])
    release = pipeline.assemble_release(extracted)
    sources = _named_sources(release.tables["sources"], file)
    # Copies share their source_id; records and quarantine rows are the earlier file's.
    where = sources.filter(pl.col("status") != "duplicate").unique("source_id", keep="first", maintain_order=True) \
        .select("source_id", "file")
    bad_files = sources.filter(pl.col("status") != "ok").select(
        "file", pl.lit(None, pl.Int64).alias("row"), pl.lit(None, pl.String).alias("field"),
        pl.col("status").alias("rule"), pl.lit(None, pl.String).alias("value"), "message",
    )
    quarantined = release.tables["quarantine"].join(where, on="source_id").select(
        "file", pl.col("position").alias("row"), "field", "rule", "value", "message",
    )
    checked = Checked(shown, "captures", "captures", release.counts["records_extracted"],
                      _sorted([bad_files, quarantined]))
    if published and "documents" in published:
        links = release.tables["document_sources"].join(where, on="source_id")
        first = links.group_by("document_id").agg(pl.col("position").first().alias("row"))
        checked.changes = document_changes(release.tables["documents"], published["documents"]) \
            .join(first, on="document_id", how="left").select("row", *CHANGE_SCHEMA).sort("document_id")
    return checked


# --- any path ----------------------------------------------------------------------------------

def published_tables(release: Path) -> dict[str, pl.DataFrame]:
    """The tables of a published release folder, read from its Parquet files."""
    descriptor = json.loads((release / DESCRIPTOR).read_text("utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        parquet = resource.get("parquet", {}).get("path")
        if parquet and (release / parquet).is_file():
            tables[name] = pl.read_parquet(release / parquet)
        else:
            tables[name] = pl.read_csv(release / resource["path"], schema=polars_schema(load_schema(name)))
    return tables


def folder_files(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """A folder's files by kind, as paths below it: (descriptors, tables, captures). The files
    below a datapackage.json are its package's, read through it; reports are left out."""
    files = [f for f in list_source_files(folder) if not _is_report(f)]
    packages = [PurePosixPath(f).parent for f in files if PurePosixPath(f).name == DESCRIPTOR]
    outermost = [p for p in packages if not any(p != q and p.is_relative_to(q) for q in packages)]
    loose = [f for f in files if not any(PurePosixPath(f).is_relative_to(p) for p in outermost)]
    tables = [f for f in loose if table_format(Path(f))]
    captures = sorted(set(loose) - set(tables))
    return [(p / DESCRIPTOR).as_posix() for p in outermost], tables, captures


def check_folder(folder: Path, shown: str, wanted: str | None = None, limits: Limits = Limits(),
                 published: dict[str, pl.DataFrame] | None = None) -> list[Checked]:
    """Check a folder file by file, each by its kind: the captures together (a copy or a
    repeated article is found across files), each table file as a table, each package
    through its datapackage.json. A file in it that cannot be read is a problem of the
    folder, not the folder unreadable."""
    descriptors, tables, captures = folder_files(folder)
    if not (descriptors or tables or captures):
        return [Checked(shown, "captures", problems=file_problem(
            shown, "empty", "the folder holds no files; put the tables, packages or captures to check in it"))]
    checked = [check_captures(folder, shown, published, captures)] if captures else []
    prefix = _folder_prefix(shown)
    for relpath in sorted([*descriptors, *tables]):
        found = check_package(folder / relpath, prefix + relpath, limits, published) if relpath in descriptors \
            else [check_table(folder / relpath, prefix + relpath, wanted, limits, published)[0]]
        for result in found:
            result.inside = True
        checked += found
    _add_ids_repeated_across_tables(checked)
    return checked


def _add_ids_repeated_across_tables(checked: list[Checked]) -> None:
    """A `unique` problem for each row whose record id a table before it (in path order)
    already has: the build would merge the two rows into one document, as it would two rows
    of one table, which that table's own check refuses."""
    tables = [(c, c.record_ids) for c in checked if c.record_ids is not None and c.record_ids.height]
    if len(tables) < 2:
        return
    ids = pl.concat([found.with_columns(pl.lit(i).alias("_table"), pl.lit(c.path).alias("_file"))
                     for i, (c, found) in enumerate(tables)])
    own_first = ids.sort("_table", "row").unique(["_table", "record_id"], keep="first", maintain_order=True)
    first = own_first.unique("record_id", keep="first", maintain_order=True).select(
        "record_id", pl.col("_table").alias("_first_table"), pl.col("_file").alias("_first_file"),
        pl.col("row").alias("_first_row"))
    repeated = own_first.join(first, on="record_id").filter(pl.col("_table") != pl.col("_first_table"))
    for i, (c, _) in enumerate(tables):
        mine = repeated.filter(pl.col("_table") == i)
        if mine.height:
            c.problems = _sorted([c.problems, mine.select(
                pl.col("_file").alias("file"), "row", "field", pl.lit("unique").alias("rule"),
                pl.col("record_id").cast(pl.String).alias("value"),
                pl.format("record_id {} is already the record id of {} row {}; a record id names one document, "
                          "so send one row per document", "record_id", "_first_file", "_first_row").alias("message"),
            )])


def check_path(path: Path, wanted: str | None = None, limits: Limits = Limits(),
               published: dict[str, pl.DataFrame] | None = None) -> list[Checked]:
    """Check one path: a package (a folder with datapackage.json, or the descriptor), a
    table file, a folder (file by file, see check_folder), or any other file as a capture."""
    shown = path.as_posix()
    if path.is_symlink() or not path.exists() or not (path.is_file() or path.is_dir()):
        what = ("is a symbolic link; send the file itself" if path.is_symlink() else "does not exist"
                if not path.exists() else "is not a regular file (a pipe or a device); send the file itself")
        return [Checked(shown, "table", problems=file_problem(shown, "unreadable", f"{shown} {what}"))]
    if path.is_dir() and (path / DESCRIPTOR).exists():
        return check_package(path / DESCRIPTOR, f"{_folder_prefix(shown)}{DESCRIPTOR}", limits, published)
    if path.name == DESCRIPTOR:
        return check_package(path, shown, limits, published)
    if path.is_dir():
        return check_folder(path, shown, wanted, limits, published)
    if path.is_file() and table_format(path):
        result, _ = check_table(path, shown, wanted, limits, published)
        return [result]
    return [check_captures(path, shown, published)]


def check_paths(paths: list[Path], wanted: str | None = None, against: Path | None = None,
                limits: Limits = Limits()) -> Report:
    """Check every path (see check_path) and gather one report."""
    published = published_tables(against) if against else None
    return Report([checked for path in paths for checked in check_path(path, wanted, limits, published)])


# --- accepted contributions in a build ---------------------------------------------------------

def _is_report(relpath: str) -> bool:
    return relpath.endswith(REPORT_SUFFIXES)


def _file_source(root: Path, relpath: str) -> dict:
    """The `sources` row of a contributed file below `root`, status ok and no records yet."""
    path = root / relpath
    sha256 = file_sha256(path)
    return {"source_id": sha256[:16], "path": relpath, "sha256": sha256, "bytes": path.stat().st_size,
            "encoding": None, "format": table_format(path), "layout": "contribution", "status": "ok",
            "records": 0, "message": None}


def _table_extraction(root: Path, relpath: str, limits: Limits, wanted: str | None = None) -> pipeline.Extracted:
    """An accepted table's rows as records of layout 'contribution', read as `wanted` (a
    package names its resources) or as its header says; rows a problem touches go to
    quarantine (stage validate) rather than into the build."""
    path = root / relpath
    source = _file_source(root, relpath)
    records, quarantine = [], []
    try:
        read = read_table(path, limits)
    except UnreadableTable as err:
        source.update(status="unreadable", message=str(err)[:300])
    else:
        resource, mapping = _target(read.table.columns, wanted)
        if mapping is None:
            source.update(status="unrecognised", layout=None,
                          message=_unused_message(resource) if resource else
                          "no mapping in mappings/ turns this table into document records")
        else:
            source["encoding"] = None if source["format"] == "parquet" else "utf-8"
            found = pl.concat([read.problems, formula_cells(read.table), mapping_problems(read.table, mapping)])
            all_records = contributed_records(read.table, mapping, source["source_id"])
            bad = found.get_column("row").unique().implode()
            records = all_records.with_row_index("_row").filter(~pl.col("_row").is_in(bad)).drop("_row")
            quarantine = found.select(
                pl.lit(source["source_id"]).alias("source_id"), (pl.col("row").cast(pl.Int64) + 1).alias("position"),
                pl.lit("validate").alias("stage"), "rule", "field", "value", "message",
            ).unique(["position"], keep="first", maintain_order=True)
            source["records"] = read.table.height
    return pipeline.extracted(sources=[source], records=records, quarantine=quarantine)


def _package_extractions(root: Path, descriptor: str, limits: Limits) -> list[pipeline.Extracted]:
    """An accepted package's tables, each read as the resource its datapackage.json names it
    (a resource of another name, or at an unsafe path, is not read: the check refuses such
    packages). Neither the descriptor nor the package's other files are read as captures; a
    descriptor that cannot be read is an unreadable source, and none of its tables is read."""
    try:
        described = read_descriptor(root / descriptor, limits)
    except ValueError as err:
        return [pipeline.extracted(sources=[{**_file_source(root, descriptor), "layout": None,
                                             "status": "unreadable", "message": str(err)[:300]}])]
    folder, tables = (root / descriptor).parent, {}
    for resource in described["resources"]:
        if not isinstance(resource, dict) or resource.get("name") not in settings().resources:
            continue
        try:
            path = resource_file(folder, resource)
        except UnsafePath:
            continue
        if path.is_file():
            tables.setdefault(path.relative_to(root).as_posix(), resource["name"])
    return [_table_extraction(root, relpath, limits, name) for relpath, name in tables.items()]


def accepted_extracted(accepted: Path, limits: Limits = Limits()) -> pipeline.Extracted:
    """Every accepted contribution as the build's extraction, the folder read as the check
    reads it (folder_files): tables through their mapping, packages through their
    datapackage.json, any other file as a capture. Paths in `sources` start with 'contributions/'."""
    descriptors, tables, captures = folder_files(accepted) if accepted.is_dir() else ([], [], [])
    parts = [pipeline.extract_batch(accepted, captures), *(_table_extraction(accepted, p, limits) for p in tables),
             *(part for d in descriptors for part in _package_extractions(accepted, d, limits))]
    combined = pipeline.combine_batches(parts)
    combined.sources = combined.sources.with_columns(("contributions/" + pl.col("path")).alias("path"))
    return combined
