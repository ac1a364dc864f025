"""Input files: walk the source tree, hash each file, decode it, and say what it is.

Every file found becomes one row of the `sources` table, whatever happens to it; a file
that cannot be read as a capture gets a status and a one-line reason instead of records.

A source is a local folder or an fsspec URL (`s3://bucket/captures`, `gs://…`,
`file:///…`, `zip://::captures.zip`, …). Files are named by their path relative to it in
both cases, and whoever parses them (this process, a worker process, a Dask worker on
another machine) opens them through the same source: a cluster reads shared storage.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Union

from etl.config import SCHEMA_DIR

_BINARY_PROBE = 8192
# The statuses of a file that gave no text to read (see read_capture).
UNREAD_STATUSES = ("unreadable", "empty", "binary", "undecodable")
# <!DOCTYPE html> or <html, past white space, a BOM, an XML prolog and comments.
_HTML_START = re.compile(r"[\ufeff\s]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html)", re.I | re.S)
# A charset declared in a meta tag: <meta charset="x"> or <meta http-equiv ... content="...; charset=x">.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_CHARSET_PROBE = 4096
# The codec a browser reads a label's bytes with, where it reads a superset of the label.
_BROWSER_CODECS = {"euc_kr": "cp949", "iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gbk", "shift_jis": "cp932"}
# Control characters (C0 and C1) other than white space: text is nearly free of them.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# A local folder, or the URL of one in any file system fsspec knows.
Source = Union[Path, str]


@dataclass
class Capture:
    """One input file as read: its identity, how it decoded, and its text if it did."""

    path: str  # relative to the source root, forward slashes
    sha256: str
    bytes: int
    encoding: str | None = None
    format: str | None = None  # "text" or "html"
    status: str = "ok"
    message: str | None = None
    text: str | None = None

    @property
    def source_id(self) -> str:
        return self.sha256[:16]


def is_url(source: Source) -> bool:
    return "://" in str(source)


def source_location(text: str | Path) -> Source:
    """A source as given on a command line or in a flow parameter: a URL stays as it is,
    anything else is a local path, made absolute."""
    return str(text) if is_url(text) else Path(text).resolve()


@lru_cache(maxsize=16)
def _filesystem(url: str):
    """(fsspec file system, root path in it) of a source URL; one per URL per process."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    return fs, root.rstrip("/")


def source_problem(source: Source) -> str | None:
    """Why `source` cannot be built from (not a folder, unknown protocol, unreachable), or None."""
    if not is_url(source):
        return None if Path(source).is_dir() else f"the source folder {source} does not exist or is not a folder"
    try:
        fs, root = _filesystem(str(source))
        return None if fs.isdir(root) or root == "" else f"the source {source} is not a folder"
    except Exception as err:  # noqa: BLE001 - any file system's failure becomes the message
        return f"the source {source} cannot be read: {type(err).__name__}: {err}"


def list_source_files(root: Source) -> list[str]:
    """Relative paths (forward slashes, sorted) of every file below `root`, a folder or a URL."""
    if not is_url(root):
        return _local_files(Path(root))
    fs, base = _filesystem(str(root))
    prefix = f"{base}/" if base else ""
    return sorted(name[len(prefix):] for name in fs.find(base, withdirs=False, detail=False)
                  if name.startswith(prefix))


def read_source_file(root: Source, relpath: str) -> bytes:
    """The bytes of `relpath` below `root`; OSError (with the reason) when they cannot be read."""
    if not is_url(root):
        with open(os.path.join(root, relpath), "rb") as handle:
            return handle.read()
    fs, base = _filesystem(str(root))
    try:
        return fs.cat_file(f"{base}/{relpath}" if base else relpath)
    except OSError:
        raise
    except Exception as err:  # noqa: BLE001 - a remote store's own errors, as the OSError builds expect
        raise OSError(f"{type(err).__name__}: {err}") from err


def _local_files(root: Path) -> list[str]:
    """Relative paths (forward slashes, sorted) of every regular file below the folder `root`.

    Links are not followed: a capture folder must not pull in files from elsewhere.
    (os.scandir rather than Path.rglob: the same files, in a tenth of the time.)
    """
    found: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # unreadable or vanished: rglob skips it too
            return
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file(follow_symlinks=False):
                    found.append(prefix + entry.name)
            except OSError:
                continue

    walk(os.fspath(root), "")
    return sorted(found)


