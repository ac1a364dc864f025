"""Table Schema constraints compiled into Polars expressions, and the quarantine they feed.

`violations` checks a whole table at once (types, required, unique, primary key, enum,
pattern, length and range) and returns one row per broken rule: the short list that
reports and the quarantine are built from.

On a table of raw text cells (every column pl.String, as a contributed CSV is read) it
reports what `frictionless validate` reports for the same file and schema: the same rows,
fields and rules (tests/test_frictionless_parity.py cross-checks the two). It is stricter
than frictionless on purpose in four narrow places, where frictionless inherits Python's
leniency and the value would not survive our own columns:

- integer: ASCII digits within Int64 only. Python's int() also takes "1_000", digits of
  other scripts ("٣", "１") and any size; our integer columns are Int64.
- date: ASCII digits only; Python's strptime also takes other scripts' digits.
- array: a JSON array of strings only. frictionless takes any JSON array ([1, null]) and
  lone surrogate escapes ("\\udc00"); our array columns are lists of (UTF-8) strings, and
  that is what the CSVs we publish hold.
- pattern: Polars' regex engine, in which `$` is the very end of the value (Python's `$`
  also matches before a final newline, so frictionless passes "rid-1\\n") and `\\s` is
  Unicode White_Space (Python's also counts the separators \\x1c-\\x1f).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from etl.schema import polars_dtype

VIOLATION_SCHEMA = {
    "row": pl.UInt32(), "field": pl.String(), "rule": pl.String(),
    "value": pl.String(), "message": pl.String(),
}
_VALUE_CHARS = 200
_ROW = "__violations_row__"
# The Table Schema defaults, which frictionless applies when a field names none.
_MISSING = [""]
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]
# What Python's str.strip() removes, which frictionless applies to integer cells (and
# only to those): Unicode White_Space plus \x1c-\x1f. None lies above U+3000.
_PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# frictionless reads dates with strptime("%Y-%m-%d"), whose month and day may be
# unpadded and the day space-padded; nothing may come before or after.
_DATE_TEXT = r"^[0-9]{4}-(?:1[0-2]|0[1-9]|[1-9])-(?:3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])$"
# A JSON array of strings as Python's json.loads reads it: JSON white space around
# tokens, and no raw control characters inside strings. Stricter in one point: a \u escape
# of half a surrogate pair must come with its other half (json.loads lets a lone half
# through; it is no character, UTF-8 cannot hold it and Polars' JSON reader fails on it).
_JSON_WS = r"[ \t\n\r]*"
_JSON_ESCAPE = (r'\\["\\/bfnrt]|\\u(?:[0-9a-cA-Ce-fE-F][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2})'
                r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_JSON_STRING = rf'"(?:[^"\\\x00-\x1f]|{_JSON_ESCAPE})*"'
JSON_STRING_ARRAY = (
    rf"^{_JSON_WS}\[{_JSON_WS}(?:{_JSON_STRING}(?:{_JSON_WS},{_JSON_WS}{_JSON_STRING})*{_JSON_WS})?\]{_JSON_WS}$"
)


def _integer(text: pl.Expr, field: dict) -> tuple[pl.Expr, pl.Expr]:
    value = text.str.strip_chars(_PY_WHITESPACE).cast(pl.Int64, strict=False)
    return value.is_not_null(), value


def _date(text: pl.Expr, field: dict) -> tuple[pl.Expr, pl.Expr]:
    # Polars' own parser is laxer (leading space, a sign, year 0), hence the shape first.
    shaped = text.str.contains(_DATE_TEXT) & ~text.str.starts_with("0000")
    value = pl.when(shaped).then(text).str.to_date("%Y-%m-%d", strict=False)
    return value.is_not_null(), value


def _boolean(text: pl.Expr, field: dict) -> tuple[pl.Expr, pl.Expr]:
    true, false = field.get("trueValues", _TRUE), field.get("falseValues", _FALSE)
    value = pl.when(text.is_in(true)).then(True).when(text.is_in(false)).then(False)
    return value.is_not_null(), value


def _array(text: pl.Expr, field: dict) -> tuple[pl.Expr, pl.Expr]:
    typed = text.str.contains(JSON_STRING_ARRAY)
    return typed, pl.when(typed).then(text).str.json_decode(pl.List(pl.String))


def _cast(text: pl.Expr, field: dict) -> tuple[pl.Expr, pl.Expr]:
    """Types no schema of ours uses yet: Polars' cast, not cross-checked with frictionless."""
    value = text.str.strip_chars().cast(polars_dtype(field), strict=False)
    return value.is_not_null(), value


# How a text cell becomes a value of the schema's type: (parses, value).
_TEXT_READERS = {"integer": _integer, "date": _date, "boolean": _boolean, "array": _array}


