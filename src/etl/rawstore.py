"""The raw store: captures as they were gathered, kept once by content, with a current snapshot.

    RAW/
      objects/<sha256[:2]>/<sha256>   every version of every page, stored once by its bytes
                                      (read-only; a page that did not change is not stored again)
      current/<host>/<url path>.html  the latest version of each page (a web harvest), or
      current/<relative path>         of each file (a directory harvest): hard links to objects,
                                      copies where links are not possible; `etl build --source
                                      RAW/current` reads this folder as it is
      manifest.jsonl                  append-only, one JSON row per URL or file per run: run, url,
                                      final_url, fetched_at, status, outcome, sha256, bytes, etag,
                                      last_modified, path (in current/), stored, redirects, error
      tmp/                            files being written, renamed into place when complete

Every write is crash-safe: an object or snapshot file is written under tmp/ and renamed into
place in one step (tmp/ is on the same filesystem), so a reader sees the old file or the new
one, never half of either, and a changed page replaces its old version in current/ rather
than appearing beside it. A manifest row is written whole, with one write, and flushed to disk
before the next (a row a crash cut off is ended by the next run, so that it swallows no
other). The rows are written after the object and the snapshot, so a row always names
bytes the store holds. One harvest at a time per store: a run clears tmp/ when it starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

OBJECTS = "objects"
CURRENT = "current"
MANIFEST = "manifest.jsonl"
TMP = "tmp"
MAX_NAME = 200      # bytes of one file name; longer URL segments are cut and given a hash
_SAFE = "-_.~=&,;+!()'$%"   # kept as they are in file names; '@' marks the query
_manifest_lock = threading.Lock()


def prepare_store(raw: Path) -> None:
    """Create the store's folders and clear tmp/ of files an interrupted run left behind."""
    for name in (OBJECTS, CURRENT, TMP):
        (raw / name).mkdir(parents=True, exist_ok=True)
    for leftover in (raw / TMP).iterdir():
        leftover.unlink(missing_ok=True)
    end_cut_manifest_line(raw)


def end_cut_manifest_line(raw: Path) -> None:
    """End with a newline a last row a crash cut off, which the next row would otherwise
    join, and be lost with it; the cut row stays behind as a line that readers pass over."""
    try:
        with (raw / MANIFEST).open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            cut = fh.read(1) != b"\n"
    except OSError:   # no manifest yet, or an empty one
        return
    if cut:
        _append_line(raw, b"\n")


def object_path(raw: Path, sha256: str) -> Path:
    return raw / OBJECTS / sha256[:2] / sha256


def has_object(raw: Path, sha256: str | None) -> bool:
    return bool(sha256) and object_path(raw, sha256).is_file()


def store_bytes(raw: Path, data: bytes) -> tuple[str, bool]:
    """(sha256, whether the object is new): `data` stored under its hash unless already there."""
    sha256 = hashlib.sha256(data).hexdigest()
    if has_object(raw, sha256):
        return sha256, False
    fd, tmp = tempfile.mkstemp(dir=raw / TMP)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return sha256, _publish_object(raw, Path(tmp), sha256)


def store_file(raw: Path, source: Path) -> tuple[str, int, bool]:
    """(sha256, bytes, whether the object is new) for the file at `source`, copied in unless stored."""
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=raw / TMP)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    sha256 = digest.hexdigest()
    if has_object(raw, sha256):
        os.unlink(tmp)
        return sha256, size, False
    return sha256, size, _publish_object(raw, Path(tmp), sha256)


def _publish_object(raw: Path, tmp: Path, sha256: str) -> bool:
    """Move the complete temp file to its object path; False when another writer got there first."""
    target = object_path(raw, sha256)
    target.parent.mkdir(exist_ok=True)
    tmp.chmod(0o444)
    try:
        os.link(tmp, target)        # fails when the object exists: the first writer wins
    except FileExistsError:
        return False
    except OSError:                 # no hard links here: a rename is atomic as well
        os.replace(tmp, target)
        return True
    finally:
        tmp.unlink(missing_ok=True)
    return True


