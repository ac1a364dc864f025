"""Write a release, atomically: everything a reader downloads, in one folder per version.

    datapackage.json                     the Data Package: schemas, licences, sources, sizes, hashes
    README.md                            the datasheet (etl.datasheet)
    CHANGELOG.md, changes.json           what changed since the previous release (etl.changes)
    data/<resource>.csv, .parquet        one table per resource
    <package>-<version>.sqlite           every table in one SQLite file (etl.database)
    <package>-<version>-csv.zip          datapackage.json, README.md and the CSVs (etl.bundle)
    SHA256SUMS                           sha256 of every other file, in `sha256sum -c` form

datapackage.json names the SQLite file under the custom package property `sqlite` (path,
mediatype, bytes, hash), as each resource names its Parquet file under `parquet`. The zip
cannot be listed in the datapackage.json it contains: its hash is in SHA256SUMS, where a
catalog of releases (output/index.json) can take it from.

A release is assembled in a hidden folder beside its final place, checked, and renamed
into place in one step; a failed or killed run leaves no visible half-release. Releases
are immutable: an existing version is never written again. `latest` names the newest
release and moves only after the release is in place. Nothing in a release records the
time it was built, so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

import polars as pl

from etl.bundle import add_to_bundle, open_bundle
from etl.changes import (CHANGELOG_FILE, CHANGES_FILE, ReleaseChanges, built, changelog_markdown,
                         changes_json, read_published, release_changes)
from etl.checksums import file_sha256
from etl.config import settings
from etl.database import SQLITE_MEDIATYPE, loaded_driver, write_database
from etl.datasheet import ARCHIVE_URL, render_datasheet
from etl.schema import load_schema
from etl.validate import foreign_key_orphans, violations

# A Parquet row group holds about `[tool.etl] parquet-row-group-mb` of rows, as they weigh in
# memory, within these bounds.
# Below 1,000 rows a group's fixed costs (its footer entry, and for every column statistics,
# a dictionary and page headers) outweigh its data, and a reader seeks from group to group:
# a table of whole document texts, or of one enormous capture, would get groups of a few rows.
# More than 1,048,576 rows (pyarrow's own default cap) and a table of a few narrow columns
# would sit in one group that readers can neither skip by its statistics nor split between
# threads.
MIN_ROWS_PER_GROUP = 1_000
MAX_ROWS_PER_GROUP = 1024 * 1024
# A release is written under this hidden prefix beside its final place, then renamed.
STAGING_PREFIX = ".partial-"
ARCHIVE_LICENSE = {
    "name": "other-at",
    "title": "Digital Archive reuse statement: reuse for research and educational purposes; "
             "rights holders keep copyright (see each document's `rights`)",
}
ARTICLE_LICENSE = {"name": "CC-BY-SA-4.0", "title": "Creative Commons Attribution-ShareAlike 4.0",
                   "path": "https://creativecommons.org/licenses/by-sa/4.0/"}
ARTICLE_RESOURCES = {"articles", "references"}
PUBLISHER = "The wilson-archive-etl project"
_DATED_VERSION = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})(\.\d+)?")
# A version names a folder, files and catalog URLs: letters, digits, '.', '_' and '-'.
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ReleaseError(Exception):
    """The release cannot be written; the message says why."""


def version_problem(version: str) -> str | None:
    """Why `version` cannot name a release, or None."""
    if not _VERSION.fullmatch(version) or ".." in version:
        return (f"the version {version!r} cannot name a release: use at most 64 letters, digits, '.', '_' "
                "and '-', starting with a letter or digit (no '..')")
    return None


def release_dir(output: Path, version: str) -> Path:
    return output / settings().package_name / version


def database_name(version: str) -> str:
    return f"{settings().package_name}-{version}.sqlite"


def bundle_name(version: str) -> str:
    return f"{settings().package_name}-{version}-csv.zip"


def created_from_version(version: str) -> str | None:
    """`created` of the descriptor: the date a dated version names (YYYY.MM.DD[.N]), as
    midnight UTC; None for any other version, and the descriptor then has no `created`.

    Never the wall-clock time of the build: that would make two builds of the same tables
    differ, and a release's date is the one its version states.
    """
    match = _DATED_VERSION.fullmatch(version)
    if not match:
        return None
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # "2026.13.45" looks like a date and names none
        return None
    return f"{match[1]}-{match[2]}-{match[3]}T00:00:00Z"


def _csv_ready(table: pl.DataFrame) -> pl.DataFrame:
    """List columns as JSON arrays, as the Table Schema `array` type reads them from CSV."""
    lists = [c for c, t in table.schema.items() if isinstance(t, pl.List)]
    return table.with_columns(
        pl.struct(c).struct.json_encode().str.strip_prefix(f'{{"{c}":').str.strip_suffix("}")
        .replace("null", None).alias(c)
        for c in lists
    )


def _arrow_with_descriptions(table: pl.DataFrame, schema: dict):
    import pyarrow as pa  # here, not at the top: commands that publish nothing start faster

    arrow = table.to_arrow()
    described = {f["name"]: f.get("description", "") for f in schema["fields"]}
    fields = [f.with_metadata({"description": described.get(f.name, "")}) for f in arrow.schema]
    # The same columns under a schema that differs only in metadata: nothing is cast or copied.
    return pa.Table.from_arrays(arrow.columns, schema=pa.schema(fields, arrow.schema.metadata))


def value_bytes(table: pl.DataFrame) -> int:
    """About what the values of `table` weigh in Arrow: each text cell its UTF-8 bytes and an
    8-byte offset, any other cell 8 bytes. An estimate from the values alone: the table's own
    in-memory size varies with how the steps that built it left its chunks and bitmaps (a cached
    build, another number of threads), and the row groups, hence the file's bytes, must not."""
    texts = [name for name, dtype in table.schema.items() if dtype == pl.String]
    text_bytes = table.select(pl.sum_horizontal(pl.col(texts).str.len_bytes().sum())).item() if texts else 0
    return int(text_bytes or 0) + 8 * table.height * table.width