def _cells(field: dict, dtype: pl.DataType, missing: list[str]) -> tuple[pl.Expr, pl.Expr | None, pl.Expr]:
    """(present, typed, value) of one column.

    present: the cell holds a value (not null, not one of the field's or else the schema's
    missingValues);
    typed: a present text cell parses as the schema's type (None when there is nothing to
    parse: typed tables and string fields); value: the typed value, null where the cell is
    missing or does not parse, so that no other rule is checked on it (as in frictionless).
    """
    col = pl.col(field["name"])
    if dtype != pl.String():
        if stored_type_fits(dtype, field):
            return col.is_not_null(), None, col
        # A typed column (Parquet's own types) of another type: every value it holds is a
        # type problem, and no other rule is checked on it.
        return col.is_not_null(), pl.lit(False), nulls_like(col, polars_dtype(field))
    present = col.is_not_null() & ~col.is_in(missing)
    if polars_dtype(field) == pl.String():
        return present, None, pl.when(present).then(col)
    typed, value = _TEXT_READERS.get(field.get("type"), _cast)(col, field)
    return present, typed, pl.when(present & typed).then(value)


def _bound(field: dict, bound):
    """A constraint's value as the field's type, as frictionless reads it."""
    if field.get("type") == "date" and isinstance(bound, str):
        return dt.date.fromisoformat(bound)
    return bound


def _field_checks(field: dict, present: pl.Expr, typed: pl.Expr | None,
                  value: pl.Expr, dtype: pl.DataType = pl.String()) -> list[tuple[str, pl.Expr, str]]:
    """(rule, broken-where expression, message) for every constraint of one field; `dtype`
    is the column's type in the table."""
    constraints = field.get("constraints", {})
    length = value.list.len() if field.get("type") == "array" else value.str.len_chars()
    checks = []
    if typed is not None:
        stored = "" if dtype == pl.String() else f": the file stores this column as {dtype}"
        checks.append(("type", present & ~typed, f"is not a valid {field.get('type', 'string')}{stored}"))
    if constraints.get("required"):
        checks.append(("required", ~present, "is required"))
    if constraints.get("unique"):
        checks.append(("unique", value.is_not_null() & ~value.is_first_distinct(),
                       "repeats an earlier row's value"))
    if "enum" in constraints:
        allowed = [_bound(field, v) for v in constraints["enum"]]
        checks.append(("enum", ~value.is_in(allowed), f"is not one of {', '.join(map(str, allowed))}"))
    if "pattern" in constraints:
        checks.append(("pattern", ~value.cast(pl.String).str.contains(f"^(?:{constraints['pattern']})$"),
                       f"does not match the pattern {constraints['pattern']}"))
    for rule, broken, words in (
        ("minLength", lambda n: length < n, "is shorter than {} characters"),
        ("maxLength", lambda n: length > n, "is longer than {} characters"),
        ("minimum", lambda n: value < n, "is less than {}"),
        ("maximum", lambda n: value > n, "is more than {}"),
        ("exclusiveMinimum", lambda n: value <= n, "is not more than {}"),
        ("exclusiveMaximum", lambda n: value >= n, "is not less than {}"),
    ):
        if rule in constraints:
            bound = _bound(field, constraints[rule])
            checks.append((rule, broken(bound), words.format(bound)))
    return [(rule, broken.fill_null(False), message) for rule, broken, message in checks]


def nulls_like(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Nulls of `dtype`, as many as `column` has values (a literal would be one value)."""
    return pl.when(column.is_null() & False).then(pl.lit(None, dtype))


def stored_type_fits(dtype: pl.DataType, field: dict) -> bool:
    """Whether a typed column of `dtype` holds values of the field's type (any width of
    integer for an integer, a list of strings for an array); an all-null column fits any."""
    want = polars_dtype(field)
    if dtype == pl.Null() or dtype == want:
        return True
    if want == pl.String():
        return isinstance(dtype, (pl.Categorical, pl.Enum))
    if want.is_integer():
        return dtype.is_integer()
    if want.is_float():
        return dtype.is_numeric()
    if isinstance(want, pl.List):
        return isinstance(dtype, pl.List) and (dtype.inner == pl.String() or dtype.inner == pl.Null())
    return False


def column_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """The column's values as text, for messages and key comparisons, whatever its type:
    lists of plain values joined with ", ", structs as JSON, bytes as hex, and null where
    a value has no short text form (lists of lists or structs)."""
    col = pl.col(column)
    if dtype == pl.String():
        return col
    if isinstance(dtype, pl.List):
        if dtype.inner.is_nested() or dtype.inner == pl.Binary():
            return pl.lit(None, pl.String)
        return col.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Struct):
        return col.struct.json_encode()
    if dtype == pl.Binary():
        return col.bin.encode("hex")
    if dtype.is_nested() or dtype == pl.Object():
        return pl.lit(None, pl.String)
    return col.cast(pl.String)


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    return column_text(column, dtype).str.slice(0, _VALUE_CHARS)


# (field, rule, broken-where expression, message, value shown): one check of a table.
_Check = tuple[str, str, pl.Expr, str, pl.Expr]


def _key_checks(key: list[str], values: list[pl.Expr], dtypes: list[pl.DataType]) -> list[_Check]:
    """A primary key breaks when all its cells are missing, or when it repeats an earlier row's."""
    no_key = pl.all_horizontal(v.is_null() for v in values)
    # One key field is compared as itself: the same expression as its unique check, computed once.
    compared = values[0] if len(values) == 1 else pl.struct(v.alias(k) for k, v in zip(key, values))
    shown = pl.concat_str([column_text(k, t) for k, t in zip(key, dtypes)], separator=",")
    named = f"primary key ({', '.join(key)})"
    return [
        (",".join(key), "primaryKey", no_key, f"{named} is missing", shown),
        (",".join(key), "primaryKey", ~no_key & ~compared.is_first_distinct(), f"{named} repeats an earlier row",
         shown),
    ]


