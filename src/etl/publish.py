"""Write a release: Parquet and CSV for every resource plus datapackage.json, atomically.

A release is assembled in a hidden folder beside its final place, checked, and renamed
into place in one step; a failed or killed run leaves no visible half-release. Releases
are immutable: an existing version is never written again. `latest` names the newest
release and moves only after the release is in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.config import settings
from etl.schema import load_schema
from etl.validate import violations

PARQUET_ROW_GROUP = 100_000
ARCHIVE_LICENSE = {
    "name": "other-at",
    "title": "Digital Archive reuse statement: reuse for research and educational purposes; "
             "rights holders keep copyright (see each document's `rights`)",
}
ARTICLE_LICENSE = {"name": "CC-BY-SA-4.0", "title": "Creative Commons Attribution-ShareAlike 4.0"}
ARTICLE_RESOURCES = {"articles", "references"}


class ReleaseError(Exception):
    """The release cannot be written; the message says why."""


def release_dir(output: Path, version: str) -> Path:
    return output / settings().package_name / version


def _csv_ready(table: pl.DataFrame) -> pl.DataFrame:
    """List columns as JSON arrays, as the Table Schema `array` type reads them from CSV."""
    lists = [c for c, t in table.schema.items() if isinstance(t, pl.List)]
    return table.with_columns(
        pl.struct(c).struct.json_encode().str.strip_prefix(f'{{"{c}":').str.strip_suffix("}")
        .replace("null", None).alias(c)
        for c in lists
    )


def _arrow_with_descriptions(table: pl.DataFrame, schema: dict):
    arrow = table.to_arrow()
    described = {f["name"]: f.get("description", "") for f in schema["fields"]}
    fields = [f.with_metadata({"description": described.get(f.name, "")}) for f in arrow.schema]
    return arrow.cast(pa.schema(fields))


def _file_facts(path: Path) -> dict:
    data = path.read_bytes()
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


def write_resource(table: pl.DataFrame, name: str, data_dir: Path) -> dict:
    """Write data/<name>.parquet and data/<name>.csv; return the resource descriptor."""
    schema = load_schema(name)
    parquet, csv = data_dir / f"{name}.parquet", data_dir / f"{name}.csv"
    pq.write_table(_arrow_with_descriptions(table, schema), parquet, compression="zstd",
                   row_group_size=PARQUET_ROW_GROUP)
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
    if name in ARTICLE_RESOURCES:
        resource["licenses"] = [ARTICLE_LICENSE]
    return resource


def release_problems(tables: dict[str, pl.DataFrame]) -> list[str]:
    """Every way the tables break their schemas or each other's keys (empty when valid)."""
    problems = []
    for name, table in tables.items():
        schema = load_schema(name)
        for row in violations(table, schema).head(5).to_dicts():
            problems.append(f"{name} row {row['row'] + 1}: {row['message']} ({row['value']})")
        for fk in schema.get("foreignKeys", []):
            parent = tables[fk["reference"]["resource"]].select(fk["reference"]["fields"]).unique()
            child = table.select(fk["fields"]).drop_nulls()
            orphans = child.join(parent, left_on=fk["fields"], right_on=fk["reference"]["fields"], how="anti")
            if orphans.height:
                problems.append(f"{name}: {orphans.height} rows name a missing "
                                f"{fk['reference']['resource']}.{','.join(fk['reference']['fields'])}")
    return problems


def package_descriptor(resources: list[dict], version: str) -> dict:
    s = settings()
    return {
        "profile": "tabular-data-package",
        "name": s.package_name,
        "title": s.package_title,
        "version": version,
        "description": "Documents, collections and encyclopedia articles extracted from captures of "
                       "the Wilson Center Digital Archive (International History Declassified).",
        "licenses": [ARCHIVE_LICENSE],
        "sources": [{"title": "Wilson Center Digital Archive: International History Declassified"}],
        "resources": resources,
    }


def write_release(tables: dict[str, pl.DataFrame], output: Path, version: str) -> Path:
    """Check the tables, write them to a hidden folder, and move it into place."""
    final = release_dir(output, version)
    if final.exists():
        raise ReleaseError(f"release {version} already exists at {final}; releases are never rewritten")
    problems = release_problems(tables)
    if problems:
        raise ReleaseError("the built tables are not valid:\n  " + "\n  ".join(problems))
    staging = final.parent / f".{version}.partial-{os.getpid()}"
    try:
        data_dir = staging / "data"
        data_dir.mkdir(parents=True)
        resources = [write_resource(tables[name], name, data_dir) for name in settings().resources]
        descriptor = json.dumps(package_descriptor(resources, version), indent=2, ensure_ascii=False)
        (staging / "datapackage.json").write_text(descriptor + "\n", encoding="utf-8")
        _sync_tree(staging)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_latest(final.parent, version)
    return final


def _sync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def _point_latest(package_dir: Path, version: str) -> None:
    pointer = package_dir / ".latest.tmp"
    pointer.write_text(version + "\n", encoding="utf-8")
    os.replace(pointer, package_dir / "latest")
