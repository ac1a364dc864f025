"""A `documents` CSV with injected errors, for the validation benchmark and the frictionless parity test.

    .venv/bin/python bench/validate_data.py --rows 1000000 --error-rate 0.01 --seed 1 \
        --out bench/out/validate/documents.csv

Every cell is drawn from what schemas/documents.json says at run time (type, pattern, enum,
length, bounds, unique, primary key, missingValues), so the file follows schema changes;
nothing about the fields is restated here. Valid rows include text forms both validators
accept (`+7`, ` 7`, `2020-1-5`, every true/false spelling, JSON arrays with white space and
escapes, quoted commas and line breaks). A share `error_rate` of the rows gets one error
each, of a kind the schema can express, chosen evenly among them: a malformed value of a
typed field, an empty required cell, a repeated unique value or primary key, a value
outside the enum, off the pattern, too short, too long, below the minimum or above the
maximum, or a blank row.

Not written anywhere: the cases where etl.validate is stricter than frictionless on purpose
(see its docstring): "1_000", other scripts' digits, integers beyond Int64, arrays of
non-strings or with a lone surrogate escape, pattern values ending in a line break or holding
\x1c-\x1f. Those are disagreements by design. Pattern values are drawn from printable ASCII.

Vectorised throughout (NumPy draws, Polars columns); only small pools are built in Python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import re._parser as regex_parser  # Python's own regex parser: turns a pattern into a tree to sample
import string
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "schemas" / "documents.json"

_PRINTABLE = [c for c in string.printable if c not in string.whitespace]
_CATEGORIES = {
    "CATEGORY_DIGIT": set(string.digits),
    "CATEGORY_NOT_DIGIT": set(_PRINTABLE) - set(string.digits),
    "CATEGORY_WORD": set(string.ascii_letters + string.digits + "_"),
    "CATEGORY_NOT_WORD": set(_PRINTABLE) - set(string.ascii_letters + string.digits + "_"),
    "CATEGORY_SPACE": {" "},
    "CATEGORY_NOT_SPACE": set(_PRINTABLE),
}
_OPEN_REPEAT = 6  # how far past its minimum an open repeat (`+`, `*`, `{2,}`) may run
_EMPTY_SHARE = 0.3  # optional cells left empty, as many are in the archive's pages

_WORDS = (
    "Korean repatriation citizenship embassy ministry telegram memorandum conversation Soviet "
    "Pyongyang Sakhalin Moscow Tokyo Seoul report record minutes delegation consul note "
    "Корея Сахалин 조선 귀국 北京 émigré Ünterschrift Łódź naïve"
).split()
_EDGE_TEXTS = [
    'Telegram, "urgent"', "line one\nline two", "  padded  ", "   ", "tab\there",
    'a "quoted" word', "semi;colon|pipe", "trailing comma,", "Ω≈ç√ unicode", "back\\slash",
]
_EDGE_ARRAYS = [
    "[]", ' [ "a" , "b" ] ', '[\n"line"\n]', '["with \\"quote\\"", "back\\\\slash"]',
    '["\\u00e9t\\u00e9", "\\/slash"]', '["Корея", "조선"]', '["a,b", ""]', '["tab\\tescaped"]',
]
# Malformed cells per type, each a type error for both validators.
_BAD_TEXT = {
    "integer": ["x", "1.5", "1e3", "0x1F", "one", " ", "1 2", "--1", "1,000", "+"],
    "number": ["x", "one", "1..2"],
    "date": ["2021-02-29", "2020-13-01", "2020-00-10", " 2020-01-01", "2020-01-01 ", "0000-01-01",
             "20200101", "2020/01/01", "01-02-2020", "2020-01-32", "2020- 1-05", "2020-01-01T00:00"],
    "boolean": ["yes", "no", " true", "false ", "tRue", "T", "2", "-1"],
    "array": ['"a"', "a", "a, b", '{"a": "b"}', '["a"', '["a",]', "['a']", '["a\tb"]', "[] []",
              '["a" "b"]', "null"],
}
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def _constant(text: str, n: int) -> pl.Series:
    return pl.repeat(text, n, eager=True, dtype=pl.String)


def _concat(pieces: list[pl.Series], n: int) -> pl.Series:
    if not pieces:
        return _constant("", n)
    frame = pl.DataFrame({str(i): p for i, p in enumerate(pieces)})
    return frame.select(pl.concat_str(pl.all())).to_series()


def _pick(choice: np.ndarray, options: list[pl.Series]) -> pl.Series:
    """Row i of options[choice[i]] (all options of one length): one gather from them end to end."""
    n = len(options[0])
    return pl.concat(options).gather(choice * n + np.arange(n))


def _choose(values: list[str], n: int, rng: np.random.Generator) -> pl.Series:
    """n draws from `values` (a gather, far faster than converting a NumPy string array)."""
    return pl.Series(values, dtype=pl.String).gather(rng.integers(0, len(values), n))


def _chars(items, negate: bool = False) -> list[str]:
    allowed = set()
    for op, av in items:
        if str(op) == "LITERAL":
            allowed.add(chr(av))
        elif str(op) == "RANGE":
            allowed.update(chr(c) for c in range(av[0], av[1] + 1))
        elif str(op) == "CATEGORY":
            allowed.update(_CATEGORIES[str(av)])
        elif str(op) == "NEGATE":
            negate = True
        else:
            raise ValueError(f"the generator cannot sample a character class holding {op}")
    # ASCII only: Python's and Polars' regex engines agree on it.
    drawable = sorted(set(_PRINTABLE) - allowed if negate else allowed & set(_PRINTABLE + [" "]))
    if not drawable:
        raise ValueError("a character class with nothing printable to draw")
    return drawable


def _sample(tree, n: int, rng: np.random.Generator) -> pl.Series:
    """n random strings matching the parsed regex `tree` (a sequence of (op, argument))."""
    pieces = []
    for op, av in tree:
        kind = str(op)
        if kind == "LITERAL":
            pieces.append(_constant(chr(av), n))
        elif kind in ("IN", "NOT_LITERAL", "ANY"):
            items = av if kind == "IN" else [("LITERAL", av)] if kind == "NOT_LITERAL" else []
            pieces.append(_choose(_chars([(str(o), a) for o, a in items], negate=kind != "IN"), n, rng))
        elif kind == "SUBPATTERN":
            pieces.append(_sample(av[3], n, rng))
        elif kind == "BRANCH":
            options = [_sample(branch, n, rng) for branch in av[1]]
            pieces.append(_pick(rng.integers(0, len(options), n), options))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            high = min(high, low + _OPEN_REPEAT)
            runs = pl.DataFrame({str(j): _sample(sub, n, rng) for j in range(high)})
            counts = pl.Series(rng.integers(low, high + 1, n))
            pieces.append(runs.select(pl.concat_str(
                [pl.when(counts > j).then(pl.col(str(j))).otherwise(pl.lit("")) for j in range(high)]
            )).to_series() if high else _constant("", n))
        elif kind == "AT":
            continue
        else:
            raise ValueError(f"the generator cannot sample the regex feature {kind}")
    return _concat(pieces, n)


def _matches(values: pl.Series, pattern: str) -> pl.Series:
    return values.str.contains(f"^(?:{pattern})$")


def _pattern_values(pattern: str, n: int, rng: np.random.Generator) -> pl.Series:
    values = _sample(regex_parser.parse(pattern), n, rng)
    if not _matches(values, pattern).all():
        raise ValueError(f"the generator drew values off the pattern {pattern}")
    return values


def _length_ok(text: str, constraints: dict) -> bool:
    return constraints.get("minLength", 0) <= len(text) <= constraints.get("maxLength", len(text))


def _phrases(rng: np.random.Generator) -> list[str]:
    """Plain text cells: a few words each, and the edge texts among them."""
    words = [" ".join(rng.choice(_WORDS, size=rng.integers(1, 5))) for _ in range(3000)]
    return words + _EDGE_TEXTS * 30


def _integer_range(constraints: dict) -> tuple[int, int]:
    low = constraints.get("minimum", constraints.get("exclusiveMinimum", -1) + 1)
    high = constraints.get("maximum", constraints.get("exclusiveMaximum", low + 10_000_001) - 1)
    return low, high


def _date_range(constraints: dict) -> tuple[dt.date, dt.date]:
    low = dt.date.fromisoformat(constraints.get("minimum", "1900-01-01"))
    high = dt.date.fromisoformat(constraints.get("maximum", "2030-12-31"))
    return low, high


def _with_edges(plain: pl.Series, edges: pl.Series, rng: np.random.Generator, share: float = 0.05) -> pl.Series:
    return _pick((rng.random(len(plain)) < share).astype(np.int64), [plain, edges])


def _draw(field: dict, n: int, rng: np.random.Generator, phrases: list[str]) -> pl.Series:
    """n valid text cells of `field` (never missing)."""
    kind, constraints = field.get("type", "string"), field.get("constraints", {})
    if "enum" in constraints:
        return _choose([json.dumps(v) if kind == "array" else str(v) for v in constraints["enum"]], n, rng)
    if kind == "integer":
        low, high = _integer_range(constraints)
        plain = pl.Series(rng.integers(low, high + 1, n)).cast(pl.String)
        forms = [plain, "+" + plain, "0" + plain, " " + plain + " ", "\t" + plain, "\u2003" + plain, "\x1c" + plain]
        edges = _pick(rng.integers(1, len(forms), n), forms) if low >= 0 else plain
        return _with_edges(plain, edges, rng)
    if kind == "date":
        low, high = _date_range(constraints)
        since_epoch = (low - dt.date(1970, 1, 1)).days + rng.integers(0, (high - low).days + 1, n)
        dates = pl.Series(since_epoch).cast(pl.Int32).cast(pl.Date)
        plain = dates.dt.strftime("%Y-%m-%d")
        unpadded = dates.dt.year().cast(pl.String) + "-" + dates.dt.month().cast(pl.String) + "-" \
            + dates.dt.day().cast(pl.String).str.pad_start(2, " ")
        return _with_edges(plain, unpadded, rng)
    if kind == "boolean":
        return _choose(field.get("trueValues", _TRUE) + field.get("falseValues", _FALSE), n, rng)
    if kind == "array":
        arrays = [json.dumps(list(rng.choice(_WORDS, size=rng.integers(0, 4))), ensure_ascii=bool(i % 2))
                  for i in range(500)]
        return _choose(arrays + _EDGE_ARRAYS * 10, n, rng)
    if "pattern" in constraints:
        return _pattern_values(constraints["pattern"], n, rng)
    fitting = [t for t in phrases if _length_ok(t, constraints)]
    return _choose(fitting or ["x" * constraints.get("minLength", 1)], n, rng)


def _distinct(field: dict, n: int, rng: np.random.Generator, phrases: list[str]) -> pl.Series:
    """n valid cells of `field`, no two the same value (compared as the field's type)."""
    typed, values = _typed(field), pl.Series([], dtype=pl.String)
    for _ in range(20):
        if len(values) >= n:
            return values.head(n)
        drawn = pl.concat([values, _draw(field, n - len(values) + n // 10 + 10, rng, phrases)])
        values = drawn.filter(typed(drawn).is_first_distinct())
    raise ValueError(f"cannot draw {n} distinct values for {field['name']}")


def _typed(field: dict):
    """How to compare two cells of `field` as values: integers and dates by what they mean."""
    kind = field.get("type")
    if kind == "integer":
        return lambda s: s.str.replace_all(r"[^0-9\-]", "").cast(pl.Int64)
    if kind == "date":
        return lambda s: s.str.replace_all(" ", "").str.to_date("%Y-%m-%d")
    return lambda s: s


def error_kinds(schema: dict) -> list[tuple[str | None, str]]:
    """Every (field, kind) of error the schema can express, and ("blank-row") for the row."""
    missing = schema.get("missingValues", [""])
    kinds = []
    for field in schema["fields"]:
        name, kind, constraints = field["name"], field.get("type", "string"), field.get("constraints", {})
        if kind in _BAD_TEXT:
            kinds.append((name, "type"))
        if constraints.get("required"):
            kinds.append((name, "required"))
        for rule in ("unique", "enum", "pattern", "maxLength", "minimum", "maximum"):
            if rule in constraints and (rule != "unique" or constraints["unique"]):
                kinds.append((name, rule))
        if constraints.get("minLength", 0) > 1 or (constraints.get("minLength") == 1 and "" not in missing):
            kinds.append((name, "minLength"))
    if schema.get("primaryKey"):
        kinds.append((",".join(schema["primaryKey"]), "primaryKey"))
    return kinds + [(None, "blank-row")]


def _broken(field: dict, rule: str, valid: pl.Series, rng: np.random.Generator) -> pl.Series:
    """Cells breaking `rule` of `field`, one per cell of `valid` (valid cells of the field)."""
    n, constraints = len(valid), field.get("constraints", {})
    if rule == "type":
        return _choose(_BAD_TEXT[field.get("type")], n, rng)
    if rule == "required":
        return pl.Series([None] * n, dtype=pl.String)
    if rule == "enum":
        return _constant(f"{constraints['enum'][0]}-other", n)
    if rule == "pattern":
        # A leading space or mark breaks an anchored pattern; keep only the ones that do.
        spaced, marked = " " + valid, "#" + valid
        return pl.select(pl.when(~_matches(spaced, constraints["pattern"])).then(spaced)
                         .when(~_matches(marked, constraints["pattern"])).then(marked)).to_series()
    if rule == "minLength":
        return _constant("x" * (constraints["minLength"] - 1), n)
    if rule == "maxLength":
        return _constant("x" * (constraints["maxLength"] + 1), n)
    if field.get("type") == "date":
        low, high = _date_range(constraints)
        return _constant(str(low - dt.timedelta(days=1) if rule == "minimum" else high + dt.timedelta(days=1)), n)
    low, high = _integer_range(constraints)
    return _constant(str(low - 1 if rule == "minimum" else high + 1), n)


def documents_table(rows: int, error_rate: float, seed: int,
                    schema: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the table of text cells, one row per injected error: row, field, kind)."""
    schema = schema or json.loads(SCHEMA_PATH.read_text("utf-8"))
    rng = np.random.default_rng(seed)
    fields = {f["name"]: f for f in schema["fields"]}
    key = schema.get("primaryKey") or []
    phrases = _phrases(rng)
    columns = {}
    for name, field in fields.items():
        if field.get("constraints", {}).get("unique") or key == [name]:
            values = _distinct(field, rows, rng, phrases)
        else:
            values = _draw(field, rows, rng, phrases)
        if not field.get("constraints", {}).get("required") and name not in key:
            values = values.scatter(np.flatnonzero(rng.random(rows) < _EMPTY_SHARE), None)
        columns[name] = values

    kinds = error_kinds(schema)
    hit = np.flatnonzero(rng.random(rows) < error_rate)
    chosen = rng.integers(0, len(kinds), len(hit))
    clean = np.setdiff1d(np.arange(rows), hit)
    # A repeat copies the row's nearest clean row above it; the first rows may have none.
    earlier = clean[np.maximum(np.searchsorted(clean, hit) - 1, 0)] if len(clean) else hit
    can_repeat = earlier < hit
    log = []
    for k, (target, rule) in enumerate(kinds):
        rows_k = hit[chosen == k]
        if rule in ("unique", "primaryKey"):
            rows_k, sources = rows_k[can_repeat[chosen == k]], earlier[chosen == k][can_repeat[chosen == k]]
            for c in key if rule == "primaryKey" else [target]:
                columns[c].scatter(rows_k, columns[c].gather(sources))
        elif rule == "blank-row":
            for c in fields:
                columns[c].scatter(rows_k, None)
        else:
            # Made from a fresh valid value: the row's own cell may be empty.
            valid = _draw(fields[target], len(rows_k), rng, phrases)
            columns[target].scatter(rows_k, _broken(fields[target], rule, valid, rng))
        log.append(pl.DataFrame({"row": rows_k, "field": [target] * len(rows_k), "kind": [rule] * len(rows_k)},
                                schema={"row": pl.Int64, "field": pl.String, "kind": pl.String}))
    return pl.DataFrame(columns), pl.concat(log).sort("row")


# frictionless error type -> our rule; a constraint-error names its constraint in its note.
_FRICTIONLESS_RULES = {
    "type-error": "type", "unique-error": "unique", "primary-key": "primaryKey",
    "blank-row": "blank-row", "extra-cell": "extra-cell", "missing-cell": "missing-cell",
}


def frictionless_problem(error: dict, schema: dict) -> tuple[int, str, str]:
    """(0-based row, field, rule) of one error of a frictionless report, in our terms.

    `error` is the error's descriptor (the JSON of `frictionless validate --json`). Row-level
    errors carry no field: "" as in our reports; a primary key's field is its fields joined.
    An error type outside the mapping raises KeyError: it is a disagreement in itself.
    """
    if error["type"] == "constraint-error":
        rule = re.match(r'constraint "(\w+)"', error["note"]).group(1)
    else:
        rule = _FRICTIONLESS_RULES[error["type"]]
    field = ",".join(schema.get("primaryKey", [])) if rule == "primaryKey" else error.get("fieldName") or ""
    # rowNumber counts the header as row 1.
    return error["rowNumber"] - 2, field, rule


def write_documents_csv(path: Path, rows: int, error_rate: float, seed: int,
                        schema: dict | None = None) -> pl.DataFrame:
    """Write the CSV (header, then `rows` records; a missing cell is the schema's first
    missing value); return the injection log."""
    schema = schema or json.loads(SCHEMA_PATH.read_text("utf-8"))
    table, injected = documents_table(rows, error_rate, seed, schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(path, null_value=schema.get("missingValues", [""])[0])
    return injected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--error-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "validate" / "documents.csv")
    args = parser.parse_args()
    started = time.perf_counter()
    injected = write_documents_csv(args.out, args.rows, args.error_rate, args.seed)
    seconds = time.perf_counter() - started
    kinds = ", ".join(f"{kind} {n:,}" for kind, n in injected.group_by("kind").len().sort("kind").rows())
    print(f"wrote {args.rows:,} rows to {args.out} ({args.out.stat().st_size / 1e6:,.0f} MB) in {seconds:.1f} s; "
          f"{injected.height:,} rows with an injected error ({kinds})")


if __name__ == "__main__":
    main()