def decoded_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding): UTF-8 first (with or without BOM), UTF-16 by its BOM, then the
    charset a page declares in a meta tag, then cp1252, then latin-1; None when no
    decoding gives text (control characters throughout)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif is_utf16(data):
        candidates = ["utf-16"]
    else:
        candidates = list(dict.fromkeys(["utf-8", *filter(None, [declared_charset(data)]), "cp1252", "latin-1"]))
    for encoding in candidates:
        try:
            text = _decoded(data, encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) < 0.01:
            return text, encoding
    return None


def _decoded(data: bytes, encoding: str) -> str:
    """data decoded; in UTF-8, without a last character the file stops inside (a capture
    cut off in a download ends wherever the bytes end, often in a multi-byte character),
    when the rest holds other non-ASCII characters: a file of ASCII text ending in one
    byte above 0x7F is Windows-1252 ("café"), not UTF-8 cut off."""
    if not encoding.startswith("utf-8"):
        return data.decode(encoding)
    text = codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    cut = len(data) - len(text.encode(encoding))
    if cut and text.isascii():
        raise UnicodeDecodeError(encoding, data, len(data) - cut, len(data), "incomplete character after ASCII text")
    return text


@lru_cache(maxsize=1)
def recorded_encodings() -> frozenset[str]:
    """The encodings schemas/sources.json allows in its `encoding` column."""
    schema = json.loads((SCHEMA_DIR / "sources.json").read_text("utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "encoding")
    return frozenset(field["constraints"]["enum"])


def declared_charset(data: bytes) -> str | None:
    """The codec of the charset a page's meta tag declares, as a browser reads the label
    (euc-kr as cp949, iso-8859-1 as cp1252, ...); None when none, when it is not one of
    the encodings the sources table records, or UTF-16 (which only a BOM tells)."""
    declared = _META_CHARSET.search(data[:_CHARSET_PROBE])
    try:
        name = codecs.lookup(declared[1].decode("ascii")).name if declared else None
    except LookupError:
        return None
    codec = _BROWSER_CODECS.get(name, name)
    return codec if codec in recorded_encodings() and not codec.startswith("utf-16") else None


def _control_share(text: str) -> float:
    sample = text[:_BINARY_PROBE]
    return len(_CONTROL.findall(sample)) / max(len(sample), 1)


def is_utf16(data: bytes) -> bool:
    """True when the file opens with a UTF-16 byte order mark (UTF-16 is read only by its BOM)."""
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def looks_binary(data: bytes) -> bool:
    """True when the file holds a NUL byte anywhere (text holds none), unless it is UTF-16."""
    return not is_utf16(data) and b"\x00" in data


def nul_padding(data: bytes) -> int:
    """How many NUL bytes end the file after text that holds none: a download that stopped
    leaves the rest of a file it had set aside as NULs."""
    if is_utf16(data):
        return 0
    text = data.rstrip(b"\x00")
    return len(data) - len(text) if text.strip() and b"\x00" not in text else 0


def contain_one_another(first: Path, second: Path) -> bool:
    """True when two folders are one, or one holds the other (a copy or a build from one
    into the other would read its own output)."""
    a, b = first.resolve(), second.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def looks_html(text: str) -> bool:
    """True when the text opens with <!DOCTYPE html> or <html>, past an XML prolog and
    comments (a browser's "saved from url" note, a web archive's)."""
    return bool(_HTML_START.match(text[:4096]))


def read_capture(root: Source, relpath: str) -> Capture:
    """The file at root/relpath, hashed and decoded, with a status saying whether it is text."""
    try:
        data = read_source_file(root, relpath)
    except OSError as err:
        return Capture(relpath, hashlib.sha256(b"").hexdigest(), 0, status="unreadable",
                       message=f"could not read the file: {err.strerror or err}")
    capture = Capture(relpath, hashlib.sha256(data).hexdigest(), len(data))
    if padding := nul_padding(data):
        data = data[:-padding]
        capture.status, capture.message = "truncated", f"looks truncated: the file ends in {padding:,} NUL bytes"
    if not data.strip():
        capture.status, capture.message = "empty", "the file is empty" if not data else "the file holds only white space"
    elif looks_binary(data):
        capture.status, capture.message = "binary", "the file holds binary data (NUL bytes), not text"
    elif (decoded := decoded_text(data)) is None:
        capture.status, capture.message = "undecodable", "no text encoding (UTF-8, UTF-16, cp1252, latin-1) gives readable text"
    else:
        text, capture.encoding = decoded
        capture.text = text.replace("\r\n", "\n").replace("\r", "\n")
        capture.format = "html" if looks_html(text) else "text"
    return capture
