"""The build's stages as plain functions over batches; `etl.build` runs them in order.

extract_batch (per batch of files) -> combine_batches -> assemble_release: validate,
normalise, deduplicate, and lay out every published table, conformed to its schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from etl.collection import collection_tables
from etl.dedup import assign_documents, document_links, merge_documents
from etl.extract import Extraction, extract_capture
from etl.ids import slug
from etl.normalise import normalise_records
from etl.publish import ReleaseError
from etl.schema import conform, load_schema, polars_schema
from etl.stopwatch import Stopwatch
from etl.sources import UNREAD_STATUSES, Capture, Source, read_capture
from etl.validate import split_valid

QUARANTINE_SCHEMA = polars_schema(load_schema("quarantine"))


@dataclass
class Extracted:
    """What a batch of files gave, as tables (the same shape for one batch or all)."""

    sources: pl.DataFrame
    records: pl.DataFrame
    quarantine: pl.DataFrame
    collections: pl.DataFrame  # source_id, title, description
    articles: pl.DataFrame
    references: pl.DataFrame  # source_id, position, text


_EXTRACTED_SCHEMAS = {
    "sources": polars_schema(load_schema("sources")),
    "records": polars_schema(load_schema("records")),
    "quarantine": QUARANTINE_SCHEMA,
    "collections": {"source_id": pl.String, "title": pl.String, "description": pl.String},
    "articles": {k: v for k, v in polars_schema(load_schema("articles")).items() if k != "article_id"},
    "references": {"source_id": pl.String, "position": pl.Int64, "text": pl.String},
}


def extracted(**parts: list[dict] | pl.DataFrame) -> Extracted:
    """An Extracted from lists of rows or frames, each in its table's shape; parts not given are empty."""
    def frame(name: str, rows: list[dict] | pl.DataFrame) -> pl.DataFrame:
        schema = _EXTRACTED_SCHEMAS[name]
        if isinstance(rows, pl.DataFrame):
            return rows.select(list(schema)).cast(schema)
        return pl.DataFrame(rows, schema=schema)

    return Extracted(**{name: frame(name, parts.get(name, [])) for name in _EXTRACTED_SCHEMAS})


@dataclass
class Release:
    tables: dict[str, pl.DataFrame]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage: validate, normalise, dedup


def _source_row(capture: Capture, extraction: Extraction | None) -> dict:
    row = {
        "source_id": capture.source_id, "path": capture.path, "sha256": capture.sha256,
        "bytes": capture.bytes, "encoding": capture.encoding, "format": capture.format,
        "layout": None, "status": capture.status, "records": 0, "message": capture.message,
    }
    if extraction is not None:
        row["layout"] = extraction.layout
        row["records"] = len(extraction.records) + len(extraction.rejected) + (extraction.article is not None)
        if extraction.layout is None:
            row["status"], row["message"] = "unrecognised", extraction.message
        elif extraction.truncated:
            row["status"], row["message"] = "truncated", extraction.message
    return row


# A batch smaller than this costs Prefect more in bookkeeping than it saves in balance.
MIN_BATCH = 200


