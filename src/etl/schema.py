"""Table Schemas in `schemas/`: loading them, their Polars types, and conforming tables to them.

The JSON files are the single statement of field names, types and constraints; everything
here derives from them.
"""

from __future__ import annotations

import json
from functools import cache

import polars as pl

from etl.config import SCHEMA_DIR

_POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "year": pl.Int64(),
    "array": pl.List(pl.String()),
    "object": pl.String(),
    "any": pl.String(),
}


class SchemaError(Exception):
    """A table does not have the shape its Table Schema names."""


@cache
def load_schema(name: str) -> dict:
    """The Table Schema of resource `name`, read from schemas/<name>.json."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text("utf-8"))


def field_names(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def required_fields(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]


def polars_dtype(field: dict) -> pl.DataType:
    return _POLARS_TYPES[field.get("type", "string")]


def polars_schema(schema: dict) -> dict[str, pl.DataType]:
    """Column name -> Polars dtype, in the schema's order."""
    return {f["name"]: polars_dtype(f) for f in schema["fields"]}


def empty_table(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(schema))


def conform(table: pl.DataFrame, name: str) -> pl.DataFrame:
    """`table` with exactly the schema's columns, in its order and types.

    Fails on a missing column, an unexpected column, or a duplicate primary key: every
    table-building step ends here. Empty strings become nulls, as the published CSV
    cannot tell them apart (missingValues is [""]).
    """
    schema = load_schema(name)
    wanted = polars_schema(schema)
    missing = [c for c in wanted if c not in table.columns]
    extra = [c for c in table.columns if c not in wanted]
    if missing or extra:
        raise SchemaError(f"{name}: missing columns {missing}, unexpected columns {extra}")
    table = table.select(
        pl.col(c).cast(t).replace("", None) if t == pl.String() else pl.col(c).cast(t)
        for c, t in wanted.items()
    )
    key = schema.get("primaryKey")
    if key and table.height and table.select(pl.struct(key).is_duplicated().any()).item():
        dupes = table.filter(pl.struct(key).is_duplicated()).select(key).unique().head(3)
        raise SchemaError(f"{name}: duplicate primary key {key}: {dupes.to_dicts()}")
    return table
