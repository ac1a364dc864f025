"""The one-download zip of a release: the CSV files, then datapackage.json, README.md and
CHANGELOG.md (the CSV files go first: they are deflated while the rest of the release is
still being written).

Entries sit under one folder named like the zip (`<package>-<version>/`), so unzipping
never spills files into the reader's folder, and `datapackage.json` inside still finds
its CSV files by their relative paths.

The zip is deterministic: entries in a fixed order, each dated 1980-01-01 00:00 (the
earliest time a zip can hold), mode 0644, made-by Unix, deflated at zlib's level 3. Its own
hash cannot be in the datapackage.json it contains: it is in the release's SHA256SUMS.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_FILE_MODE = 0o100644  # a regular file, rw-r--r--
_COPY_CHUNK = 1 << 20
# zlib's quickest kind of deflate (levels 1 to 3), at its best: the 141 MB of CSV of a
# 100,000-document release become 25 MB in 1.0 s, where the default level 6 makes 20 MB in
# 2.2 s, the longest step of writing a release.
DEFLATE_LEVEL = 3


def _entry(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = DEFLATE_LEVEL  # ZipFile.open(info, "w") takes the level from the entry
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE << 16
    info.file_size = size
    return info


def open_bundle(path: Path) -> zipfile.ZipFile:
    """A new, empty zip at `path` (never an existing one), for `add_to_bundle`."""
    return zipfile.ZipFile(path, "x")


def add_to_bundle(bundle: zipfile.ZipFile, release: Path, members: list[str], folder: str) -> None:
    """Deflate the files `members` (paths relative to `release`, in this order) into `bundle`,
    each as `<folder>/<member>`. One caller at a time: entries are written one after another."""
    for member in members:
        source = release / member
        entry = _entry(f"{folder}/{member}", source.stat().st_size)
        with source.open("rb") as data, bundle.open(entry, "w") as out:
            shutil.copyfileobj(data, out, _COPY_CHUNK)