def rows_per_row_group(table: pl.DataFrame, target_bytes: int) -> int:
    """Rows of `table` that weigh `target_bytes` at its average row size, within
    MIN_ROWS_PER_GROUP and MAX_ROWS_PER_GROUP (integers only, so the same on every machine)."""
    rows = target_bytes * table.height // max(value_bytes(table), 1)
    return min(max(rows, MIN_ROWS_PER_GROUP), MAX_ROWS_PER_GROUP)


def _file_facts(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "hash": f"sha256:{file_sha256(path)}"}


def write_resource(table: pl.DataFrame, name: str, data_dir: Path) -> dict:
    """Write data/<name>.parquet and data/<name>.csv; return the resource descriptor."""
    schema = load_schema(name)
    parquet, csv = data_dir / f"{name}.parquet", data_dir / f"{name}.csv"
    import pyarrow.parquet as pq

    arrow = _arrow_with_descriptions(table, schema)
    pq.write_table(arrow, parquet, compression="zstd",
                   row_group_size=rows_per_row_group(table, settings().parquet_row_group_bytes))
    _csv_ready(table).write_csv(csv, date_format="%Y-%m-%d", null_value="")
    resource = {
        "name": name, "path": f"data/{name}.csv", "title": schema.get("title", name),
        "description": schema.get("description", ""),
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        **_file_facts(csv), "rowCount": table.height,
        "parquet": {"path": f"data/{name}.parquet", "mediatype": "application/vnd.apache.parquet",
                    **_file_facts(parquet)},
        "schema": {k: v for k, v in schema.items() if k not in ("title", "description")},
    }
    resource["licenses"] = [ARTICLE_LICENSE if name in ARTICLE_RESOURCES else ARCHIVE_LICENSE]
    return resource


