"""What a set of documents would do to a published release: add, change or duplicate.

A contributed document matches a published one by document_id, else (as the build's
deduplication would join them) by folded title and date. A match whose contributed values
differ in some field is a change; one that differs in none is a duplicate. A contributed
table ranks below a document page (etl.dedup): where a page shows the published document
and the release has a value, the build keeps it, so that field is `kept`, not changed (the
release does not say which capture gave each value: one a listing gave where the page had
none is taken for the page's).
"""

from __future__ import annotations

import polars as pl

from etl.normalise import title_key

CHANGE_SCHEMA = {"document_id": pl.String, "published_id": pl.String, "change": pl.String,
                 "fields": pl.List(pl.String), "kept": pl.List(pl.String)}
# Fields the build derives rather than takes from any one record.
_DERIVED = {"document_id", "has_text", "source_count"}
_DATE_FIELDS = ("date", "date_precision", "date_start", "date_end", "date_text")


def comparable(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """One text form per value, so typed and list columns compare alike."""
    if isinstance(dtype, pl.List):
        return value.list.join("\u241f")
    return value.cast(pl.String)


def _given(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Whether the contribution states a value: not null, and not an empty list."""
    return value.list.len() > 0 if isinstance(dtype, pl.List) else value.is_not_null()


def _matched(contributed: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """contributed with `_published_id`: the published document it matches, if any."""
    keyed = published.select(
        pl.col("document_id").alias("_published_id"),
        title_key(pl.col("title")).alias("_title_key"), pl.col("date").alias("_date"),
    )
    by_key = keyed.filter(pl.col("_date").is_not_null()).unique(["_title_key", "_date"], keep="none")
    with_key = contributed.with_columns(title_key(pl.col("title")).alias("_title_key"),
                                        pl.col("date").alias("_date"))
    by_id = with_key.join(keyed.select("_published_id"), left_on="document_id", right_on="_published_id",
                          how="left", coalesce=False, maintain_order="left")
    return by_id.join(by_key, on=["_title_key", "_date"], how="left", suffix="_by_key",
                       maintain_order="left").with_columns(
        pl.coalesce("_published_id", "_published_id_by_key").alias("_published_id"),
    ).drop("_published_id_by_key", "_title_key", "_date")


def _page_value(field: str, dtype: pl.DataType) -> pl.Expr:
    """Whether the build keeps the published value of `field` over a contributed table's:
    a document page shows the document and the release has a value (a date, for the date
    fields; for the title, one not upper-cased, since a mixed-case title wins whatever its rank)."""
    published = pl.col(f"{field}_published")
    given = pl.col("date_published").is_not_null() if field in _DATE_FIELDS else _given(published, dtype)
    if field == "title":
        given = given & ((published != published.str.to_uppercase()) | (pl.col("title") == pl.col("title").str.to_uppercase()))
    return pl.col("_on_page") & given


def document_changes(contributed: pl.DataFrame, published: pl.DataFrame,
                     on_page: pl.Series | None = None) -> pl.DataFrame:
    """One row per contributed document, in its order: its document_id, the published
    document it matches (null for an addition), 'add', 'change' or 'duplicate', the fields
    whose contributed value differs from the published one and would replace it, and the
    fields that differ but keep the published value, since `on_page` (ids of documents a
    document page shows; none for contributed captures, which rank as pages) outranks them."""
    matched = _matched(contributed, published)
    fields = [c for c in contributed.columns if c in published.columns and c not in _DERIVED]
    paged = pl.Series([], dtype=pl.String) if on_page is None else on_page
    joined = matched.join(published.select("document_id", *fields), left_on="_published_id",
                          right_on="document_id", how="left", suffix="_published", maintain_order="left") \
        .with_columns(pl.col("_published_id").is_in(paged.implode()).alias("_on_page"))
    differs = {
        f: _given(pl.col(f), contributed.schema[f]).fill_null(False)
        & (comparable(pl.col(f), contributed.schema[f])
           != comparable(pl.col(f"{f}_published"), published.schema[f])).fill_null(True)
        for f in fields
    }
    kept = {f: differs[f] & _page_value(f, published.schema[f]).fill_null(False) for f in fields}
    changed = _field_list([pl.when(differs[f] & ~kept[f]).then(pl.lit(f)) for f in fields])
    kept_list = _field_list([pl.when(kept[f]).then(pl.lit(f)) for f in fields])
    matched_only = pl.col("_published_id").is_not_null()
    return joined.select(
        "document_id", pl.col("_published_id").alias("published_id"),
        pl.when(~matched_only).then(pl.lit("add"))
        .when(changed.list.len() > 0).then(pl.lit("change"))
        .otherwise(pl.lit("duplicate")).alias("change"),
        pl.when(matched_only).then(changed).otherwise(pl.lit([], pl.List(pl.String))).alias("fields"),
        pl.when(matched_only).then(kept_list).otherwise(pl.lit([], pl.List(pl.String))).alias("kept"),
    ).cast(CHANGE_SCHEMA)


def _field_list(named: list[pl.Expr]) -> pl.Expr:
    return pl.concat_list(named).list.drop_nulls() if named else pl.lit([], pl.List(pl.String))
