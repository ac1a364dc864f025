"""The release's README.md: a datasheet for the people who download the data.

It says what the data covers, how it was built, under which licences, its known limits,
how to cite it and how to load it, and ends with the field dictionary. Every number is
computed from the published tables with Polars when the release is written; the licences
and file names come from the package descriptor; the field dictionary is the one
`etl.dictionary` renders from `schemas/`.
"""

from __future__ import annotations

import polars as pl

from etl.dictionary import render_dictionary
from etl.schema import load_schema

ARCHIVE_URL = "https://digitalarchive.wilsoncenter.org"
LISTED_COLLECTIONS = 20

# Three lines each, run from the release folder; the tests execute the Python and SQL ones.
LOADING_SNIPPETS = {
    ("Python (polars)", "python"): [
        "import polars as pl",
        'documents = pl.read_parquet("data/documents.parquet")',
        'print(documents.group_by("archive").len().sort("len", descending=True))',
    ],
    ("Python (pandas)", "python"): [
        "import pandas as pd",
        'documents = pd.read_parquet("data/documents.parquet")',
        'print(documents["archive"].value_counts(dropna=False))',
    ],
    ("R", "r"): [
        'documents <- read.csv("data/documents.csv", fileEncoding = "UTF-8", na.strings = "")',
        'texts <- read.csv("data/texts.csv", fileEncoding = "UTF-8", na.strings = "")',
        'head(merge(documents, texts, by = "document_id")[, c("document_id", "date", "title")])',
    ],
    ("SQL (duckdb)", "sql"): [
        "CREATE VIEW documents AS SELECT * FROM read_parquet('data/documents.parquet');",
        "CREATE VIEW texts AS SELECT * FROM read_csv_auto('data/texts.csv');",
        "SELECT date, title, length(text) AS characters FROM documents JOIN texts USING (document_id) "
        "ORDER BY date_start LIMIT 10;",
    ],
}


def _count(n: int, noun: str) -> str:
    """'1 document', '27,000 documents'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _cell(value) -> str:
    """A value as a Markdown table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _counted(table: pl.DataFrame, column: str, missing: str) -> list[tuple[str, int]]:
    """(value, rows) of `column`, most frequent first; nulls counted as `missing`."""
    counts = table.group_by(column).len().sort(["len", column], descending=[True, False], nulls_last=True)
    return [(missing if value is None else value, n) for value, n in counts.iter_rows()]


def _enum(resource: str, field: str) -> list[str]:
    """The values the Table Schema allows for `field`, in its order."""
    return next(f for f in load_schema(resource)["fields"] if f["name"] == field)["constraints"]["enum"]


def datasheet_facts(tables: dict[str, pl.DataFrame]) -> dict:
    """The numbers the datasheet states, computed from the published tables."""
    documents, sources = tables["documents"], tables["sources"]
    by_precision = dict(documents.group_by("date_precision").len().iter_rows())
    return {
        "documents": documents.height,
        "with_text": documents.filter(pl.col("has_text")).height,
        "listing_only": documents.filter(~pl.col("has_text")).height,
        "listing_only_without_id": documents.filter(~pl.col("has_text") & pl.col("record_id").is_null()).height,
        "first_day": documents.get_column("date_start").min(),
        "last_day": documents.get_column("date_end").max(),
        "undated": documents.filter(pl.col("date_start").is_null()).height,
        "precision": [(p, by_precision[p]) for p in _enum("documents", "date_precision") if p in by_precision],
        "archives": _counted(documents, "archive", "not given"),
        "collections": list(tables["collections"].select("title", "document_count").iter_rows()),
        "articles": tables["articles"].height,
        "references": tables["references"].height,
        "captures": sources.height,
        "capture_status": _counted(sources, "status", "none"),
        "records_published": tables["document_sources"].height + tables["articles"].height,
        "records_quarantined": tables["quarantine"].select("source_id", "position").unique().height,
    }


