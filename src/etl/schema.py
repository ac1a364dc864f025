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


def polars_dtype(field: dict) -> pl.DataType:
    return _POLARS_TYPES[field.get("type", "string")]


def polars_schema(schema: dict) -> dict[str, pl.DataType]:
    """Column name -> Polars dtype, in the schema's order."""
    return {f["name"]: polars_dtype(f) for f in schema["fields"]}


_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]
# A JSON array of strings: the form an `array` field takes in a CSV cell.
JSON_STRING_ARRAY = r'^\s*\[\s*(?:"(?:[^"\\]|\\.)*"\s*(?:,\s*"(?:[^"\\]|\\.)*"\s*)*)?\]\s*$'


def typed_column(name: str, field: dict, dtype: pl.DataType) -> pl.Expr:
    """Column `name` (now of `dtype`) as the field's type; a string cell that does not
    parse becomes null. Typed columns are returned as they are."""
    col = pl.col(name)
    target = polars_dtype(field)
    if dtype != pl.String() or target == pl.String():
        return col
    text = col.str.strip_chars()
    if target == pl.Date():
        return text.str.to_date("%Y-%m-%d", strict=False)
    if target == pl.Boolean():
        return pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)
    if target == pl.List(pl.String()):
        return pl.when(col.str.contains(JSON_STRING_ARRAY)).then(col).str.json_decode(target)
    return text.cast(target, strict=False)


def typed_table(table: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """The schema's columns that `table` has, as the schema's types (unparseable cells null)."""
    return table.select(
        typed_column(f["name"], f, table.schema[f["name"]]).cast(polars_dtype(f))
        for f in schema["fields"] if f["name"] in table.columns
    )


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
