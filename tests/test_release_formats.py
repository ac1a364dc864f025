"""A published release, loaded the ways its readers load it: frictionless, polars, pandas,
duckdb and sqlite3 all see the same rows and keys as the built tables, and warn about nothing."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from frictionless import Package, validate

from etl import pipeline, publish
from etl.config import settings
from etl.database import declarable_foreign_keys
from etl.schema import field_names, load_schema
from etl.sources import list_source_files

pytestmark = pytest.mark.filterwarnings("error")

VERSION = "2026.11.23"
RESOURCES = settings().resources


@pytest.fixture(scope="module")
def built(samples_dir, tmp_path_factory) -> tuple[dict[str, pl.DataFrame], Path]:
    """(the tables of the sample captures, the release written from them)."""
    extracted = pipeline.extract_batch(samples_dir, list_source_files(samples_dir))
    tables = pipeline.assemble_release(pipeline.combine_batches([extracted])).tables
    return tables, publish.write_release(tables, tmp_path_factory.mktemp("release"), VERSION)


def _key(name: str) -> list[str]:
    return load_schema(name).get("primaryKey", [])


def _keys(rows) -> list[tuple[str, ...]]:
    """Key tuples as text, sorted: readers may type a column differently, not its values."""
    return sorted(tuple(str(value) for value in row) for row in rows)


def _expected_keys(tables: dict, name: str) -> list[tuple[str, ...]]:
    return _keys(tables[name].select(_key(name)).iter_rows()) if _key(name) else []


def _string_fields(name: str) -> dict[str, type]:
    return {f["name"]: str for f in load_schema(name)["fields"] if f.get("type", "string") == "string"}


def test_every_resource_has_rows_to_compare(built):
    tables, _ = built
    assert all(tables[name].height for name in RESOURCES)


def test_frictionless_validates_the_package_from_inside_the_release(built, monkeypatch):
    tables, release = built
    monkeypatch.chdir(release)
    report = validate("datapackage.json")
    assert report.flatten(["rowNumber", "fieldName", "type"]) == []
    assert report.valid
    assert {task.name: task.stats["rows"] for task in report.tasks} == {n: tables[n].height for n in RESOURCES}


def test_frictionless_reads_the_same_keys(built, monkeypatch):
    tables, release = built
    monkeypatch.chdir(release)
    package = Package("datapackage.json")
    for name in RESOURCES:
        rows = package.get_resource(name).read_rows()
        assert len(rows) == tables[name].height
        if _key(name):
            assert _keys(tuple(row[f] for f in _key(name)) for row in rows) == _expected_keys(tables, name)


@pytest.mark.parametrize("name", RESOURCES)
def test_polars_reads_csv_and_parquet_with_the_same_rows_and_keys(built, name):
    tables, release = built
    csv = pl.read_csv(release / "data" / f"{name}.csv")
    parquet = pl.read_parquet(release / "data" / f"{name}.parquet")
    assert csv.height == parquet.height == tables[name].height
    assert csv.columns == parquet.columns == field_names(load_schema(name))
    assert parquet.equals(tables[name])
    assert _keys(csv.select(_key(name)).iter_rows()) == _expected_keys(tables, name)


@pytest.mark.parametrize("name", RESOURCES)
def test_pandas_reads_csv_and_parquet_with_the_same_rows_and_keys(built, name):
    tables, release = built
    csv = pd.read_csv(release / "data" / f"{name}.csv", dtype=_string_fields(name))
    parquet = pd.read_parquet(release / "data" / f"{name}.parquet")
    assert len(csv) == len(parquet) == tables[name].height
    for frame in (csv, parquet):
        if _key(name):
            assert _keys(frame[_key(name)].itertuples(index=False)) == _expected_keys(tables, name)


@pytest.mark.parametrize("name", RESOURCES)
def test_duckdb_reads_csv_and_parquet_with_the_same_rows_and_keys(built, name, monkeypatch):
    tables, release = built
    monkeypatch.chdir(release)
    columns = ", ".join(f'"{c}"' for c in _key(name))
    with duckdb.connect() as con:
        for relation in (f"read_csv_auto('data/{name}.csv')", f"read_parquet('data/{name}.parquet')"):
            assert con.sql(f"SELECT count(*) FROM {relation}").fetchall() == [(tables[name].height,)]
            if columns:
                assert _keys(con.sql(f"SELECT {columns} FROM {relation}").fetchall()) == _expected_keys(tables, name)


def _database(release: Path) -> sqlite3.Connection:
    path = release / f"{settings().package_name}-{VERSION}.sqlite"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_sqlite_has_every_table_with_its_rows_and_keys(built):
    tables, release = built
    with _database(release) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == list(RESOURCES)
        for name in RESOURCES:
            assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == tables[name].height
            if _key(name):
                columns = ", ".join(f'"{c}"' for c in _key(name))
                assert _keys(db.execute(f'SELECT {columns} FROM "{name}"')) == _expected_keys(tables, name)


def test_sqlite_columns_types_and_keys_follow_the_schemas(built):
    _, release = built
    sql_type = {"integer": "INTEGER", "boolean": "INTEGER", "number": "REAL"}
    with _database(release) as db:
        for name in RESOURCES:
            schema = load_schema(name)
            info = db.execute(f'PRAGMA table_info("{name}")').fetchall()  # cid, name, type, notnull, default, pk
            assert [(c[1], c[2], bool(c[3])) for c in info] == [
                (f["name"], sql_type.get(f.get("type", "string"), "TEXT"), bool(f.get("constraints", {}).get("required")))
                for f in schema["fields"]]
            assert [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] == schema.get("primaryKey", [])
            declared = db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()  # id, seq, table, from, to
            assert sorted((fk[2], fk[3], fk[4]) for fk in declared) == sorted(
                (fk["reference"]["resource"], fk["fields"][0], fk["reference"]["fields"][0])
                for fk in declarable_foreign_keys(schema))


def test_sqlite_values_have_their_columns_types(built):
    """Each stored value is of its column's type (or NULL): integers as integers, not as text."""
    _, release = built
    stored = {"integer": "integer", "year": "integer", "boolean": "integer", "number": "real"}
    with _database(release) as db:
        for name in RESOURCES:
            for field in load_schema(name)["fields"]:
                column = field["name"]
                kinds = {row[0] for row in db.execute(f'SELECT DISTINCT typeof("{column}") FROM "{name}"')}
                assert kinds <= {stored.get(field.get("type", "string"), "text"), "null"}, (name, column, kinds)


