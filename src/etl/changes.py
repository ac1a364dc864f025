"""What changed between two releases: documents added, removed and changed, and row counts.

Documents are matched by `document_id` (stable across builds: etl.ids). A document is
changed when any published field differs, its text included; the change list names those
fields. Each release carries the list against the release before it, twice:

    changes.json    for programs: counts, and the ids added, removed and changed (with fields)
    CHANGELOG.md    for people: the same, as a page

`etl diff V1 V2` prints the same comparison for any two releases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.compare import comparable
from etl.jsontext import readable_json

CHANGES_FILE = "changes.json"
CHANGELOG_FILE = "CHANGELOG.md"
CHANGES_FORMAT = 1
# The documents shown by title in CHANGELOG.md, per kind; changes.json always lists all.
CHANGELOG_LIMIT = 200


@dataclass
class Published:
    """What a comparison needs of a release: its documents and texts, and every table's row count."""

    version: str
    tables: dict[str, pl.DataFrame]  # documents, texts
    rows: dict[str, int]


@dataclass
class ReleaseChanges:
    version: str
    previous: str | None
    added: pl.DataFrame  # document_id, title, date
    removed: pl.DataFrame  # document_id, title, date
    changed: pl.DataFrame  # document_id, title, date, fields (list of names)
    rows: dict[str, dict[str, int]]  # table -> {"previous", "current"}

    @property
    def counts(self) -> dict[str, int]:
        return {"added": self.added.height, "removed": self.removed.height, "changed": self.changed.height}

    def summary(self) -> list[str]:
        """One-line notes for the catalog and the feed (none for a first release)."""
        if self.previous is None:
            return []
        c = self.counts
        return [f"Documents since {self.previous}: {c['added']:,} added, {c['removed']:,} removed, "
                f"{c['changed']:,} changed."]


def documents_with_text(documents: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """The documents table with each document's text as the column `text`."""
    return documents.join(texts, on="document_id", how="left")


def _listed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("document_id", "title", pl.col("date").cast(pl.String)).sort("document_id")


def _differs(field: str, dtype: pl.DataType, previous_dtype: pl.DataType) -> pl.Expr:
    """Whether `field` differs from `<field>_previous`: compared as they are when the two
    releases type it alike (no copy of every text as a string), else in one text form."""
    now, before = pl.col(field), pl.col(f"{field}_previous")
    if dtype == previous_dtype:
        return now.eq_missing(before).not_()
    return comparable(now, dtype).eq_missing(comparable(before, previous_dtype)).not_()


def _changed(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Documents in both, with the names of the fields whose values differ."""
    fields = [c for c in current.columns if c in previous.columns and c != "document_id"]
    joined = current.join(previous, on="document_id", how="inner", suffix="_previous")
    # One flag per field, then the names of the flagged ones for the few documents that changed.
    flags = [f"\0{f}" for f in fields]
    flagged = joined.select("document_id", "title", "date", *[
        _differs(f, current.schema[f], previous.schema[f]).alias(flag) for f, flag in zip(fields, flags)])
    changed = flagged.filter(pl.any_horizontal(flags))
    return changed.select(
        "document_id", "title", pl.col("date").cast(pl.String),
        pl.concat_list([pl.when(pl.col(flag)).then(pl.lit(f)) for f, flag in zip(fields, flags)])
        .list.drop_nulls().alias("fields"),
    ).sort("document_id")


def release_changes(current: Published, previous: Published | None) -> ReleaseChanges:
    """Compare a release's tables with the previous release's (None for a first release)."""
    now = documents_with_text(current.tables["documents"], current.tables["texts"])
    before = (documents_with_text(previous.tables["documents"], previous.tables["texts"])
              if previous is not None else now.clear())
    previous_rows = previous.rows if previous is not None else {}
    rows = {name: {"previous": previous_rows.get(name, 0), "current": n} for name, n in current.rows.items()}
    return ReleaseChanges(
        version=current.version, previous=previous.version if previous is not None else None,
        added=_listed(now.join(before, on="document_id", how="anti")),
        removed=_listed(before.join(now, on="document_id", how="anti")),
        changed=_changed(before, now),
        rows=rows,
    )


def changes_json(changes: ReleaseChanges) -> str:
    document = {
        "format": CHANGES_FORMAT,
        "version": changes.version,
        "previous": changes.previous,
        "summary": changes.summary(),
        "documents": changes.counts,
        "rows": changes.rows,
        "added": changes.added.get_column("document_id").to_list(),
        "removed": changes.removed.get_column("document_id").to_list(),
        "changed": changes.changed.select("document_id", "fields").to_dicts(),
    }
    return readable_json(document) + "\n"


def _document_lines(frame: pl.DataFrame, with_fields: bool = False) -> list[str]:
    lines = []
    for row in frame.head(CHANGELOG_LIMIT).iter_rows(named=True):
        fields = f": {', '.join(row['fields'])}" if with_fields else ""
        lines.append(f"- `{row['document_id']}` {row['title']} ({row['date'] or 'undated'}){fields}")
    if frame.height > CHANGELOG_LIMIT:
        lines.append(f"- … and {frame.height - CHANGELOG_LIMIT:,} more (all are in `{CHANGES_FILE}`)")
    return lines


def changelog_markdown(changes: ReleaseChanges) -> str:
    first = [f"First release: {changes.rows['documents']['current']:,} documents."]
    lines = [f"# Changes in {changes.version}", "", *(changes.summary() or first), ""]
    if changes.previous is not None:
        lines += ["| table | rows before | rows now | difference |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {r['previous']:,} | {r['current']:,} | {r['current'] - r['previous']:+,} |"
                  for name, r in changes.rows.items()]
        for title, frame, with_fields in (("Added", changes.added, False), ("Removed", changes.removed, False),
                                          ("Changed", changes.changed, True)):
            if frame.height:
                lines += ["", f"## {title} ({frame.height:,})", "", *_document_lines(frame, with_fields)]
    return "\n".join(lines) + "\n"


def read_published(release: Path) -> Published:
    """A published release folder's documents, texts and row counts (from datapackage.json)."""
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    tables = {name: pl.read_parquet(release / "data" / f"{name}.parquet") for name in ("documents", "texts")}
    return Published(descriptor["version"], tables, {r["name"]: r["rowCount"] for r in descriptor["resources"]})


def built(tables: dict[str, pl.DataFrame], version: str) -> Published:
    """A release being built, as a comparison sees it."""
    return Published(version, {name: tables[name] for name in ("documents", "texts")},
                     {name: table.height for name, table in tables.items()})


def diff_releases(older: Path, newer: Path) -> ReleaseChanges:
    """The changes from release folder `older` to release folder `newer`."""
    return release_changes(read_published(newer), read_published(older))
