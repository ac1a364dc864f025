"""Cluster extracted records into documents; every merge rule lives here.

- A record id always identifies a document: records with one Record ID are one document.
- Title plus date may identify one: a record without an id joins the document whose
  folded title and ISO date it shares. If that title and date belong to several documents
  with different ids, the record is ambiguous and goes to quarantine.
- A record dated only to a month or a year is its own document unless its id or its title
  and date match another: "October, 1959" is not "October 5, 1959", since a series prints
  one title on many dates and may date some reports to the month only.
- Title alone never does, with one exception: a record with neither id nor date (a listing
  entry printed without its date line) joins the document of that folded title when exactly
  one document in the build has it; otherwise it stays a document of its own.
- Fields merge by rank: a document page beats a contribution, a contribution beats a
  listing; within a rank a complete capture beats one that was cut off (its text lacks
  the end); a title printed in mixed case beats an upper-cased one whatever their ranks,
  and within a rank a date to the day beats one to the month or year.
"""

from __future__ import annotations

import polars as pl

from etl.ids import hashed_id

DOCUMENT_PAGE_LAYOUTS = ("document_new", "document_old")
_DATE_FIELDS = ["date", "date_precision", "date_start", "date_end", "date_text"]
_FINENESS = {"day": 0, "range": 1, "month": 2, "year": 3}
_LIST_FIELDS = ["translators", "funders", "authors", "places", "subjects"]
_MERGED_FIELDS = [
    "record_id", "url", "title", "summary", "document_type", "language", "archive",
    "archive_reference", "fond", "opis", "delo", "papka", "pages", "file_number",
    "rights", "original_archive", "uploaded_date", "classification", "text",
]


def record_rank() -> pl.Expr:
    """0 for a document page, 1 for a contribution, 2 for a listing entry: lower wins."""
    return (
        pl.when(pl.col("layout").is_in(DOCUMENT_PAGE_LAYOUTS)).then(0)
        .when(pl.col("layout") == "contribution").then(1)
        .otherwise(2)
    )


def _title_date_key() -> pl.Expr:
    return pl.concat_str([pl.col("title_key"), pl.col("date")], separator="|")


def assign_documents(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records with a document_id column, quarantine rows for ambiguous records)."""
    keyed = records.with_columns(_title_date_key().alias("_key"))
    # Which record ids each title+date is known under.
    known = (
        keyed.filter(pl.col("record_id").is_not_null() & pl.col("_key").is_not_null())
        .group_by("_key").agg(pl.col("record_id").unique().sort().alias("_ids"))
    )
    keyed = keyed.join(known, on="_key", how="left")
    ambiguous = pl.col("record_id").is_null() & (pl.col("_ids").list.len() > 1)
    own_key = pl.concat_str([pl.col("title_key"), pl.col("source_id"), pl.col("position").cast(pl.String)],
                            separator="|")
    assigned = keyed.filter(~ambiguous.fill_null(False)).with_columns(
        pl.coalesce(pl.col("record_id"), pl.col("_ids").list.first()).alias("_rid"),
        pl.coalesce(pl.col("_key"), own_key).alias("_hash_key"),
    ).with_columns(
        pl.when(pl.col("_rid").is_not_null())
        .then(pl.lit("rid-") + pl.col("_rid").cast(pl.String))
        .otherwise(hashed_id(pl.col("_hash_key"), "doc-"))
        .alias("document_id"),
    ).drop("_key", "_ids", "_rid", "_hash_key")
    assigned = _undated_joined_to_sole_title(assigned)
    quarantined = keyed.filter(ambiguous.fill_null(False)).select(
        "source_id", "position", pl.lit("dedup").alias("stage"), pl.lit("ambiguous-match").alias("rule"),
        pl.lit("title").alias("field"), pl.col("title").str.slice(0, 200).alias("value"),
        (pl.lit("title and date match documents with different record ids: ")
         + pl.col("_ids").cast(pl.List(pl.String)).list.join(", ")).alias("message"),
    )
    return assigned, quarantined


def _undated_joined_to_sole_title(records: pl.DataFrame) -> pl.DataFrame:
    """Undated, id-less records take the document_id of the one document with their title."""
    undated = pl.col("record_id").is_null() & pl.col("date").is_null()
    sole = (
        records.filter(~undated).group_by("title_key")
        .agg(pl.col("document_id").unique().alias("_ids"))
        .filter(pl.col("_ids").list.len() == 1)
        .select("title_key", pl.col("_ids").list.first().alias("_sole"))
    )
    return records.join(sole, on="title_key", how="left", maintain_order="left").with_columns(
        pl.when(undated & pl.col("_sole").is_not_null()).then("_sole").otherwise("document_id").alias("document_id"),
    ).drop("_sole")


def _first_present(name: str) -> pl.Expr:
    col = pl.col(name)
    if name in _LIST_FIELDS:
        return col.filter(col.list.len() > 0).first().fill_null(pl.lit([], dtype=pl.List(pl.String)))
    return col.drop_nulls().first()


def _best_title() -> pl.Expr:
    """The title of the best-ranked record printed in mixed case; upper-cased only when no
    record prints it otherwise (the older pages' upper-cased repeat is not the title's form)."""
    return pl.coalesce(pl.col("title").filter(~pl.col("_upper")).first(), pl.col("title").first())


def _best_dates(ordered: pl.DataFrame) -> pl.DataFrame:
    """Per document_id, the date fields of the best-ranked dated record; within a rank, a date
    to the day beats one to the month or year."""
    return (
        ordered.filter(pl.col("date_precision") != "unknown")
        .sort("document_id", "_rank", "_fineness", "source_id", "position")
        .group_by("document_id", maintain_order=True).agg(pl.col(f).first() for f in _DATE_FIELDS)
    )


def merge_documents(records: pl.DataFrame, cut_sources: pl.Series | None = None) -> pl.DataFrame:
    """One row per document_id: each field from the best-ranked record that has it;
    `cut_sources` are the source_ids of captures that were cut off."""
    cut = pl.col("source_id").is_in(cut_sources.implode()) if cut_sources is not None else pl.lit(False)
    ordered = records.with_columns(
        record_rank().alias("_rank"),
        cut.alias("_cut"),
        (pl.col("title") == pl.col("title").str.to_uppercase()).alias("_upper"),
        pl.col("date_precision").replace_strict(_FINENESS, default=len(_FINENESS)).alias("_fineness"),
    ).sort("document_id", "_rank", "_cut", "_upper", "source_id", "position")
    merged = ordered.group_by("document_id", maintain_order=True).agg(
        _best_title(),
        *[_first_present(f) for f in _MERGED_FIELDS + _LIST_FIELDS if f != "title"],
        pl.col("text").is_not_null().any().alias("has_text"),
        pl.len().alias("source_count"),
    )
    dates = merged.join(_best_dates(ordered), on="document_id", how="left", maintain_order="left")
    return dates.with_columns(pl.col("date_precision").fill_null("unknown"))


def document_links(records: pl.DataFrame) -> pl.DataFrame:
    """The document_sources table: which record of which capture shows which document."""
    return records.select("document_id", "source_id", "position", "layout").sort("source_id", "position")