def test_sqlite_foreign_keys_hold_declared_or_not(built):
    _, release = built
    with _database(release) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for name in RESOURCES:
            for fk in load_schema(name).get("foreignKeys", []):  # those SQLite cannot declare too
                (child,), (parent,), ref = fk["fields"], fk["reference"]["fields"], fk["reference"]["resource"]
                orphans = db.execute(f'SELECT count(*) FROM "{name}" WHERE "{child}" IS NOT NULL AND "{child}" '
                                     f'NOT IN (SELECT "{parent}" FROM "{ref}")').fetchone()[0]
                assert orphans == 0, (name, fk)


def test_sqlite_holds_list_fields_and_dates_as_the_csv_writes_them(built):
    _, release = built
    columns = ["document_id", "translators", "subjects", "date_start", "uploaded_date"]
    csv = pl.read_csv(release / "data" / "documents.csv", infer_schema=False).select(columns)
    with _database(release) as db:
        rows = db.execute(f"SELECT {', '.join(columns)} FROM documents").fetchall()
    assert rows == list(csv.iter_rows())
    assert any(row[1] and json.loads(row[1]) for row in rows)


def test_the_zip_alone_is_a_valid_package(built, tmp_path, monkeypatch):
    tables, release = built
    with zipfile.ZipFile(release / f"{settings().package_name}-{VERSION}-csv.zip") as bundle:
        bundle.extractall(tmp_path)
    monkeypatch.chdir(tmp_path / f"{settings().package_name}-{VERSION}")
    report = validate("datapackage.json")
    assert report.valid
    assert {task.name: task.stats["rows"] for task in report.tasks} == {n: tables[n].height for n in RESOURCES}
