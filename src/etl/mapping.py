"""Column mappings: how a table written by someone else becomes our extracted records.

A mapping is a JSON file in `mappings/` (see mappings/README.md). It names the columns
that recognise the table, and for every column of the table either the `records` field it
fills or null (read and deliberately ignored). A column a mapping does not list is a
problem: an export that grew a column must be looked at, not silently half-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from etl.config import PROJECT_ROOT
from etl.schema import load_schema, polars_schema, required_fields
from etl.validate import VIOLATION_SCHEMA, column_text, nulls_like, typed_column, violations

MAPPING_DIR = PROJECT_ROOT / "mappings"
# Fields of a record the pipeline sets, never a column of the table.
PIPELINE_FIELDS = ("source_id", "position", "layout")


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    target: str
    recognised_by: tuple[str, ...]
    columns: dict[str, dict | None]

    def matches(self, header: list[str]) -> bool:
        return set(self.recognised_by) <= set(header)

    def column_of(self, field: str) -> str:
        """The first contributed column that fills our `field` (the field itself if none)."""
        return next((c for c, spec in self.columns.items() if spec and spec["field"] == field), field)

    def unknown_columns(self, header: list[str]) -> list[str]:
        return [c for c in header if c not in self.columns]

    def missing_required(self, header: list[str]) -> dict[str, list[str]]:
        """Required fields of the target that no column of the header fills (those the
        pipeline sets aside), each with the mapping's columns that would fill it."""
        filling: dict[str, list[str]] = {}
        for column, spec in self.columns.items():
            if spec:
                filling.setdefault(spec["field"], []).append(column)
        return {f: filling.get(f, []) for f in required_fields(load_schema(self.target))
                if f not in PIPELINE_FIELDS and not set(filling.get(f, [])) & set(header)}


def _mapping(path: Path) -> Mapping:
    spec = json.loads(path.read_text("utf-8"))
    return Mapping(path.stem, spec["title"], spec["target"], tuple(spec["recognised_by"]), spec["columns"])


@cache
def mappings() -> tuple[Mapping, ...]:
    """Every mapping in mappings/, in name order."""
    return tuple(_mapping(p) for p in sorted(MAPPING_DIR.glob("*.json")))


def mapping_named(name: str) -> Mapping | None:
    return next((m for m in mappings() if m.name == name), None)


def mapping_for(header: list[str]) -> Mapping | None:
    """The mapping whose recognising columns the header has (the most specific first)."""
    fitting = [m for m in mappings() if m.matches(header)]
    return max(fitting, key=lambda m: len(m.recognised_by), default=None)


def _text_like(dtype: pl.DataType) -> bool:
    """Whether a typed column (Parquet) can fill a text field: text, whole or decimal
    numbers, dates, or a list of texts (joined); not true/false, structs or bytes."""
    if isinstance(dtype, pl.List):
        return dtype.inner == pl.String() or dtype.inner == pl.Null()
    return (dtype in (pl.String(), pl.Null(), pl.Date()) or isinstance(dtype, (pl.Categorical, pl.Enum))
            or dtype.is_integer() or dtype.is_float())


def _field_value(column: str, spec: dict, dtype: pl.DataType) -> pl.Expr:
    if spec.get("read") != "json-array" and not _text_like(dtype):
        return nulls_like(pl.col(column), pl.String)  # a type problem
    if spec.get("read") == "json-array":
        value = typed_column({"name": column, "type": "array"}, dtype)
        if "join" in spec:
            value = value.list.join(spec["join"])
        return value
    if isinstance(dtype, pl.List):
        return pl.col(column).cast(pl.List(pl.String)).list.join(", ")
    return pl.col(column).cast(pl.String)


def mapping_problems(table: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Cells a json-array column cannot read, and values of a typed (Parquet) column that is
    not text, one `type` problem each (as `violations` says)."""
    arrays = [c for c, spec in mapping.columns.items()
              if spec and spec.get("read") == "json-array" and c in table.columns]
    found = violations(table.select(arrays), {"fields": [{"name": c, "type": "array"} for c in arrays]})
    not_text = [c for c, spec in mapping.columns.items()
                if spec and spec.get("read") != "json-array" and c in table.columns
                and not _text_like(table.schema[c])]
    frames = [found.filter(pl.col("rule") == "type"), *(
        table.lazy().with_row_index("row").filter(pl.col(c).is_not_null()).select(
            "row", pl.lit(c).alias("field"), pl.lit("type").alias("rule"),
            column_text(c, table.schema[c]).str.slice(0, 200).alias("value"),
            pl.lit(f"{c} is not text: the file stores this column as {table.schema[c]}").alias("message"),
        ).collect().cast(VIOLATION_SCHEMA)
        for c in not_text
    )]
    return pl.concat(frames).sort("row", "field", maintain_order=True)


def _field_sources(table: pl.DataFrame, mapping: Mapping) -> dict[str, list[tuple[str, pl.Expr]]]:
    """Per target field, the (column, value) pairs of the table's columns that fill it, in
    the mapping's order; a blank text is no value."""
    target = polars_schema(load_schema(mapping.target))
    sources: dict[str, list[tuple[str, pl.Expr]]] = {}
    for column, spec in mapping.columns.items():
        if spec and column in table.columns:
            value = _field_value(column, spec, table.schema[column])
            if target[spec["field"]] == pl.String():
                value = pl.when(value.str.strip_chars() != "").then(value)
            sources.setdefault(spec["field"], []).append((column, value))
    return sources


def mapped_records(table: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """The table as `mapping.target` rows: every target field, in the schema's order; a field
    several columns fill takes the first non-empty one in the mapping's order."""
    target = polars_schema(load_schema(mapping.target))
    sources = _field_sources(table, mapping)
    return table.select(
        (pl.coalesce([value for _, value in sources[name]]) if name in sources else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in target.items()
    )


def filling_columns(table: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """(row, field, column): for each row (0-based) and each field several columns of the
    table fill, the column its value came from."""
    several = {f: pairs for f, pairs in _field_sources(table, mapping).items() if len(pairs) > 1}
    empty = pl.DataFrame(schema={"row": pl.Int64, "field": pl.String, "column": pl.String})
    if not several:
        return empty
    chosen = table.with_row_index("row").select(
        pl.col("row").cast(pl.Int64),
        *[pl.coalesce([pl.when(value.is_not_null()).then(pl.lit(column)) for column, value in pairs]).alias(f)
          for f, pairs in several.items()],
    )
    return chosen.unpivot(index="row", variable_name="field", value_name="column").drop_nulls("column").cast(empty.schema)