def batches(paths: list[str], size: int, wanted: int = 1) -> list[list[str]]:
    """The paths in consecutive batches of equal length (to one), each of at most `size`
    paths, and `wanted` batches or more when there are paths enough for batches of MIN_BATCH
    (so that each worker gets several); one empty batch for no paths."""
    count = max(-(-len(paths) // size), min(wanted, -(-len(paths) // MIN_BATCH)), 1)
    length = max(-(-len(paths) // count), 1)
    return [paths[i:i + length] for i in range(0, len(paths), length)] or [[]]


def _extraction(capture: Capture) -> Extraction | None:
    """The capture's records; a parser failure on one odd file becomes its status, not the run's end."""
    if capture.text is None:
        return None
    try:
        return extract_capture(capture.text, capture.format == "html")
    except Exception as err:  # noqa: BLE001 - any parser bug must stay inside this file's row
        capture.status, capture.message = "parse_error", f"the parser failed: {type(err).__name__}: {err}"[:300]
        return None


def extract_batch(root: Source, paths: list[str]) -> Extracted:
    """Read and extract every file of one batch."""
    sources, records, rejected, collections, articles, references = [], [], [], [], [], []
    for path in paths:
        capture = read_capture(root, path)
        extraction = _extraction(capture)
        sources.append(_source_row(capture, extraction))
        if extraction is None:
            continue
        sid = capture.source_id
        records += [{**r, "source_id": sid} for r in extraction.records]
        rejected += [{"source_id": sid, "position": r.position, "stage": "extract", "rule": r.rule,
                      "field": r.field, "value": r.value[:200], "message": r.message}
                     for r in extraction.rejected]
        if extraction.collection:
            collections.append({"source_id": sid, **extraction.collection})
        if extraction.article:
            article = extraction.article
            articles.append({"source_id": sid, **{k: v for k, v in article.items() if k != "references"},
                             "reference_count": len(article["references"])})
            references += [{"source_id": sid, "position": i, "text": t}
                           for i, t in enumerate(article["references"], 1)]
    return extracted(sources=sources, records=records, quarantine=rejected, collections=collections,
                     articles=articles, references=references)


def combine_batches(batches: list[Extracted]) -> Extracted:
    """All batches as one, with byte-identical copies of a file read once.

    The first path (in path order) of a content hash keeps the records; later copies stay
    in `sources` with status 'duplicate' and give none. A file that could not be read as
    a capture (empty, binary, ...) keeps that status: its copies are no more duplicates
    of a capture than it is one.
    """
    parts = {name: pl.concat([getattr(b, name) for b in batches]) for name in Extracted.__dataclass_fields__}
    sources = parts["sources"].sort("path")
    copy = pl.col("sha256").is_duplicated() & ~pl.col("sha256").is_first_distinct() \
        & ~pl.col("status").is_in(UNREAD_STATUSES)
    first_path = pl.col("path").first().over("sha256")
    parts["sources"] = sources.with_columns(
        pl.when(copy).then(pl.lit("duplicate")).otherwise("status").alias("status"),
        pl.when(copy).then(pl.lit("same bytes as ") + first_path).otherwise("message").alias("message"),
        pl.when(copy).then(0).otherwise("records").alias("records"),
    )
    for name in ("records", "quarantine", "collections", "articles", "references"):
        parts[name] = _without_repeats(parts[name])
    return Extracted(**parts)


def _without_repeats(table: pl.DataFrame) -> pl.DataFrame:
    """table.unique(maintain_order=True). Rows repeat when copies of one file were read, and
    repeated rows share their source_id and position: when no (source_id, position) repeats
    (and none is null), no row does, and the table, texts and all, is neither hashed whole
    nor copied."""
    key = [c for c in ("source_id", "position") if c in table.columns]
    if key and not table.select(pl.any_horizontal(pl.col(key).is_null().any())
                                | pl.struct(key).is_duplicated().any()).item():
        return table
    return table.unique(maintain_order=True)


_NORMALISED_FIELDS = {
    "date", "date_precision", "date_start", "date_end", "archive", "archive_reference", "fond", "opis",
    "delo", "papka", "pages", "file_number", "translators", "funders", "uploaded_date",
}


def per_record_rules(schema: dict, names: set[str] | None = None) -> dict:
    """The rules of `schema` that one row can break on its own (all but unique and keys),
    for the fields in `names` (all fields when None)."""
    fields = [
        {**f, "constraints": {k: v for k, v in f.get("constraints", {}).items() if k != "unique"}}
        for f in schema["fields"] if names is None or f["name"] in names
    ]
    return {"fields": fields}


def _date_quarantine(normalised: pl.DataFrame) -> pl.DataFrame:
    return normalised.filter(pl.col("date_error").is_not_null()).select(
        "source_id", "position", pl.lit("normalise").alias("stage"), pl.lit("date").alias("rule"),
        pl.lit("date_text").alias("field"), pl.col("date_text").alias("value"),
        pl.col("date_error").alias("message"),
    )


def _article_tables(extracted: Extracted) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(articles, references, quarantine): one article per title; later copies quarantined."""
    found = extracted.articles.join(extracted.sources.select("source_id", "path"), on="source_id").with_columns(
        pl.lit(1, pl.Int64).alias("position"), slug(pl.col("title"), "article-").alias("article_id"),
    )
    valid, rejected = split_valid(found, per_record_rules(load_schema("articles")), "validate")
    valid = valid.sort("path")
    repeat = ~pl.col("article_id").is_first_distinct()
    repeats = valid.filter(repeat).select(
        "source_id", "position", pl.lit("dedup").alias("stage"), pl.lit("duplicate-article").alias("rule"),
        pl.lit("title").alias("field"), pl.col("title").alias("value"),
        pl.lit("an article of the same title was read from an earlier file").alias("message"),
    )
    articles = valid.filter(~repeat)
    references = extracted.references.join(articles.select("source_id", "article_id"), on="source_id") \
        .select("article_id", "position", "text")
    return articles, references, pl.concat([rejected, repeats])


def checked_records(records: pl.DataFrame, seconds: dict[str, float] | None = None
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(normalised records that pass every per-record rule, quarantine rows for the rest).

    Records are checked against records.json, normalised, and checked again against the
    rules of documents.json one record can break on its own; captures and contributions
    alike go through here. The time of each stage is added to `seconds` when given.
    """
    clock = Stopwatch(seconds if seconds is not None else {})
    with clock("validate"):
        valid, rejected = split_valid(records, load_schema("records"), "validate")
    with clock("normalise"):
        normalised = normalise_records(valid)
        dated, bad_dates = normalised.filter(pl.col("date_error").is_null()), _date_quarantine(normalised)
        record_fields = set(polars_schema(load_schema("records"))) | _NORMALISED_FIELDS
        checked, broken = split_valid(dated, per_record_rules(load_schema("documents"), record_fields), "normalise")
    return checked, pl.concat([rejected, bad_dates, broken]).cast(QUARANTINE_SCHEMA)


def assemble_release(extracted: Extracted, check: Callable[..., tuple[pl.DataFrame, pl.DataFrame]] | None = None
                     ) -> Release:
    """Validate, normalise and deduplicate the extracted records into the published tables.
    `check` stands in for `checked_records` (etl.checked_cache's, which remembers its work)."""
    seconds: dict[str, float] = {}
    checked, rejected = (check or checked_records)(extracted.records, seconds)
    with Stopwatch(seconds)("dedup"):
        assigned, ambiguous = assign_documents(checked)
        cut = extracted.sources.filter(pl.col("status") == "truncated").get_column("source_id")
        documents = merge_documents(assigned, cut)
        links = document_links(assigned)
        collections, members = collection_tables(extracted.collections, links, extracted.sources)
        articles, references, article_quarantine = _article_tables(extracted)
    quarantine = pl.concat([
        extracted.quarantine, rejected, ambiguous, article_quarantine,
    ]).cast(QUARANTINE_SCHEMA).sort("source_id", "position", "stage", "rule", "field")
    tables = {
        "documents": documents.sort("document_id"),
        "texts": documents.filter(pl.col("text").is_not_null()).select("document_id", "text").sort("document_id"),
        "collections": collections,
        "collection_documents": members.sort("collection_id", "position"),
        "document_sources": links,
        "sources": extracted.sources.sort("path"),
        "quarantine": quarantine,
        "articles": articles.sort("article_id"),
        "references": references.sort("article_id", "position"),
    }
    tables = {name: conform(_schema_columns(table, name), name) for name, table in tables.items()}
    counts = release_counts(tables)
    unaccounted = counts["records_extracted"] - counts["records_published"] - counts["records_quarantined"]
    if unaccounted:
        raise ReleaseError(f"{unaccounted} extracted records are neither published nor quarantined")
    return Release(tables, counts, seconds)


def _schema_columns(table: pl.DataFrame, name: str) -> pl.DataFrame:
    """The table without the working columns a stage added (conform reports any missing)."""
    wanted = polars_schema(load_schema(name))
    return table.select([c for c in table.columns if c in wanted])


def release_counts(tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Headline counts; records extracted = published + quarantined, or the build is wrong."""
    sources = tables["sources"]
    counts = {f"files_{row['status']}": row["len"]
              for row in sources.group_by("status").len().sort("status").to_dicts()}
    counts |= {
        "files": sources.height,
        "records_extracted": int(sources.get_column("records").sum()),
        "records_published": tables["document_sources"].height + tables["articles"].height,
        "records_quarantined": tables["quarantine"].select("source_id", "position").unique().height,
        "documents": tables["documents"].height,
        "collections": tables["collections"].height,
        "articles": tables["articles"].height,
    }
    return counts
