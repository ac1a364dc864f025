"""Score a release against an answer key (bench/generate.py writes one for every corpus).

Deduplication is scored on pairs of records: precision is the share of record pairs the
release puts in one document that truly show one document; recall is the share of true
pairs the release keeps together. Records the key expects but the release did not link
(and the reverse) are counted apart.

Extraction is scored on the documents a document page shows (every such page prints the
title, date, summary, archival reference and translators; some print the Record ID): the
share of them whose published document has each field right, compared after folding what
captures vary (quotes, dashes, white space and case).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl


def _pairs(sizes: pl.Expr) -> pl.Expr:
    return (sizes * (sizes - 1) // 2).sum()


def release_links(release: Path) -> pl.DataFrame:
    """(path, position, document_id) of every published record of a release."""
    data = release / "data"
    sources = pl.read_parquet(data / "sources.parquet", columns=["source_id", "path", "status"])
    sources = sources.filter(pl.col("status") != "duplicate")
    links = pl.read_parquet(data / "document_sources.parquet", columns=["document_id", "source_id", "position"])
    return links.join(sources, on="source_id").select("path", "position", "document_id")


def score_release(release: Path, key_path: Path) -> dict:
    key = json.loads(key_path.read_text("utf-8"))
    truth = pl.DataFrame(key["records"], schema={"path": pl.String, "position": pl.Int64, "document": pl.String})
    found = release_links(release)
    both = truth.join(found, on=["path", "position"], how="inner")
    together = both.group_by("document", "document_id").len()
    true_pairs = both.group_by("document").len().select(_pairs(pl.col("len"))).item()
    found_pairs = both.group_by("document_id").len().select(_pairs(pl.col("len"))).item()
    agreed = together.select(_pairs(pl.col("len"))).item()
    documents = pl.read_parquet(release / "data" / "documents.parquet", columns=["document_id"]).height
    return {
        "documents_expected": len(key["documents"]),
        "documents_published": documents,
        "records_expected": truth.height,
        "records_missing": truth.height - both.height,
        "records_unexpected": found.height - both.height,
        "precision": agreed / found_pairs if found_pairs else 1.0,
        "recall": agreed / true_pairs if true_pairs else 1.0,
    }


# Fields a document page always prints, compared after folding; and the Record ID where shown.
PAGE_FIELDS = ("title", "summary", "archive_reference", "translators", "date", "record_id")
_FOLDED = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-"}


def _folded(text: pl.Expr) -> pl.Expr:
    return (text.fill_null("").str.normalize("NFKC").str.replace_many(_FOLDED)
            .str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase())


def _key_page_documents(key: dict) -> pl.DataFrame:
    """(path, position, document and its true page fields) of every document-page record."""
    pages = {f["path"] for f in key["files"] if (f["layout"] or "").startswith("document")}
    records = pl.DataFrame([r for r in key["records"] if r["path"] in pages],
                           schema={"path": pl.String, "position": pl.Int64, "document": pl.String})
    docs = pl.DataFrame([{"document": d["key"], "record_id": str(d["record_id"]),
                          "record_id_shown": d["record_id_shown"], "title": d["title"], "summary": d["summary"],
                          "archive_reference": d["archive_reference"], "translators": "; ".join(d["translators"]),
                          "date": d["date"], "date_precision": d["date_precision"]} for d in key["documents"]])
    return records.join(docs, on="document")


def field_accuracy(release: Path, key_path: Path) -> dict:
    """Per field of PAGE_FIELDS, the share of documents shown on a document page whose
    published document has it right; `documents` says how many were scored."""
    truth = _key_page_documents(json.loads(key_path.read_text("utf-8")))
    published = pl.read_parquet(release / "data" / "documents.parquet").select(
        "document_id", pl.col("record_id").cast(pl.String), "title", "summary", "archive_reference",
        pl.col("translators").list.join("; "), pl.col("date").cast(pl.String), "date_precision")
    pairs = (truth.join(release_links(release), on=["path", "position"])
             .join(published, on="document_id", suffix="_found").unique(["document", "document_id"]))
    right = pairs.select(
        *(( _folded(pl.col(f)) == _folded(pl.col(f"{f}_found"))).alias(f)
          for f in ("title", "summary", "archive_reference", "translators")),
        ((pl.col("date_found").str.slice(0, pl.col("date").str.len_chars()) == pl.col("date"))
         & (pl.col("date_precision") == pl.col("date_precision_found"))).alias("date"),
        (~pl.col("record_id_shown") | (pl.col("record_id") == pl.col("record_id_found"))).fill_null(False)
        .alias("record_id"),
    )
    shares = right.select(pl.all().mean()).row(0, named=True) if right.height else dict.fromkeys(PAGE_FIELDS, 1.0)
    return {"documents": right.height, **{f: round(shares[f], 4) for f in PAGE_FIELDS}}