def _checks(table: pl.DataFrame, schema: dict) -> list[_Check]:
    """Every check `schema` makes of `table`: its fields' rules, blank rows, its primary key."""
    missing = schema.get("missingValues", _MISSING)
    checks, present_cells, values = [], [], {}
    for field in schema["fields"]:
        name = field["name"]
        dtype = table.schema.get(name, polars_dtype(field))
        present, typed, values[name] = _cells(field, dtype, field.get("missingValues", missing))
        present_cells.append(present)
        for rule, broken, message in _field_checks(field, present, typed, values[name], dtype):
            checks.append((name, rule, broken, f"{name} {message}", _as_text(name, dtype)))
    # frictionless reports a row of missing cells once, as blank-row, instead of cell by cell.
    blank = ~pl.any_horizontal(present_cells) if present_cells else pl.lit(False)
    checks = [(name, rule, broken & ~blank, message, shown) for name, rule, broken, message, shown in checks]
    checks.append(("", "blank-row", blank, "row is blank: every cell is missing", pl.lit(None, pl.String)))
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    fields = {f["name"]: f for f in schema["fields"]}
    dtypes = [table.schema.get(k, polars_dtype(fields[k])) for k in key]
    return checks + (_key_checks(key, [values[k] for k in key], dtypes) if key else [])


def violations(table: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Every (row, field, rule) of `table` that breaks `schema`; row is 0-based.

    A missing column counts as all-null. String columns are parsed to the schema's type
    first, so raw CSV cells and typed stage tables are checked alike. A row whose cells
    are all missing is reported once, as `blank-row` (field ""), not field by field; a
    primary key whose cells are all missing breaks `primaryKey`, as a repeated one does.
    """
    absent = [f for f in schema["fields"] if f["name"] not in table.columns]
    lazy = table.lazy().with_row_index(_ROW).with_columns(
        pl.lit(None, polars_dtype(f)).alias(f["name"]) for f in absent)
    checks = _checks(table, schema)
    # Every check's mask in one pass over the table, then one small frame per check.
    flagged = lazy.with_columns(broken.alias(f"__check_{i}__") for i, (_, _, broken, _, _) in enumerate(checks))
    flagged = flagged.collect().lazy()
    frames = [
        flagged.filter(pl.col(f"__check_{i}__")).select(
            pl.col(_ROW).alias("row"), pl.lit(name, pl.String).alias("field"), pl.lit(rule).alias("rule"),
            shown.alias("value"), pl.lit(message).alias("message"),
        )
        for i, (name, rule, _, message, shown) in enumerate(checks)
    ]
    found = pl.concat(frames).collect().cast(VIOLATION_SCHEMA)
    return found.sort("row", "field", "rule", maintain_order=True)


def foreign_key_orphans(table: pl.DataFrame, fk: dict, parent: pl.DataFrame) -> pl.DataFrame:
    """Rows of `table` (row: 0-based, and their key) whose foreign key `fk` names no row of
    `parent`; keys are compared as text, so typed and raw tables match alike, and a key
    with a missing part names nothing."""
    fields, parent_fields = fk["fields"], fk["reference"]["fields"]
    keys = parent.select(column_text(f, parent.schema[f]).alias(f) for f in parent_fields).unique()
    return table.with_row_index("row").select("row", *[column_text(f, table.schema[f]).alias(f) for f in fields]) \
        .drop_nulls(fields).join(keys, left_on=fields, right_on=parent_fields, how="anti")


def typed_column(field: dict, dtype: pl.DataType, missing: list[str] = _MISSING) -> pl.Expr:
    """The field's column (now of `dtype`) as the schema's type, read exactly as
    `violations` reads it: null where the cell is missing or does not parse."""
    _, _, value = _cells(field, dtype, field.get("missingValues", missing))
    return value.cast(polars_dtype(field)).alias(field["name"])


def typed_table(table: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """The schema's columns that `table` has, as the schema's types (see typed_column)."""
    missing = schema.get("missingValues", _MISSING)
    return table.select(typed_column(f, table.schema[f["name"]], missing)
                        for f in schema["fields"] if f["name"] in table.columns)


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