def release_problems(tables: dict[str, pl.DataFrame]) -> list[str]:
    """Every way the tables break their schemas or each other's keys (empty when valid)."""
    problems = []
    for name, table in tables.items():
        schema = load_schema(name)
        for row in violations(table, schema).head(5).to_dicts():
            problems.append(f"{name} row {row['row'] + 1}: {row['message']} ({row['value']})")
        for fk in schema.get("foreignKeys", []):
            orphans = foreign_key_orphans(table, fk, tables[fk["reference"]["resource"]])
            if orphans.height:
                problems.append(f"{name}: {orphans.height} rows name a missing "
                                f"{fk['reference']['resource']}.{','.join(fk['reference']['fields'])}")
    return problems


def package_descriptor(resources: list[dict], version: str, database: dict) -> dict:
    """datapackage.json; `database` is the SQLite file's path, mediatype, bytes and hash."""
    s = settings()
    created = created_from_version(version)
    return {
        "profile": "tabular-data-package",
        "name": s.package_name,
        "title": s.package_title,
        "version": version,
        **({"created": created} if created else {}),
        "description": "Documents, collections and encyclopedia articles extracted from captures of "
                       "the Wilson Center Digital Archive (International History Declassified). "
                       "README.md in this folder is the datasheet: coverage, limitations, how to cite "
                       "and load the tables.",
        "licenses": [ARCHIVE_LICENSE, ARTICLE_LICENSE],
        "sources": [
            {"title": "Wilson Center Digital Archive: International History Declassified", "path": ARCHIVE_URL},
            {"title": "Captures of archive pages and of encyclopedia articles; one row each in the "
                      "`sources` resource", "path": "data/sources.csv"},
        ],
        "contributors": [{"title": PUBLISHER, "role": "publisher"}],
        "sqlite": database,
        "resources": resources,
    }


def next_version(package_dir: Path, today: dt.date) -> str:
    """Today's date as a version; '.1', '.2', ... when that version is already taken."""
    base = today.strftime("%Y.%m.%d")
    taken = {p.name for p in package_dir.iterdir()} if package_dir.is_dir() else set()
    n = 0
    version = base
    while version in taken:
        n += 1
        version = f"{base}.{n}"
    return version


