"""`etl download`: fetch a release's files from a catalog or a datapackage.json, verified and resumable.

The source is a catalog (`index.json`, etl.catalog) or a release's `datapackage.json`, over
HTTP(S) or on disk (a path or a file: URL). A folder means its index.json (on disk: else its
datapackage.json), as does a URL ending in "/". From a catalog, `--version` picks the release (default: the package's
latest), and the descriptor itself is checked against the size and sha256 the catalog lists.

Every file is written to `<dest>/<path>.part` and renamed to its name only after its size
and sha256 match datapackage.json. A .part left by an interrupted run is resumed from its
length with an HTTP Range request (from the start when the server ignores the range). A file
whose hash does not match is deleted and the command stops. datapackage.json is written
last, so a destination holding it holds every file it lists for the format, verified.

Only the standard library: the command must stay quick to start and free of Prefect.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit
from urllib.request import Request, url2pathname, urlopen

from etl.checksums import file_sha256
from etl.progress import Progress

FORMATS = ("parquet", "csv", "sqlite")
CATALOG_FILE = "index.json"       # the name etl.catalog writes
CHUNK = 1 << 16
TIMEOUT_SECONDS = 30
MAX_JSON_BYTES = 64 << 20
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class DownloadError(Exception):
    """A file could not be fetched, was cut off, or did not verify (exit 1)."""

    exit_code = 1


class SourceError(DownloadError):
    """The catalog or descriptor cannot be read, or the request names nothing in it (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Wanted:
    """A file of the release: its path in the release folder, where to fetch it, what it must be."""

    path: str
    url: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    url: str                # where datapackage.json came from: file paths are relative to it
    descriptor_bytes: bytes
    descriptor: dict


def human_size(n: int) -> str:
    """'512 B', '20.0 KiB', '3.4 MiB'."""
    size, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{n:,} B" if unit == "B" else f"{size:.1f} {unit}"


def source_url(source: str) -> str:
    """`source` as a URL: http(s) and file URLs as they are, paths as file: URLs."""
    if _SCHEME.match(source) and not re.match(r"^[A-Za-z]:[\\/]", source):
        if urlsplit(source).scheme.lower() not in ("http", "https", "file"):
            raise SourceError(f"{source}: only http, https and file addresses or paths can be read")
        return urljoin(source, CATALOG_FILE) if urlsplit(source).path.endswith("/") else source
    path = Path(source)
    if path.is_dir():
        path = path / (CATALOG_FILE if (path / CATALOG_FILE).is_file() else "datapackage.json")
    if not path.is_file():
        raise SourceError(f"{source} does not exist (give a catalog index.json, a datapackage.json or their folder)")
    return path.resolve().as_uri()


def _open(url: str, offset: int = 0) -> tuple[BinaryIO, int]:
    """A stream of `url`'s bytes and the offset it starts at: `offset` when the range is
    honoured, 0 when the server sends the whole file instead."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(url2pathname(parts.path))
        start = offset if offset <= path.stat().st_size else 0
        stream = path.open("rb")
        stream.seek(start)
        return stream, start
    headers = {"User-Agent": "etl-download", **({"Range": f"bytes={offset}-"} if offset else {})}
    try:
        response = urlopen(Request(url, headers=headers), timeout=TIMEOUT_SECONDS)
    except HTTPError as err:
        if err.code != 416 or not offset:
            raise
        return _open(url)       # the range does not fit the file: start again
    served = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    if offset and response.status == 206 and served and int(served[1]) == offset:
        return response, offset
    if response.status == 206:  # a range we did not ask for: take the whole file
        response.close()
        return _open(url)
    return response, 0


def _read_json(url: str) -> tuple[bytes, dict]:
    try:
        stream, _ = _open(url)
        with stream:
            data = stream.read(MAX_JSON_BYTES + 1)
    except HTTPError as err:
        raise SourceError(f"cannot read {url}: the server answered {err.code} {err.reason}") from None
    except (URLError, OSError, http.client.HTTPException) as err:
        raise SourceError(f"cannot read {url}: {getattr(err, 'reason', err)}") from None
    if len(data) > MAX_JSON_BYTES:
        raise SourceError(f"{url} is larger than {human_size(MAX_JSON_BYTES)}; not a catalog or descriptor")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise SourceError(f"{url} is not JSON: {err}") from None
    if not isinstance(document, dict):
        raise SourceError(f"{url} is not a catalog or a datapackage.json (not a JSON object)")
    return data, document


def _pick_package(catalog: dict, name: str | None) -> dict:
    packages = catalog.get("packages") or []
    if name is not None:
        found = [p for p in packages if p.get("name") == name]
        if not found:
            raise SourceError(f"the catalog has no package {name!r}; it has {', '.join(p['name'] for p in packages)}")
        return found[0]
    if len(packages) != 1:
        raise SourceError("the catalog lists several packages; choose one with --package: "
                          + ", ".join(p["name"] for p in packages))
    return packages[0]


def _from_catalog(url: str, catalog: dict, version: str | None, package_name: str | None) -> Release:
    package = _pick_package(catalog, package_name)
    version = version or package["latest"]
    release = next((r for r in package["releases"] if r["version"] == version), None)
    if release is None:
        versions = ", ".join(r["version"] for r in package["releases"])
        raise SourceError(f"{package['name']} has no release {version}; it has {versions}")
    listed = next(f for f in release["files"] if f["kind"] == "datapackage")
    descriptor_url = urljoin(url, listed["url"])
    data, descriptor = _read_json(descriptor_url)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != listed["bytes"] or f"sha256:{digest}" != listed["hash"]:
        raise DownloadError(f"datapackage.json: sha256 is {digest} ({len(data):,} bytes), but the catalog says "
                            f"{listed['hash'].removeprefix('sha256:')} ({listed['bytes']:,} bytes); refused")
    return Release(descriptor_url, data, descriptor)


def locate_release(source: str, version: str | None = None, package: str | None = None) -> Release:
    """The release `source` names: a catalog's (by version, default latest) or a datapackage.json."""
    url = source_url(source)
    data, document = _read_json(url)
    if "packages" in document:
        try:
            return _from_catalog(url, document, version, package)
        except (KeyError, TypeError, AttributeError, StopIteration) as err:
            raise SourceError(f"{url} is not a catalog this command can read (at {err!r})") from None
    if "resources" not in document:
        raise SourceError(f"{url} is neither a catalog (index.json) nor a datapackage.json")
    if version is not None and document.get("version") != version:
        raise SourceError(f"{url} is release {document.get('version')}, not {version}")
    return Release(url, data, document)


def safe_path(path: object) -> str:
    """A descriptor's file path, refused when it could land outside the destination."""
    pure = PurePosixPath(path) if isinstance(path, str) else None
    if (pure is None or not path or "\\" in path or pure.is_absolute() or _SCHEME.match(path)
            or any(part in ("..", ".") for part in path.split("/"))):
        raise DownloadError(f"datapackage.json names the file {path!r}, which is not a plain relative path "
                            "inside the release; refused, nothing downloaded")
    return path


def wanted_files(release: Release, fmt: str) -> list[Wanted]:
    """The files `fmt` needs (datapackage.json aside), each checked to stay inside the destination."""
    if fmt not in FORMATS:
        raise SourceError(f"--format must be one of {', '.join(FORMATS)}")
    descriptor = release.descriptor
    try:
        entries = ([descriptor["sqlite"]] if fmt == "sqlite" else
                   [r["parquet"] if fmt == "parquet" else r for r in descriptor["resources"]])
        facts = [(safe_path(e["path"]), int(e["bytes"]), str(e["hash"])) for e in entries]
    except (KeyError, TypeError, ValueError) as err:
        raise SourceError(f"{release.url} does not list the {fmt} files with their bytes and hash ({err})") from None
    wanted = []
    for path, size, digest in facts:
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            raise SourceError(f"{release.url}: {path} has no sha256 hash ({digest!r})")
        wanted.append(Wanted(path, urljoin(release.url, quote(path)), size, digest.removeprefix("sha256:")))
    return wanted


def _transfer(want: Wanted, part: Path, have: int, progress: Progress) -> tuple[int, int]:
    """Append `want`'s bytes to `part` from `have` on; (bytes now in part, offset the server resumed at)."""
    try:
        stream, start = _open(want.url, have)
    except HTTPError as err:
        raise DownloadError(f"{want.path}: the server answered {err.code} {err.reason} ({want.url})") from None
    except (URLError, OSError, http.client.HTTPException) as err:
        raise DownloadError(f"{want.path}: cannot fetch {want.url}: {getattr(err, 'reason', err)}") from None
    written = start
    with stream, part.open("ab" if start else "wb") as out:
        try:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > want.size:
                    break
                out.write(chunk)
                progress.update(want.path, written, want.size)
        except (OSError, http.client.HTTPException):
            pass        # a dropped connection: keep what arrived, the size check says what is missing
    return written, start


def fetch_file(want: Wanted, dest: Path, progress: Progress) -> None:
    """Download `want` into `dest`, verified; a mismatch deletes it and raises DownloadError."""
    target = dest / want.path
    if target.is_file() and target.stat().st_size == want.size and file_sha256(target) == want.sha256:
        progress.finish(f"{want.path}: {human_size(want.size)}, already here and verified")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        start = _fetch_part(want, part, progress)
    except DownloadError:
        progress.interrupt()
        raise
    os.replace(part, target)
    resumed = f", resumed at {human_size(start)}" if start else ""
    progress.finish(f"{want.path}: {human_size(want.size)}, sha256 verified{resumed}")


def _fetch_part(want: Wanted, part: Path, progress: Progress) -> int:
    """Complete and verify `part` (resuming from its length); return the offset it resumed at."""
    have = part.stat().st_size if part.is_file() else 0
    start = 0
    if have != want.size:
        have, start = _transfer(want, part, have if have < want.size else 0, progress)
    if have > want.size:
        part.unlink()
        raise DownloadError(f"{want.path}: the server sent more than the {want.size:,} bytes datapackage.json "
                            "lists; refused and deleted")
    if have < want.size:
        raise DownloadError(f"{want.path}: the transfer stopped after {have:,} of {want.size:,} bytes; "
                            f"run the command again to resume from {part.name}")
    digest = file_sha256(part)
    if digest != want.sha256:
        part.unlink()
        raise DownloadError(f"{want.path}: sha256 is {digest}, but datapackage.json says {want.sha256}; "
                            "the file was refused and deleted")
    return start


def _write_descriptor(dest: Path, data: bytes) -> None:
    part = dest / "datapackage.json.part"
    part.write_bytes(data)
    os.replace(part, dest / "datapackage.json")


@dataclass(frozen=True)
class Downloaded:
    dest: Path
    name: str
    version: str
    files: list[Wanted]     # besides datapackage.json


def download_release(source: str, dest: Path | None = None, version: str | None = None, fmt: str = "parquet",
                     package: str | None = None, progress: Progress | None = None) -> Downloaded:
    """Download the files of format `fmt` of the release `source` names into `dest`
    (default ./<package>-<version>), each verified."""
    release = locate_release(source, version, package)
    files = wanted_files(release, fmt)
    name, version = str(release.descriptor.get("name", "release")), str(release.descriptor.get("version", ""))
    dest = dest or Path(f"{name}-{version}")
    dest.mkdir(parents=True, exist_ok=True)
    progress = progress or Progress(sys.stderr, human_size)
    for want in files:
        fetch_file(want, dest, progress)
    _write_descriptor(dest, release.descriptor_bytes)
    return Downloaded(dest, name, version, files)