def _coverage(facts: dict) -> list[str]:
    dated = f"dated {facts['first_day']} to {facts['last_day']}" if facts["first_day"] else "none of them dated"
    undated = f" ({facts['undated']:,} without a date)" if facts["undated"] and facts["first_day"] else ""
    statuses = ", ".join(f"{n:,} {status}" for status, n in facts["capture_status"])
    lines = [
        "## What the data covers",
        "",
        f"- **{_count(facts['documents'], 'document')}** of the Wilson Center Digital Archive, {dated}{undated}.",
        f"  {facts['with_text']:,} have their full text (table `texts`); {facts['listing_only']:,} have none: "
        "they were seen only in listings, never on their own page.",
        f"- **{_count(len(facts['collections']), 'collection')}** of the archive; `collection_documents` "
        "lists the members in order.",
        f"- **{_count(facts['articles'], 'encyclopedia article')}** on the same history, with "
        f"{_count(facts['references'], 'reference')}.",
        f"- Built from **{_count(facts['captures'], 'capture')}** (saved pages): {statuses}. Of the records "
        f"read from them, {facts['records_published']:,} were published and {facts['records_quarantined']:,} "
        "quarantined (table `quarantine` says why).",
        "",
        "Archives holding the originals:",
        "",
        "| archive | documents |",
        "|---|---|",
        *(f"| {_cell(name)} | {n:,} |" for name, n in facts["archives"]),
        "",
    ]
    return lines + _largest_collections(facts["collections"])


def _largest_collections(collections: list[tuple[str, int]]) -> list[str]:
    if not collections:
        return []
    shown = sorted(collections, key=lambda c: (-c[1], c[0]))[:LISTED_COLLECTIONS]
    heading = ("Collections:" if len(shown) == len(collections)
               else f"The {len(shown)} largest of the {len(collections):,} collections (all are in `collections`):")
    return [heading, "", "| collection | documents |", "|---|---|",
            *(f"| {_cell(title)} | {n:,} |" for title, n in shown), ""]


def _files(descriptor: dict, zip_name: str) -> list[str]:
    lines = [
        "## Files",
        "",
        "| file | what it holds |",
        "|---|---|",
        "| `datapackage.json` | Frictionless Data Package: every table's schema, row count, size and sha256 |",
        "| `data/<table>.csv` | one table per file: UTF-8, comma-separated, header row; "
        "list fields as JSON arrays, empty cell for no value |",
        "| `data/<table>.parquet` | the same tables in Parquet (zstd); list fields as lists, dates as dates |",
        f"| `{descriptor['sqlite']['path']}` | every table in one SQLite database, with the schemas' keys "
        "(for `sqlite3`, Datasette, any SQL tool) |",
        f"| `{zip_name}` | `datapackage.json`, this README and the CSV files, in one download |",
        "| `SHA256SUMS` | sha256 of every other file, the zip included (`sha256sum -c SHA256SUMS`) |",
        "",
        "| table | rows | licence | what one row is |",
        "|---|---|---|---|",
    ]
    for resource in descriptor["resources"]:
        licence = ", ".join(licence["name"] for licence in resource.get("licenses", descriptor["licenses"]))
        lines.append(f"| `{resource['name']}` | {resource['rowCount']:,} | {licence} | "
                     f"{_cell(resource['description'])} |")
    return lines + [""]


def _built() -> list[str]:
    return [
        "## How it was built",
        "",
        "An open-source batch pipeline read every capture (a saved text or HTML page of the archive, or "
        "of a wiki mirror of an encyclopedia article), recognised its page layout, and extracted one record "
        "per document shown. Records were checked against the Table Schemas, normalised (Unicode NFC, "
        "folded white space, dates to ISO 8601 at their precision, archival references split into their "
        "parts), and merged into documents: a Record ID always identifies a document, otherwise the folded "
        "title plus the date does. A record that broke a rule went to `quarantine` with the rule and the value. "
        "Every record extracted is either published (`document_sources`, `articles`) or quarantined; the "
        "build fails otherwise. The same captures give byte-identical files.",
        "",
    ]


def _licences(descriptor: dict) -> list[str]:
    lines = ["## Licences", ""]
    for licence in descriptor["licenses"]:
        tables = [r["name"] for r in descriptor["resources"] if licence in r.get("licenses", [])]
        lines.append(f"- **{licence['name']}**: " + ", ".join(f"`{t}`" for t in tables) + ". "
                     + licence["title"] + (f", {licence['path']}" if "path" in licence else "") + ".")
    lines += [
        "",
        "Each document's own rights statement, when its page printed one, is in `documents.rights`; "
        "each article's licence notice is in `articles.license_notice`.",
        "",
    ]
    return lines