@contextmanager
def build_lock(output: Path) -> Iterator[Path]:
    """Hold the package folder for one build: a second build into the same folder is refused
    while one runs. Half-written releases that killed builds left behind are removed first."""
    package_dir = output / settings().package_name
    package_dir.mkdir(parents=True, exist_ok=True)
    with (package_dir / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReleaseError(f"another build is writing to {package_dir}; try again when it ends") from None
        for leftover in package_dir.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            yield package_dir
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def latest_release(package_dir: Path) -> Path | None:
    """The release folder `latest` names, or None before the first release."""
    pointer = package_dir / "latest"
    if not pointer.is_file():
        return None
    release = package_dir / pointer.read_text("utf-8").strip()
    return release if (release / "datapackage.json").is_file() else None


def changes_since_latest(tables: dict[str, pl.DataFrame], output: Path, version: str) -> ReleaseChanges:
    """The release's changes against the latest published release (a first release when none)."""
    previous = latest_release(output / settings().package_name)
    return release_changes(built(tables, version), read_published(previous) if previous else None)


def valid_changes(tables: dict[str, pl.DataFrame], output: Path, version: str) -> ReleaseChanges:
    """The release's changes since the latest release, once its tables are found valid
    (ReleaseError, saying how they break their schemas, when they are not)."""
    problems = release_problems(tables)
    if problems:
        raise ReleaseError("the built tables are not valid:\n  " + "\n  ".join(problems))
    return changes_since_latest(tables, output, version)


def write_release(tables: dict[str, pl.DataFrame], output: Path, version: str) -> Path:
    """Check the tables, write them to a hidden folder, and move it into place."""
    if problem := version_problem(version):
        raise ReleaseError(problem)
    final = release_dir(output, version)
    if final.exists():
        raise ReleaseError(f"release {version} already exists at {final}; releases are never rewritten")
    staging = final.parent / f"{STAGING_PREFIX}{version}-{os.getpid()}"
    try:
        write_release_files(tables, staging, version, partial(valid_changes, tables, output, version))
        _sync_tree(staging)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_latest(final.parent, version)
    return final


def write_release_files(tables: dict[str, pl.DataFrame], folder: Path, version: str,
                        checked: Callable[[], ReleaseChanges]) -> None:
    """Every file of release `version` into the new `folder`; SHA256SUMS, which covers the rest, last.
    `checked` checks the tables and returns the release's changes (valid_changes): it runs
    while the SQLite file is written, and what it raises stops the writing."""
    names = settings().resources
    (folder / "data").mkdir(parents=True)
    database = folder / database_name(version)
    # The SQLite file needs none of the other files and takes longest: it is written in a thread
    # of its own, started first, while the tables are checked and then written, and each CSV
    # file is deflated into the zip, in a third thread, as soon as it is written (SQLite,
    # Parquet, CSV and zlib release the interpreter lock). The same calls in the same order:
    # the same bytes.
    top = f"{settings().package_name}-{version}"
    import pyarrow.parquet  # noqa: F401 - the native libraries, loaded before the threads start
    loaded_driver()
    # (The threads are waited for before the zip is closed, whatever happens.)
    with (closing(open_bundle(folder / bundle_name(version))) as bundle,
          ThreadPoolExecutor(1) as database_thread, ThreadPoolExecutor(1) as zip_thread):
        sqlite_written = database_thread.submit(
            write_database, {name: _csv_ready(tables[name]) for name in names}, database)
        changes = checked()
        resources, zipped = [], []
        for name in names:
            resources.append(write_resource(tables[name], name, folder / "data"))
            zipped.append(zip_thread.submit(add_to_bundle, bundle, folder, [resources[-1]["path"]], top))
        sqlite_written.result()
        sqlite_facts = _file_facts(database)
        descriptor = package_descriptor(resources, version, {
            "path": database.name, "mediatype": SQLITE_MEDIATYPE, **sqlite_facts})
        text = json.dumps(descriptor, indent=2, ensure_ascii=False)
        (folder / "datapackage.json").write_text(text + "\n", encoding="utf-8")
        readme = render_datasheet(tables, descriptor, bundle_name(version))
        (folder / "README.md").write_text(readme, encoding="utf-8")
        (folder / CHANGES_FILE).write_text(changes_json(changes), encoding="utf-8")
        (folder / CHANGELOG_FILE).write_text(changelog_markdown(changes), encoding="utf-8")
        for done in zipped:
            done.result()
        add_to_bundle(bundle, folder, ["datapackage.json", "README.md", CHANGELOG_FILE], top)
    # The data files and the SQLite file were hashed for datapackage.json: not read again.
    hashed = {database.name: sqlite_facts["hash"]}
    for resource in resources:
        hashed |= {resource["path"]: resource["hash"], resource["parquet"]["path"]: resource["parquet"]["hash"]}
    write_checksums(folder, {path: digest.removeprefix("sha256:") for path, digest in hashed.items()})


def write_checksums(release: Path, known: dict[str, str] | None = None) -> None:
    """SHA256SUMS: `<sha256>  <path>` for every file of the release, sorted by path.
    `known` holds the sha256 of files already hashed (path relative to the release)."""
    known = known or {}
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    lines = [f"{known.get(name) or file_sha256(release / name)}  {name}\n" for name in files if name != "SHA256SUMS"]
    (release / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def _sync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def _point_latest(package_dir: Path, version: str) -> None:
    pointer = package_dir / ".latest.tmp"
    pointer.write_text(version + "\n", encoding="utf-8")
    os.replace(pointer, package_dir / "latest")
