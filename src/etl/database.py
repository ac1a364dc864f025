"""The release as one SQLite file, for Datasette and SQL users; tables and keys from `schemas/`.

Every table, column type, NOT NULL, UNIQUE, PRIMARY KEY and FOREIGN KEY comes from the
resource's Table Schema. Values are those of the CSV files: list fields are JSON arrays
as text, dates ISO 8601 text (YYYY-MM-DD), booleans 0 or 1.

SQLite can only declare a foreign key whose parent columns are the parent's primary key
or unique. `sources.source_id` is neither (byte-identical copies of a file share it), so
the keys that point at it are left undeclared here; an index on `sources.source_id` keeps
those joins fast, and the build has checked those keys before anything is written.

The file is deterministic: the same tables, written by the same SQLite library, give the
same bytes (one transaction, rows in table order, indexes built after the rows, nothing
records the time). VACUUM would save about 1% of the size for a second pass over the file,
so it is not run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from etl.schema import field_names, load_schema

SQLITE_MEDIATYPE = "application/vnd.sqlite3"
_SQLITE_TYPES = {
    "integer": "INTEGER", "year": "INTEGER", "boolean": "INTEGER", "number": "REAL",
}  # every other Table Schema type (string, date, datetime, array, object, any) is TEXT


def quoted(name: str) -> str:
    """`name` as an SQL identifier (`references` is a keyword, so every name is quoted)."""
    return '"' + name.replace('"', '""') + '"'


def _columns(names: list[str]) -> str:
    return ", ".join(quoted(n) for n in names)


def _unique_field_sets(schema: dict) -> list[list[str]]:
    return [schema.get("primaryKey", [])] + [
        [f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")
    ]


def declarable_foreign_keys(schema: dict) -> list[dict]:
    """The schema's foreign keys whose parent columns SQLite accepts (its key, or unique)."""
    return [
        fk for fk in schema.get("foreignKeys", [])
        if fk["reference"]["fields"] in _unique_field_sets(load_schema(fk["reference"]["resource"]))
    ]


def create_table_sql(name: str) -> str:
    """CREATE TABLE for resource `name`, each column commented with its description."""
    schema = load_schema(name)
    key = schema.get("primaryKey", [])
    parts = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        column = f"{quoted(field['name'])} {_SQLITE_TYPES.get(field.get('type', 'string'), 'TEXT')}"
        if constraints.get("required"):
            column += " NOT NULL"
        if constraints.get("unique") and key != [field["name"]]:
            column += " UNIQUE"
        parts.append((column, field.get("description", "")))
    if key:
        parts.append((f"PRIMARY KEY ({_columns(key)})", ""))
    for fk in declarable_foreign_keys(schema):
        ref = fk["reference"]
        parts.append((f"FOREIGN KEY ({_columns(fk['fields'])}) "
                      f"REFERENCES {quoted(ref['resource'])} ({_columns(ref['fields'])})", ""))
    lines = []
    for i, (sql, comment) in enumerate(parts):
        line = "  " + sql + ("," if i < len(parts) - 1 else "")
        lines.append(line + (f"  -- {' '.join(comment.split())}" if comment else ""))
    return f"CREATE TABLE {quoted(name)} (\n" + "\n".join(lines) + "\n)"


def index_sql(names: list[str]) -> list[str]:
    """Indexes for the joins foreign keys make: child columns not led by the primary key,
    and parent columns that are not the parent's key."""
    wanted: list[tuple[str, list[str]]] = []
    for name in names:
        schema = load_schema(name)
        for fk in schema.get("foreignKeys", []):
            if schema.get("primaryKey", [])[:len(fk["fields"])] != fk["fields"]:
                wanted.append((name, fk["fields"]))
            parent, fields = fk["reference"]["resource"], fk["reference"]["fields"]
            if parent in names and fields not in _unique_field_sets(load_schema(parent)):
                wanted.append((parent, fields))
    unique = sorted({(table, tuple(fields)) for table, fields in wanted})
    return [f"CREATE INDEX {quoted('_'.join([table, *fields]))} ON {quoted(table)} ({_columns(list(fields))})"
            for table, fields in unique]


def _sqlite_values(table: pl.DataFrame) -> pl.DataFrame:
    """Dates and datetimes as ISO text, as the CSV files have them."""
    return table.with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
        pl.col(pl.Datetime).dt.to_string("%Y-%m-%dT%H:%M:%S%.f"),
    )


@cache
def loaded_driver():
    """The SQLite driver of ADBC, loaded in the calling thread and kept loaded for the
    process. `write_release_files` calls it before it starts its writer threads: loading a
    shared library (dlopen) while other threads load theirs (pyarrow's, through Polars) is
    where a release once hung, each thread waiting on another."""
    import adbc_driver_sqlite

    return adbc_driver_sqlite.connect()


def write_database(tables: dict[str, pl.DataFrame], path: Path) -> None:
    """Write `tables` (as in the CSV files: list columns already JSON text) to a new SQLite file.

    Rows go in through ADBC's SQLite driver, which binds them from Arrow columns in C: the
    sqlite3 module would make a Python tuple of every row and bind its values one by one,
    three times slower and holding the interpreter lock that the release's other writers need.
    The driver manager's own API, not its DB-API module, which imports pandas and pyarrow's
    dataset module (half a second, more than loading the rows of a 20,000-capture build).
    """
    # Here, not at the top: most commands write no database.
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite

    if path.exists():
        raise FileExistsError(f"{path} already exists")
    # A new connection commits each statement (ADBC's default), so the pragmas run outside a
    # transaction; the rows then go in one transaction, opened and closed by hand.
    with adbc_driver_sqlite.connect(str(path)) as database, adbc.AdbcConnection(database) as connection:
        def execute(sql: str) -> None:
            with adbc.AdbcStatement(connection) as statement:
                statement.set_sql_query(sql)
                statement.execute_update()

        def append(name: str, rows: pl.DataFrame) -> None:
            with adbc.AdbcStatement(connection) as statement:
                statement.set_options(**{adbc.INGEST_OPTION_TARGET_TABLE: name,
                                         adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND})
                statement.bind_stream(rows.to_arrow())
                statement.execute_update()

        # The file is new and in a staging folder that a failed build discards: no journal
        # and no syncs while loading (the release is synced to disk as a whole afterwards).
        execute("PRAGMA journal_mode = OFF")
        execute("PRAGMA synchronous = OFF")
        execute("BEGIN")
        for name, table in tables.items():
            execute(create_table_sql(name))
            append(name, _sqlite_values(table.select(field_names(load_schema(name)))))
        for sql in index_sql(list(tables)):
            execute(sql)
        execute("COMMIT")