def _limitations(facts: dict) -> list[str]:
    precision = ", ".join(f"{n:,} to the {p}" if p in ("day", "month", "year") else f"{n:,} {p}"
                          for p, n in facts["precision"])
    return [
        "## Known limitations",
        "",
        f"- Listing-only documents ({facts['listing_only']:,} here) have no text: `has_text` is false and "
        f"`texts` has no row for them. {facts['listing_only_without_id']:,} of them have no Record ID either: "
        "their `document_id` is `doc-` and a hash of the folded title and date, and becomes `rid-<n>` in a "
        "later release once a capture shows the Record ID.",
        f"- Dates are as precise as the pages print them: {precision}. `date` keeps that precision; "
        "`date_start` and `date_end` are the first and last day it can mean. Filter and sort on those.",
        "- The counts describe the captures, not the whole archive: a document that no capture shows "
        "is not here.",
        "- Titles, names and references are as printed on the pages (translations and "
        "transliterations included); only the parts of an archival reference the pipeline knows are "
        "split out, the rest stays in `archive_reference`.",
        f"- Records that did not pass the checks ({facts['records_quarantined']:,} here) are only in "
        "`quarantine`, with the rule they broke.",
        "",
    ]


def _citation(descriptor: dict) -> list[str]:
    publisher = next(c["title"] for c in descriptor["contributors"] if c["role"] == "publisher")
    created = f", {descriptor['created'][:10]}" if "created" in descriptor else ""
    return [
        "## How to cite",
        "",
        f"> {publisher}. *{descriptor['title']}*, version {descriptor['version']}{created}. "
        f"Data package `{descriptor['name']}`, derived from the Wilson Center Digital Archive "
        f"({ARCHIVE_URL}) and from encyclopedia articles (CC-BY-SA 4.0).",
        "",
        "When you quote a document, cite it as the archive does too: its title, date, "
        "`archive_reference` and `url`.",
        "",
    ]


def _loading(descriptor: dict) -> list[str]:
    lines = [
        "## Loading the data",
        "",
        "From this folder. List fields are lists in Parquet and JSON arrays (text) in CSV and SQLite.",
        "",
    ]
    for (title, language), code in LOADING_SNIPPETS.items():
        lines += [f"{title}:", "", f"```{language}", *code, "```", ""]
    database = descriptor["sqlite"]["path"]
    lines += [
        f"SQLite: `sqlite3 {database} \"SELECT archive, count(*) FROM documents GROUP BY archive\"`, "
        f"or browse it with `datasette {database}`. Quote the table `\"references\"` in SQL: it is a keyword.",
        "",
    ]
    return lines


def _field_dictionary() -> list[str]:
    """The data dictionary of `etl.dictionary`, its headings one level down, without its title."""
    body = render_dictionary().split("\n## ", 1)[1]
    demoted = ["### " + body.split("\n", 1)[0]] + [
        "#" + line if line.startswith("## ") else line for line in body.split("\n")[1:]
    ]
    return ["## Field dictionary", "", "Generated from the Table Schemas (also in `datapackage.json`).", "",
            *demoted]


def render_datasheet(tables: dict[str, pl.DataFrame], descriptor: dict, zip_name: str) -> str:
    """README.md of a release: `descriptor` is its datapackage.json, `zip_name` its zip."""
    created = f", created {descriptor['created'][:10]}" if "created" in descriptor else ""
    facts = datasheet_facts(tables)
    lines = [
        f"# {descriptor['title']}",
        "",
        f"Version {descriptor['version']}{created}, of the open data package `{descriptor['name']}`: "
        "documents, collections and encyclopedia articles extracted from captures (saved pages) of the "
        f"Wilson Center Digital Archive, *International History Declassified* ({ARCHIVE_URL}). "
        "This datasheet says what the tables cover, how they were made, and how to use and cite them.",
        "",
        *_coverage(facts), *_files(descriptor, zip_name), *_built(), *_licences(descriptor),
        *_limitations(facts), *_citation(descriptor), *_loading(descriptor), *_field_dictionary(),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
