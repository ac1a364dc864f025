"""Collections and their members, from collection listing pages.

A collection is known by its title (its id is the title's slug), so the same collection
captured twice is one collection. Members keep the collection's own order: that of the
capture listing the most of them (the first in path order among equals: a recapture that
lists a new member between two others puts it there), then the members it lacks in the
order of their first appearance across the other captures, taken in path order (the
further pages of a paginated collection).
"""

from __future__ import annotations

import polars as pl

from etl.ids import slug


def collection_tables(found: pl.DataFrame, links: pl.DataFrame, sources: pl.DataFrame
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(collections, collection_documents) from the collection blocks and the document links."""
    pages = found.join(sources.select("source_id", "path"), on="source_id").with_columns(
        slug(pl.col("title"), "collection-").alias("collection_id"),
    ).sort("path")
    listed = links.join(pages.select("source_id", "collection_id", "path"), on="source_id")
    fullest = (
        listed.group_by("collection_id", "path").agg(pl.col("document_id").n_unique().alias("_members"))
        .sort(["collection_id", "_members", "path"], descending=[False, True, False])
        .unique("collection_id", keep="first").select("collection_id", pl.col("path").alias("_fullest"))
    )
    members = (
        listed.join(fullest, on="collection_id")
        .with_columns((pl.col("path") != pl.col("_fullest")).alias("_other"))
        .sort("collection_id", "_other", "path", "position")
        .unique(subset=["collection_id", "document_id"], keep="first", maintain_order=True)
        .with_columns(pl.int_range(1, pl.len() + 1).over("collection_id").alias("position"))
        .select("collection_id", "document_id", "position")
    )
    counts = members.group_by("collection_id").agg(pl.len().alias("document_count"))
    collections = (
        pages.group_by("collection_id", maintain_order=True)
        .agg(pl.col("title").first(), pl.col("description").drop_nulls().first())
        .join(counts, on="collection_id", how="left")
        .with_columns(pl.col("document_count").fill_null(0))
        .sort("collection_id")
    )
    return collections, members
