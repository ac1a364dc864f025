"""The gate before publishing: a rule that rejects too much of a source stops the run.

Quarantine is for the odd bad record. When one rule rejects a large share of the records
of one kind of source (a layout: listings of the older site, newer document pages, ...),
the likelier story is that the site or a parser changed, and publishing would quietly
ship a thin dataset. The share and the least number of records a layout must have before
its share counts are `[tool.etl] max-rejected-share` and `min-records-for-share`.
"""

from __future__ import annotations

import polars as pl

SHARE_SCHEMA = {"layout": pl.String, "stage": pl.String, "rule": pl.String, "rejected": pl.UInt32,
                "records": pl.Int64, "share": pl.Float64}


def rejection_shares(sources: pl.DataFrame, quarantine: pl.DataFrame) -> pl.DataFrame:
    """Per layout, stage and rule: records rejected, records the layout's files gave, and the share."""
    records = sources.group_by("layout").agg(pl.col("records").sum())
    layouts = sources.select("source_id", "layout").unique("source_id")
    return (
        quarantine.join(layouts, on="source_id")
        .group_by("layout", "stage", "rule")
        .agg(pl.struct("source_id", "position").n_unique().alias("rejected"))
        .join(records, on="layout")
        .with_columns((pl.col("rejected") / pl.col("records")).alias("share"))
        .sort("share", "layout", "rule", descending=[True, False, False])
        .cast(SHARE_SCHEMA)
    )


def excessive_rejections(tables: dict[str, pl.DataFrame], limit: float, minimum: int) -> list[str]:
    """One line per rule that rejected more than `limit` of a layout with `minimum` records or more."""
    shares = rejection_shares(tables["sources"], tables["quarantine"])
    too_many = shares.filter((pl.col("share") > limit) & (pl.col("records") >= minimum))
    return [
        f"rule '{r['rule']}' ({r['stage']}) rejected {_percent(r['share'])} of the {r['layout']} records "
        f"({r['rejected']:,} of {r['records']:,}); the limit is {_percent(limit)}"
        for r in too_many.iter_rows(named=True)
    ]


def _percent(share: float) -> str:
    """A share as a percentage, with decimals when whole percents would hide it (0.1%, 0.11%)."""
    for digits in range(3):
        shown = f"{share:.{digits}%}"
        if share == 0 or float(shown.rstrip("%")) != 0:
            return shown
    return f"{share:.2%}"
