"""The cache of checked records: what validation and normalisation made of each capture's
records, kept by the capture's content id (source_id).

After parsing, normalising is the costliest stage of a build that takes most captures from
the extraction cache (etl.cache): every record, texts and all, would go through it again.
A record's checking and normalising depend only on the record, the code and the schemas, and
a capture's records only on its bytes; so each capture's checked records and quarantine rows
are kept here, in a folder named by the version of all the code, schemas and mappings
(etl.inputs.output_code_version): any change to them starts a new, empty cache.

Layout of CACHE_DIR/checked/<code version>/, segments as in etl.cache (one per build that
checked records of new captures, written in a hidden folder and renamed into place):

    <segment>/covered.arrow    the source_ids whose records the segment holds
    <segment>/checked.arrow    their records that passed, normalised (pipeline.checked_records)
    <segment>/rejected.arrow   their quarantine rows
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from etl import cache, pipeline
from etl.inputs import output_code_version
from etl.stopwatch import Stopwatch

_TABLES = ("covered", "checked", "rejected")
_ORDER = "__checked_cache_order__"


def checked_folder(root: Path) -> Path:
    return root / "checked" / output_code_version()[:16]


def _cached(folder: Path, ids: pl.DataFrame) -> dict[str, pl.DataFrame] | None:
    """The cached tables of the sources in `ids` that the cache covers; None when it covers none."""
    covered = cache.scan(folder, "covered")
    if covered is None:
        return None
    hits = covered.join(ids.lazy(), on="source_id", how="semi").unique().collect()
    if hits.is_empty():
        return None
    return {"covered": hits, **{table: cache.scan(folder, table).join(hits.lazy(), on="source_id", how="semi")
                                .collect() for table in ("checked", "rejected")}}


def _in_records_order(records: pl.DataFrame, parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The checked rows of `parts` in the order of their records in `records`, as checking
    them all at once leaves them (source_id and position identify a record: of two records
    with the same, the first is the one that can pass)."""
    key = ["source_id", "position"]
    order = records.select(key).with_row_index(_ORDER).group_by(key).agg(pl.col(_ORDER).min())
    return pl.concat(parts).join(order, on=key, how="left").sort(_ORDER).drop(_ORDER)


def checked_records(folder: Path, records: pl.DataFrame, seconds: dict[str, float] | None = None
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """pipeline.checked_records(records): the same rows in the same order, with the records
    of captures checked before taken from the cache in `folder`; the others are checked now
    and added to it. Call with the folder locked (cache.locked). Reading and writing the cache
    count as normalising in `seconds`."""
    seconds = seconds if seconds is not None else {}
    clock = Stopwatch(seconds)
    with clock("normalise"):
        folder.mkdir(parents=True, exist_ok=True)
        cache.remove_leftovers(folder)
        ids = records.select("source_id").unique()
        cached = _cached(folder, ids)
    if cached is None:
        checked, rejected = pipeline.checked_records(records, seconds)
        new = records
    else:
        new = records.join(cached["covered"], on="source_id", how="anti")
        if new.is_empty():
            with clock("normalise"):
                return _in_records_order(records, [cached["checked"]]), cached["rejected"]
        checked, rejected = pipeline.checked_records(new, seconds)
    with clock("normalise"):
        _store(folder, new, checked, rejected)
        _compact(folder, ids)
        if cached is None:
            return checked, rejected
        return _in_records_order(records, [cached["checked"], checked]), pl.concat([cached["rejected"], rejected])


def _store(folder: Path, records: pl.DataFrame, checked: pl.DataFrame, rejected: pl.DataFrame) -> None:
    """What checking `records` gave, as a segment of the cache."""
    covered = records.select("source_id").unique().sort("source_id")
    if not covered.is_empty():
        cache.write_segment(folder, cache.content_name(covered.get_column("source_id")),
                            {"covered": covered, "checked": checked, "rejected": rejected})


def _compact(folder: Path, current: pl.DataFrame) -> None:
    """Rewrite the cache as one segment of the sources in `current` (source_id) when it holds
    more than cache.MAX_SEGMENTS segments."""
    old = cache.segments(folder)
    if len(old) <= cache.MAX_SEGMENTS:
        return
    kept = _cached(folder, current)
    if kept is None:
        return
    kept["covered"] = kept["covered"].sort("source_id")
    written = cache.write_segment(folder, cache.content_name(kept["covered"].get_column("source_id")), kept)
    for segment in old:
        if segment != written:
            shutil.rmtree(segment)