def place_in_snapshot(raw: Path, sha256: str, relpath: str) -> None:
    """Make current/<relpath> the object `sha256`, replacing any older version in one step."""
    target = raw / CURRENT / relpath
    if target.is_file() and _same_file(target, object_path(raw, sha256)):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = raw / TMP / f"snapshot-{os.urandom(8).hex()}"
    try:
        os.link(object_path(raw, sha256), tmp)
    except OSError:
        shutil.copyfile(object_path(raw, sha256), tmp)
    os.replace(tmp, target)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def url_snapshot_path(url: str) -> str:
    """Where a page's latest version lives under current/: `<host>/<path segments>.html`.

    The query is kept after an '@' (`search@q=korea&page=2.html`), a path ending in '/' is
    `<path>/index.html`, and characters a file name cannot hold are percent-encoded (escapes
    already in the URL are kept as they are), so each URL has its own file and none can
    point outside its host's folder.
    """
    parts = urlsplit(url)
    *folders, last = parts.path.split("/")[1:] or [""]
    name = _escaped(last or "index") + ("@" + _escaped(parts.query) if parts.query else "")
    host = _escaped(parts.netloc.lower().replace(":", "_"))
    return "/".join([host, *map(_folder_name, folders), _shortened(name, MAX_NAME - len(".html")) + ".html"])


def _escaped(text: str) -> str:
    return quote(text, safe=_SAFE)


def _folder_name(segment: str) -> str:
    name = _escaped(segment)
    if name in ("", ".", ".."):
        name = name.replace(".", "%2E") or "%2F"
    return _shortened(name, MAX_NAME)


def _shortened(name: str, limit: int) -> str:
    """`name`, or when longer than `limit` bytes its start and a hash of the whole."""
    if len(name.encode()) <= limit:
        return name
    return name[:limit - 17] + "-" + hashlib.sha256(name.encode()).hexdigest()[:16]


# --- the manifest ----------------------------------------------------------------------------

def append_manifest_row(raw: Path, row: dict) -> None:
    """Append one row as one whole line and flush it to disk before returning."""
    _append_line(raw, (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


def _append_line(raw: Path, line: bytes) -> None:
    with _manifest_lock:
        fd = os.open(raw / MANIFEST, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def manifest_size(raw: Path) -> int:
    """Bytes in the manifest now: the rows a run writes start at this offset."""
    try:
        return (raw / MANIFEST).stat().st_size
    except FileNotFoundError:
        return 0


def manifest_rows(raw: Path, start: int = 0, end: int | None = None) -> list[dict]:
    """The rows between byte offsets `start` and `end` (default: the end); a last line still
    being written, or one cut by a crash, is left out."""
    try:
        with (raw / MANIFEST).open("rb") as fh:
            fh.seek(start)
            data = fh.read() if end is None else fh.read(end - start)
    except FileNotFoundError:
        return []
    rows = []
    for line in data.split(b"\n")[:-1]:
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


@lru_cache(maxsize=8)
def latest_rows_before(raw: Path, offset: int, key: str = "url") -> dict[str, dict]:
    """The latest row per `key` ("url", or "path" in current/) among the rows before byte
    `offset` that name a stored version.

    The manifest only grows, so what lies before an offset never changes: the answer is
    cached, and the batches of a run share one reading of the manifest.
    """
    latest = {}
    for row in manifest_rows(raw, 0, offset):
        if row.get("sha256") and row.get(key):
            latest[row[key]] = row
    return latest


def run_rows(raw: Path, run_id: str, offset: int) -> list[dict]:
    """The rows run `run_id` wrote (it started writing at `offset`)."""
    return [row for row in manifest_rows(raw, offset) if row.get("run") == run_id]
