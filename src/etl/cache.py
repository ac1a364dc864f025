"""The extraction cache: what each capture gave, keyed by its content hash.

Parsing pages is the build's costly stage, and a capture's tables depend only on its bytes
and on the extraction code. So each extracted capture is kept under its sha256, in a folder
named by the extraction code's version (etl.inputs.extraction_code_version): a change to
a parser or to the schemas its rows take starts a new, empty cache, and old results are
never served by new code.

We keep our own cache rather than Prefect's task caching: Prefect caches a task's result
per task input (a batch of paths), so adding one file to a batch, or shifting the batches,
would miss every file of it; and a cached result there is one pickle per batch, read whole.
Here the unit is the capture, and the store is a few Arrow files a build scans lazily.

Layout of CACHE_DIR/<code version>/:

    <segment>/<table>.arrow    one segment per build that parsed something: the six tables
                               of etl.pipeline.Extracted
    <segment>/TABLES           the names of its tables, written last
    .lock                      taken while a build reads, writes or compacts the cache

A segment is written in a hidden folder and renamed into place, so a killed build leaves at
most a hidden folder, removed by the next one. A segment damaged from outside (a table file
removed, cut or overwritten) is passed over, as if it were not there, and removed by the
next build that holds the lock: what it held is parsed again. Segments accumulate rows of
files that are gone; when there are many, `compact` rewrites the cache as one segment of
what is current.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Iterator

import polars as pl

from etl.inputs import extraction_code_version
from etl.pipeline import Extracted, extracted

_HIDDEN = "."
# Compact when the cache holds more segments than this.
MAX_SEGMENTS = 12
# Files whose reading failed are not cached: the next build tries them again.
_NOT_CACHED = ("unreadable",)
_TABLES = [f.name for f in fields(Extracted)]
_MANIFEST = "TABLES"
# is_sound's answers, by segment and the facts of its files: each is read once per process.
_SOUND: dict[tuple, bool] = {}


def cache_folder(root: Path) -> Path:
    return root / extraction_code_version()[:16]


@contextmanager
def locked(folder: Path) -> Iterator[Path]:
    """Hold the cache folder's lock; one build at a time changes a cache."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def segments(folder: Path) -> list[Path]:
    """The sound segments of `folder`, in name order (see is_sound)."""
    return [p for p in _all_segments(folder) if is_sound(p)]


def _all_segments(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(_HIDDEN))


def is_sound(segment: Path) -> bool:
    """True when the segment lists its tables and every one of them opens as Arrow."""
    try:
        names = (segment / _MANIFEST).read_text("utf-8").split()
        facts = tuple((name, (segment / f"{name}.arrow").stat()) for name in names)
    except OSError:
        return False
    key = (str(segment), tuple((name, f.st_size, f.st_mtime_ns, f.st_ino) for name, f in facts))
    if key not in _SOUND:
        _SOUND[key] = bool(names) and all(_opens(segment / f"{name}.arrow") for name in names)
    return _SOUND[key]


def _opens(path: Path) -> bool:
    try:
        pl.read_ipc_schema(path)
    except (OSError, pl.exceptions.PolarsError):
        return False
    return True


def scan(folder: Path, table: str) -> pl.LazyFrame | None:
    """`table` of every segment in `folder`, one after the other; None when there is none."""
    found = segments(folder) if folder.is_dir() else []
    if not found:
        return None
    return pl.concat([pl.scan_ipc(s / f"{table}.arrow") for s in found], how="vertical")


def write_segment(folder: Path, name: str, tables: dict[str, pl.DataFrame]) -> Path:
    """`tables` as the segment `name` of `folder`: written in a hidden folder, then renamed
    into place (a sound segment of that name is never written twice: it holds the same
    rows; a damaged one is replaced)."""
    final = folder / name
    if final.exists():
        if is_sound(final):
            return final
        shutil.rmtree(final, ignore_errors=True)
    staging = folder / f"{_HIDDEN}{name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for table_name, table in tables.items():
        table.write_ipc(staging / f"{table_name}.arrow", compression="lz4")
    (staging / _MANIFEST).write_text("\n".join(tables) + "\n", encoding="utf-8")
    staging.rename(final)
    return final


def remove_leftovers(folder: Path) -> None:
    """Remove the hidden segments that killed builds left half-written, and the segments
    damaged since they were written. Call with the folder locked."""
    for leftover in folder.iterdir():
        if leftover.is_dir() and leftover.name.startswith(_HIDDEN):
            shutil.rmtree(leftover, ignore_errors=True)
    for segment in _all_segments(folder):
        if not is_sound(segment):
            shutil.rmtree(segment, ignore_errors=True)


def content_name(ids: pl.Series) -> str:
    """A segment's name: a digest of the content ids it holds."""
    digest = hashlib.sha256()
    for value in ids.sort():
        digest.update(value.encode())
    return digest.hexdigest()[:16]


def cached_extraction(folder: Path, files: pl.DataFrame) -> tuple[Extracted, list[str]]:
    """(the cached tables of `files` (path, sha256), the paths not in the cache).

    A cached capture's `sources` row takes the file's current path: the cache knows
    content, not names, so a renamed or copied file is still a hit.
    """
    sources = scan(folder, "sources")
    if sources is None:
        return extracted(), files.get_column("path").to_list()
    hits = sources.unique("sha256", keep="first").join(files.lazy().select("path", "sha256"), on="sha256") \
        .with_columns(pl.col("path_right").alias("path")).drop("path_right").collect()
    ids = hits.select("source_id").unique()
    parts = {"sources": hits}
    for table in _TABLES:
        if table != "sources":
            parts[table] = scan(folder, table).join(ids.lazy(), on="source_id", how="semi").collect()
    missing = files.join(hits.select("path"), on="path", how="anti").get_column("path").to_list()
    return extracted(**parts), missing


def uncached_count(folder: Path, files: pl.DataFrame) -> int:
    """How many of `files` (path, sha256) the cache does not hold (only the hashes are read)."""
    sources = scan(folder, "sources")
    if sources is None:
        return files.height
    held = sources.select("sha256").unique()
    return files.lazy().join(held, on="sha256", how="anti").select(pl.len()).collect().item()


def store(folder: Path, part: Extracted) -> Path | None:
    """Add what `part` extracted to the cache as one segment; None when nothing is worth keeping."""
    kept = part.sources.filter(~pl.col("status").is_in(_NOT_CACHED))
    if kept.is_empty():
        return None
    ids = kept.select("source_id")
    tables = {"sources": kept, **{t: getattr(part, t).join(ids, on="source_id", how="semi")
                                  for t in _TABLES if t != "sources"}}
    return write_segment(folder, content_name(kept.get_column("sha256")), tables)


def compact(folder: Path, current: pl.DataFrame) -> bool:
    """Rewrite the cache as one segment holding only the captures in `current` (path, sha256),
    when it has grown past MAX_SEGMENTS; remove what killed builds left. True when compacted."""
    remove_leftovers(folder)
    old = segments(folder)
    if len(old) <= MAX_SEGMENTS:
        return False
    kept, _ = cached_extraction(folder, current)
    written = store(folder, kept)
    for segment in old:
        if segment != written:
            shutil.rmtree(segment)
    return True
