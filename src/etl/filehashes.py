"""sha256 of input files, remembered by their file-system facts so that unchanged files are
not read again.

Every build hashes every input (the fingerprint that says "no changes", the `sources`
table, the run manifest). Most inputs are the same as last time, so, as git's index does,
we keep each file's hash with its size, modification and change times and inode, and take
the hash again only when one of them differs. A file whose modification time is within
`_RACY_NS` of the moment it was hashed is hashed again on every run: on a file system with
coarse timestamps it could have changed in that same tick without changing its facts.

The memo is one Arrow file in the cache folder, replaced atomically; two builds sharing it
at once lose at most some entries (and hash those files again next time).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import polars as pl

from etl.sources import Source, is_url, read_source_file

MEMO_FILE = "file-hashes.arrow"
_RACY_NS = 2_000_000_000
_FACTS = ["file", "bytes", "mtime_ns", "ctime_ns", "inode"]
_MEMO_SCHEMA = {"file": pl.String, "bytes": pl.Int64, "mtime_ns": pl.Int64, "ctime_ns": pl.Int64,
                "inode": pl.Int64, "sha256": pl.String, "hashed_at_ns": pl.Int64}
_UNREADABLE = hashlib.sha256(b"").hexdigest()


def _file_facts(root: Path, paths: list[str]) -> pl.DataFrame:
    """One row per path: its absolute name and what os.stat says (-1 throughout when it fails)."""
    rows = []
    for path in paths:
        name = os.path.join(root, path)
        try:
            facts = os.stat(name)
            rows.append((name, facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino))
        except OSError:
            rows.append((name, -1, -1, -1, -1))
    return pl.DataFrame(rows, schema={k: _MEMO_SCHEMA[k] for k in _FACTS}, orient="row")


def _read_memo(memo: Path | None) -> pl.DataFrame:
    if memo is None or not memo.is_file():
        return pl.DataFrame(schema=_MEMO_SCHEMA)
    try:
        return pl.read_ipc(memo).select(list(_MEMO_SCHEMA)).cast(_MEMO_SCHEMA)
    except (OSError, pl.exceptions.PolarsError):  # damaged or of another shape: start again
        return pl.DataFrame(schema=_MEMO_SCHEMA)


def _read_and_hashed(root: Source, paths: list[str]) -> pl.DataFrame:
    """path, sha256, bytes and moment of hashing of each of `paths`, read now; a file that
    cannot be read gets the hash of nothing and bytes -1 (the build records it as unreadable)."""
    digests, sizes, moments = [], [], []
    for path in paths:
        moments.append(time.time_ns())
        try:
            data = read_source_file(root, path)
        except OSError:
            digests.append(_UNREADABLE)
            sizes.append(-1)
            continue
        digests.append(hashlib.sha256(data).hexdigest())
        sizes.append(len(data))
    return pl.DataFrame({"path": paths, "sha256": digests, "bytes": sizes, "hashed_at_ns": moments},
                        schema={"path": pl.String, "sha256": pl.String, "bytes": pl.Int64, "hashed_at_ns": pl.Int64})


def _remove_abandoned_staging(memo: Path) -> None:
    """Remove staging copies of the memo left by processes that were killed while writing."""
    for leftover in memo.parent.glob(f".{memo.name}-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            leftover.unlink(missing_ok=True)
        except PermissionError:  # another user's live process holds the number: not ours
            continue


def _save_memo(memo: Path, old: pl.DataFrame, current: pl.DataFrame, root: Path) -> None:
    """The memo with this folder's entries replaced by `current` (other folders' are kept)."""
    prefix = os.path.join(root, "")
    kept = old.filter(~pl.col("file").str.starts_with(prefix))
    table = pl.concat([kept, current.filter(pl.col("bytes") >= 0).select(list(_MEMO_SCHEMA))]).sort("file")
    memo.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(memo)
    staging = memo.with_name(f".{memo.name}-{os.getpid()}")
    table.write_ipc(staging, compression="lz4")
    os.replace(staging, memo)


def file_hashes(root: Source, paths: list[str], memo_dir: Path | None = None) -> pl.DataFrame:
    """path, sha256, bytes of each of `paths` under `root`, in the order given. With a
    `memo_dir` (local folders only: the file facts of remote stores differ from one store to
    the next), hashes of files whose facts are unchanged since they were hashed come from the
    memo there, and the memo is brought up to date."""
    if memo_dir is None or is_url(root):
        return _read_and_hashed(root, paths).drop("hashed_at_ns")
    memo = memo_dir / MEMO_FILE
    facts = _file_facts(Path(root), paths).with_columns(pl.Series("path", paths, pl.String))
    old = _read_memo(memo)
    known = facts.join(old, on=_FACTS, how="inner").filter(pl.col("mtime_ns") < pl.col("hashed_at_ns") - _RACY_NS)
    missing = facts.join(known.select("file"), on="file", how="anti")
    # The size read is the size hashed; the memo keeps the other facts as stat saw them.
    fresh = missing.drop("bytes").join(_read_and_hashed(root, missing.get_column("path").to_list()), on="path")
    current = pl.concat([known.select(fresh.columns), fresh])
    if not fresh.is_empty():
        _save_memo(memo, old, current.drop("path"), Path(root))
    order = pl.DataFrame({"path": paths}, schema={"path": pl.String}).with_row_index("order")
    return order.join(current.select("path", "sha256", "bytes"), on="path", how="left") \
        .sort("order").drop("order")
