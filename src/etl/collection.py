"""Collections and their members, from collection listing pages.

A collection is known by its title (its id is the title's slug), so the same collection
captured twice is one collection. Members keep the collection's own order. Captures that
share a member (recaptures of one page) form a group, and the groups (the pages of a
paginated collection) follow one another in path order of their first capture. In a group,
members keep the order of the capture listing the most of them (the first in path order
among equals: a recapture that lists a new member between two others puts it there), then
the members it lacks in the order of their first appearance across the group's other
captures, taken in path order. Paths compare by their names before the file extension
("ferries.txt", the first page, comes before "ferries-2.txt") and their numbers as numbers
(page 10 follows page 9).
"""

from __future__ import annotations

import polars as pl

from etl.ids import slug


def collection_tables(found: pl.DataFrame, links: pl.DataFrame, sources: pl.DataFrame
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(collections, collection_documents) from the collection blocks and the document links."""
    pages = found.join(sources.select("source_id", "path"), on="source_id").with_columns(
        slug(pl.col("title"), "collection-").alias("collection_id"),
        path_order(pl.col("path")).alias("_path_order"),
    ).sort("_path_order")
    listed = with_capture_groups(
        links.join(pages.select("source_id", "collection_id", pl.col("_path_order").alias("path")), on="source_id"))
    fullest = (
        listed.group_by("collection_id", "_group", "path").agg(pl.col("document_id").n_unique().alias("_members"))
        .sort(["collection_id", "_group", "_members", "path"], descending=[False, False, True, False])
        .unique(["collection_id", "_group"], keep="first")
        .select("collection_id", "_group", pl.col("path").alias("_fullest"))
    )
    members = (
        listed.join(fullest, on=["collection_id", "_group"])
        .with_columns((pl.col("path") != pl.col("_fullest")).alias("_other"))
        .sort("collection_id", "_group", "_other", "path", "position")
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


def with_capture_groups(listed: pl.DataFrame) -> pl.DataFrame:
    """`listed` with `_group`: the first path among the captures of its collection linked
    to its own through shared members, so that a page and its recaptures are one group
    and a page captured alone (a further page, or a first page cut short) is its own."""
    grouped = listed.with_columns(pl.col("path").alias("_group"))
    while True:
        spread = grouped.with_columns(pl.col("_group").min().over("collection_id", "document_id")) \
            .with_columns(pl.col("_group").min().over("collection_id", "path"))
        if spread.get_column("_group").equals(grouped.get_column("_group")):
            return spread
        grouped = spread


_NUMBER_WIDTH = 20  # digits: wider than any page number or date in a path


def path_order(path: pl.Expr) -> pl.Expr:
    """`path` with its file extension put after a NUL and each run of digits zero-padded, so
    that sorting on it puts "page.txt" before "page-2.txt" and "page2" before "page10"."""
    parts = path.str.replace(r"(\.[^./]*)?$", "\x00$1").str.extract_all(r"\d+|\D+")
    padded = pl.when(pl.element().str.contains(r"^\d")).then(pl.element().str.zfill(_NUMBER_WIDTH)) \
        .otherwise(pl.element())
    return parts.list.eval(padded).list.join("")
