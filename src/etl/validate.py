"""Table Schema constraints compiled into Polars expressions, and the quarantine they feed.

`violations` checks a whole table at once (types, required, unique, primary key, enum,
pattern, length and range) and returns one row per broken rule: the short list that
reports and the quarantine are built from.
"""

from __future__ import annotations

import polars as pl

from etl.schema import polars_dtype

VIOLATION_SCHEMA = {
    "row": pl.UInt32(), "field": pl.String(), "rule": pl.String(),
    "value": pl.String(), "message": pl.String(),
}
_VALUE_CHARS = 200
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def _parsed(column: str, field: dict, dtype: pl.DataType) -> pl.Expr:
    """The column as the schema's type; null where a string cell does not parse."""
    col = pl.col(column)
    target = polars_dtype(field)
    if dtype != pl.String() or target in (pl.String(), pl.List(pl.String())):
        return col
    text = col.str.strip_chars()
    if target == pl.Date():
        return text.str.to_date("%Y-%m-%d", strict=False)
    if target == pl.Boolean():
        return pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)
    return text.cast(target, strict=False)


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    text = col.list.join(", ") if isinstance(dtype, pl.List) else col.cast(pl.String)
    return text.str.slice(0, _VALUE_CHARS)


def _is_missing(column: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    if dtype == pl.String():
        return col.is_null() | (col.str.strip_chars() == "")
    return col.is_null()


def _field_checks(field: dict, dtype: pl.DataType) -> list[tuple[str, pl.Expr, str]]:
    """(rule, broken-where expression, message) for every constraint of one field."""
    name, constraints = field["name"], field.get("constraints", {})
    value = _parsed(name, field, dtype)
    present = ~_is_missing(name, dtype)
    length = value.list.len() if polars_dtype(field) == pl.List(pl.String()) else value.str.len_chars()
    checks = []
    if value is not pl.col(name) and dtype == pl.String():
        checks.append(("type", present & value.is_null(), f"is not a valid {field['type']}"))
    if constraints.get("required"):
        checks.append(("required", ~present, "is required"))
    if constraints.get("unique"):
        checks.append(("unique", present & ~value.is_first_distinct(), "repeats an earlier row's value"))
    if "enum" in constraints:
        checks.append(("enum", present & ~value.is_in(constraints["enum"]),
                       f"is not one of {', '.join(map(str, constraints['enum']))}"))
    if "pattern" in constraints:
        checks.append(("pattern", present & ~value.cast(pl.String).str.contains(f"^(?:{constraints['pattern']})$"),
                       f"does not match the pattern {constraints['pattern']}"))
    for rule, broken, words in (
        ("minLength", lambda n: length < n, "is shorter than {} characters"),
        ("maxLength", lambda n: length > n, "is longer than {} characters"),
        ("minimum", lambda n: value < n, "is less than {}"),
        ("maximum", lambda n: value > n, "is more than {}"),
    ):
        if rule in constraints:
            bound = constraints[rule]
            checks.append((rule, present & broken(bound).fill_null(False), words.format(bound)))
    return checks


def violations(table: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Every (row, field, rule) of `table` that breaks `schema`; row is 0-based.

    A missing column counts as all-null. String columns are parsed to the schema's type
    first, so raw CSV cells and typed stage tables are checked alike.
    """
    lazy = table.lazy().with_row_index("row")
    frames = []
    for field in schema["fields"]:
        name = field["name"]
        if name not in table.columns:
            lazy = lazy.with_columns(pl.lit(None, polars_dtype(field)).alias(name))
        dtype = table.schema.get(name, polars_dtype(field))
        for rule, broken, message in _field_checks(field, dtype):
            frames.append(lazy.filter(broken).select(
                "row", pl.lit(name).alias("field"), pl.lit(rule).alias("rule"),
                _as_text(name, dtype).alias("value"),
                pl.lit(f"{name} {message}").alias("message"),
            ))
    key = schema.get("primaryKey")
    if key:
        frames.append(lazy.filter(~pl.struct(key).is_first_distinct()).select(
            "row", pl.lit(",".join(key)).alias("field"), pl.lit("primaryKey").alias("rule"),
            pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=",").alias("value"),
            pl.lit(f"primary key ({', '.join(key)}) repeats an earlier row").alias("message"),
        ))
    if not frames:
        return pl.DataFrame(schema=VIOLATION_SCHEMA)
    found = pl.concat(frames).collect().cast(VIOLATION_SCHEMA)
    return found.sort("row", "field", "rule", maintain_order=True)


def split_valid(table: pl.DataFrame, schema: dict, stage: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows that pass, quarantine rows for those that do not).

    `table` must carry source_id and position, which identify a record in quarantine.
    """
    found = violations(table, schema)
    bad_rows = found.get_column("row").unique()
    indexed = table.with_row_index("row")
    valid = indexed.filter(~pl.col("row").is_in(bad_rows.implode())).drop("row")
    quarantined = found.join(indexed.select("row", "source_id", "position"), on="row").select(
        "source_id", "position", pl.lit(stage).alias("stage"), "rule", "field", "value", "message",
    )
    return valid, quarantined
