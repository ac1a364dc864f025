"""Score a release against an answer key (bench/generate.py writes one for every corpus).

Deduplication is scored on pairs of records: precision is the share of record pairs the
release puts in one document that truly show one document; recall is the share of true
pairs the release keeps together. Records the key expects but the release did not link
(and the reverse) are counted apart.
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
