"""Contributed table files (CSV, TSV, JSON, JSON Lines, Parquet) read safely into Polars.

A contribution comes from outside, so nothing about the file is trusted. `read_table` reads
exactly one regular file (never a link, never anything it names), checks its size before
reading it, and every check that can fail says so in one sentence naming the file and what
to do (`UnreadableTable`). Problems that spoil a row but not the file (a row with too many
or too few cells, a nested object in JSON) become rows of `TableRead.problems`, shaped like
`etl.validate.violations` so that both can be concatenated into one report.

Rows are numbered from 0 (the first record after the header is row 0), as the report
numbers them; lines and columns in messages are numbered from 1, as editors show them.

Text formats are read as text: every column is a string holding the cell as written, and
the schema validator parses it. Parquet keeps its own column types. Polars and PyArrow get
the bytes already read, never the path, so nothing is globbed, fetched or decompressed.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.validate import VIOLATION_SCHEMA

PROBLEM_SCHEMA = VIOLATION_SCHEMA

TABLE_SUFFIXES: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
}
_FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "json": "JSON", "jsonl": "JSON Lines", "parquet": "Parquet"}
_SEPARATORS = {"csv": b",", "tsv": b"\t"}
_UTF8_CHUNK = 16 * 1024 * 1024
# A name no header can hold (NUL bytes are refused): the slot that catches extra cells.
_EXTRA = "\x00extra"
_VALUE_CHARS = 200
# Polars reports a bug it hits on strange input as a panic, which is not an Exception.
_POLARS_ERRORS = (pl.exceptions.PolarsError, pl.exceptions.PanicException)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 512 * 1024 * 1024      # whole file
    max_line_bytes: int = 16 * 1024 * 1024  # one physical line of a CSV/TSV/JSONL file
    max_columns: int = 1_000
    max_depth: int = 32                     # JSON nesting


class UnreadableTable(Exception):
    """The file cannot be read as a table at all; str(err) is one clear sentence for a contributor."""


@dataclass
class TableRead:
    """A table read from a file: its rows, its format, and the row-level problems found."""

    table: pl.DataFrame     # strings as written for text formats; Parquet's own types
    format: str             # "csv", "tsv", "json", "jsonl", "parquet"
    problems: pl.DataFrame  # PROBLEM_SCHEMA: row (0-based data record), field, rule, value, message


def table_format(path: Path) -> str | None:
    """The table format of `path` by its suffix (any case); None if it is not a table file."""
    return TABLE_SUFFIXES.get(Path(path).suffix.lower())


def read_table(path: Path, limits: Limits = Limits()) -> TableRead:
    """The table in the file at `path`, with the row-level problems found while reading it.

    Raises UnreadableTable when the file cannot be read as a table at all.
    """
    path = Path(path)
    name = _display_name(path)
    data = _file_bytes(path, name, limits)
    fmt = table_format(path)
    try:
        table, problems = _READERS[fmt](data, name, fmt, limits)
    except MemoryError as err:
        raise UnreadableTable(f"{name} is too large to read in memory; split it into smaller files.") from err
    return TableRead(table, fmt, problems.cast(PROBLEM_SCHEMA))


# --- the file itself ----------------------------------------------------------------------

def _display_name(path: Path) -> str:
    """The file's name for messages, control and format characters shown as '?': a line
    break or a right-to-left mark in a contributed name must not garble the sentence."""
    return "".join("?" if unicodedata.category(c).startswith("C") else c for c in path.name or str(path))


def _file_bytes(path: Path, name: str, limits: Limits) -> bytes:
    """The whole content of `path`, after checking it is a regular file of a table format
    within the size limit. The file is opened without following links and re-checked on
    the open descriptor, so it cannot be swapped for a link between the check and the read."""
    try:
        info = os.lstat(path)
    except FileNotFoundError as err:
        raise UnreadableTable(f"{name} was not found; check the file name and send the file again.") from err
    except OSError as err:
        raise UnreadableTable(f"{name} could not be opened ({err.strerror or 'no access'}); send the file again.") from err
    _check_file_kind(info.st_mode, name)
    if table_format(path) is None:
        known = ", ".join(sorted(TABLE_SUFFIXES))
        raise UnreadableTable(f"{name} is not a table file this check reads; send a file ending in one of {known}.")
    _check_size(info.st_size, name, limits)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise UnreadableTable(f"{name} could not be opened ({err.strerror or 'no access'}); send the file again.") from err
    with os.fdopen(fd, "rb") as file:
        opened = os.fstat(file.fileno())
        _check_file_kind(opened.st_mode, name)
        _check_size(opened.st_size, name, limits)
        try:
            data = file.read(limits.max_bytes + 1)
        except OSError as err:
            raise UnreadableTable(f"{name} could not be read ({err.strerror or 'read error'}); send the file again.") from err
    _check_size(len(data), name, limits)
    return data


def _check_file_kind(mode: int, name: str) -> None:
    if stat.S_ISLNK(mode):
        raise UnreadableTable(f"{name} is a symbolic link; send the file itself, not a link to it.")
    if stat.S_ISDIR(mode):
        raise UnreadableTable(f"{name} is a folder, not a file; send each table as a file of its own.")
    if not stat.S_ISREG(mode):
        raise UnreadableTable(f"{name} is not a regular file; send the table as an ordinary file.")


def _check_size(size: int, name: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise UnreadableTable(
            f"{name} is {_size_text(size)}, more than the limit of {_size_text(limits.max_bytes)}; "
            "split it into smaller files."
        )


def _size_text(size: int) -> str:
    if size < 1024 ** 2:
        return f"{size:,} bytes"
    return f"{size / 1024 ** 2:,.1f} MiB" if size < 1024 ** 3 else f"{size / 1024 ** 3:,.1f} GiB"


# --- text -----------------------------------------------------------------------------------

def _bom_length(data: bytes) -> int:
    return len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0


def _utf8_bytes(data_with_bom: bytes, name: str, fmt: str, checked_later: bool = False) -> bytes:
    """`data` without its UTF-8 BOM, after checking it is UTF-8 text (no NUL bytes).

    With checked_later the UTF-8 check is left to the caller (`refuse_non_utf8`): Polars'
    CSV reader validates UTF-8 anyway, several times faster than decoding here.
    """
    kind, data = _FORMAT_NAMES[fmt], data_with_bom
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableTable(f"{name} is saved as UTF-16; save it as UTF-8 {kind} and send it again.")
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        raise UnreadableTable(f"{name} contains NUL bytes; it looks like a binary file, not {kind}.")
    if not checked_later:
        _refuse_non_utf8(data, name, _bom_length(data_with_bom))
    return data


def _refuse_non_utf8(data: bytes, name: str, skipped: int = 0) -> None:
    """Raise UnreadableTable naming the first byte of `data` that is not UTF-8 (its offset
    in the file, where `skipped` bytes of BOM came before `data`)."""
    bad = _invalid_utf8_offset(data)
    if bad is not None:
        line = data.count(b"\n", 0, bad) + 1
        raise UnreadableTable(
            f"{name} is not UTF-8 text: the byte 0x{data[bad]:02X} at offset {bad + skipped:,} (line {line}) "
            "is not valid UTF-8; save the file as UTF-8 and send it again."
        )


def _invalid_utf8_offset(data: bytes) -> int | None:
    """Offset of the first byte that is not valid UTF-8, None if all are.

    Decoded in chunks that are thrown away, so a large file costs one chunk of text; a chunk
    ends before the lead byte of a character (a UTF-8 character has at most 3 bytes after it).
    """
    view, start = memoryview(data), 0
    while start < len(data):
        end = min(start + _UTF8_CHUNK, len(data))
        for _ in range(3):
            if end < len(data) and data[end] & 0xC0 == 0x80:
                end -= 1
        try:
            str(view[start:end], "utf-8")
        except UnicodeDecodeError as err:
            return start + err.start
        start = end
    return None


def _with_plain_newlines(data: bytes) -> bytes:
    """`data` with every lone carriage return (old Mac line end) read as a newline.

    Polars ends lines at \\n only (and drops the \\r of \\r\\n); \\r\\n is left as it is.
    """
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return data
    return re.sub(rb"\r(?!\n)", b"\n", data)


def _check_line_lengths(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a file with a line longer than the limit.

    Jumps from the last newline of one window of max_line_bytes to the next, so a file
    costs about size / max_line_bytes searches, each in C.
    """
    start, limit = 0, limits.max_line_bytes
    while len(data) - start > limit:
        end = data.rfind(b"\n", start, start + limit + 1)
        if end < 0:
            line = data.count(b"\n", 0, start) + 1
            raise UnreadableTable(
                f"Line {line} of {name} is longer than {_size_text(limit)}; "
                "check that it is a table with one record per line."
            )
        start = end + 1


def _check_column_names(names: list[str], name: str, limits: Limits) -> None:
    if len(names) > limits.max_columns:
        raise UnreadableTable(
            f"{name} has {len(names):,} columns, more than the limit of {limits.max_columns:,}; "
            "split it into tables with fewer columns."
        )
    blank = [i + 1 for i, n in enumerate(names) if not n.strip()]
    if blank:
        raise UnreadableTable(
            f"Column {blank[0]} of {name} has no name; give every column a name in the header."
        )
    seen: dict[str, int] = {}
    for i, column in enumerate(names, start=1):
        if column in seen:
            raise UnreadableTable(
                f'{name} has two columns named "{column}" (columns {seen[column]} and {i}); '
                "give every column a different name."
            )
        seen[column] = i


def _empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


# --- CSV and TSV -----------------------------------------------------------------------------

def _read_delimited(data: bytes, name: str, fmt: str, limits: Limits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every cell as a string (empty cells null) under the header's names, and ragged rows
    as `extra-cell`, `missing-cell` and `blank-row` problems (frictionless's names).

    Quoting is RFC 4180 for CSV and TSV alike (a cell in double quotes may hold separators,
    line breaks and doubled quotes). A lone \r ends a line like \n does.

    Polars reads the rows, but cannot say how many cells a short row had: a missing cell
    and an empty one both come back null. So the common case is proved whole instead
    (`_all_rows_full`: a read that refuses long rows, then totals), and only a file that
    fails that proof is split into lines and counted record by record (`_ragged_rows`).
    On a 1,000,000-row, 30-column file of 340 MB this takes about 2 s in all; a ragged
    one about 4 s (two cores).
    """
    sep = _SEPARATORS[fmt]
    text = _with_plain_newlines(_utf8_bytes(data, name, fmt, checked_later=True))
    if not text or text.isspace():
        raise UnreadableTable(
            f"{name} is empty; it needs a header row with the column names and one row per record."
        )
    _check_line_lengths(text, name, limits)
    try:
        names, header_end = _header(text, sep, name, fmt, limits)
    except UnicodeDecodeError:
        _refuse_non_utf8(text, name, _bom_length(data))
        raise
    _check_quotes_closed(text, name)
    if not text.endswith(b"\n"):
        text += b"\n"  # Polars drops an empty last cell on a last line without a newline
    try:
        table = _polars_rows(text, sep, names, ragged=False)
    except _POLARS_ERRORS:
        _refuse_non_utf8(text, name, _bom_length(data))
        table = None  # a row longer than the header, or bad quoting: the slow path says which
    if table is not None and _all_rows_full(text, sep, header_end, table):
        return table, _empty_problems()
    return _ragged_rows(text, sep, names, name, fmt)


def _header(text: bytes, sep: bytes, name: str, fmt: str, limits: Limits) -> tuple[list[str], int]:
    """(column names, offset where the header record ends).

    Cells are matched one at a time and counting stops past max_columns, so a header of
    millions of columns is refused after reading a thousand of them.
    """
    if text[:1] in (b"\n", b"\r"):
        raise UnreadableTable(
            f"The first line of {name} is blank; it must be the header row with the column names."
        )
    cell = re.compile(rb'"[^"]*(?:""[^"]*)*"|[^"' + re.escape(sep) + rb"\r\n]*")
    cells, pos = [], 0
    while True:
        match = cell.match(text, pos)
        cells.append(match.group())
        if len(cells) > limits.max_columns:
            raise UnreadableTable(
                f"The header of {name} has more than {limits.max_columns:,} columns; "
                "split it into tables with fewer columns."
            )
        pos = match.end()
        if text[pos:pos + 1] == sep:
            pos += 1
        elif pos == len(text) or text[pos:pos + 1] in (b"\n", b"\r"):
            break
        else:
            raise UnreadableTable(
                f'The header of {name} has a stray or unclosed quote (") in column {len(cells)}; '
                f"put names that contain quotes, {_FORMAT_NAMES[fmt]} separators or line breaks in "
                'double quotes and double the quotes inside them.'
            )
    names = [_unquoted(c) for c in cells]
    _check_column_names(names, name, limits)
    return names, pos


def _unquoted(cell: bytes) -> str:
    if cell.startswith(b'"'):
        cell = cell[1:-1].replace(b'""', b'"')
    return cell.decode("utf-8")


def _check_quotes_closed(text: bytes, name: str) -> None:
    """Refuse a file whose last quote is never closed: it would swallow the rest of the file
    into one cell. Quotes pair up in order, so an odd count leaves the last one open."""
    if text.count(b'"') % 2:
        line = text.count(b"\n", 0, text.rfind(b'"')) + 1
        raise UnreadableTable(
            f'{name} has a quote (") on line {line} that is never closed, so the rest of the file '
            "would be read as one cell; close the quote, or double quotes that are part of a cell's text."
        )


def _polars_rows(text: bytes, sep: bytes, names: list[str], ragged: bool) -> pl.DataFrame:
    """The data rows (after the header record) as strings; empty cells (quoted or not) and
    missing cells are null.

    With ragged=False a row with too many cells fails the read; with ragged=True the
    caller passes one extra column, which catches the first extra cell of such a row.
    """
    return pl.read_csv(
        text, has_header=False, skip_rows=1, separator=sep.decode(), quote_char='"',
        schema=dict.fromkeys(names, pl.String()), infer_schema=False, null_values=[""],
        truncate_ragged_lines=ragged, extra_columns="ignore" if ragged else "raise",
        missing_columns="insert", raise_if_empty=False, glob=False,
    )


def _all_rows_full(text: bytes, sep: bytes, header_end: int, table: pl.DataFrame) -> bool:
    """Whether every row has exactly the header's n cells, from totals instead of rows.

    The read already refused rows with more than n cells. A row with fewer has a null last
    cell, so when no last cell is null every row is full. Otherwise all rows are full exactly
    when the separators outside quotes number rows x (n - 1): all separators after the
    header less those inside cell values (only quoted cells can hold one). That is one count
    over the bytes and, if the file has quotes, one over the cells; splitting the file into
    lines is left to files that really have short rows.
    """
    if table.get_column(table.columns[-1]).null_count() == 0:
        return True
    outside = text.count(sep) - text.count(sep, 0, header_end)
    if b'"' in text:
        outside -= _separators_in_cells(table, sep).sum()
    return outside == table.height * (table.width - 1)


def _separators_in_cells(table: pl.DataFrame, sep: bytes) -> pl.Series:
    """Per row, how many separators its cell values hold (they came from quoted cells)."""
    counts = [pl.col(c).str.count_matches(sep.decode(), literal=True) for c in table.columns]
    return table.select(pl.sum_horizontal(counts).alias("inside")).get_column("inside")


def _ragged_rows(text: bytes, sep: bytes, names: list[str], name: str, fmt: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of a file that has rows of the wrong length: the cells that fit, and a
    problem for every short, long or blank row.

    A record's cells are its separators less those inside its cell values, plus one. Only
    the first extra cell is kept, so a separator quoted inside a later extra cell makes the
    count in the message too high; the rule is right either way.
    """
    try:
        wide = _polars_rows(text, sep, [*names, _EXTRA], ragged=True)
        records = _record_shapes(text, sep)
    except _POLARS_ERRORS as err:
        raise _misquoted(text, sep, name, fmt) from err
    if records.height - 1 != wide.height:
        raise _misquoted(text, sep, name, fmt)
    rows = records.slice(1).with_columns(
        cells=pl.col("separators").cast(pl.Int64()) - _separators_in_cells(wide, sep).cast(pl.Int64()) + 1,
        extra=wide.get_column(_EXTRA),
    )
    return wide.drop(_EXTRA), _shape_problems(rows, names)


def _record_shapes(text: bytes, sep: bytes) -> pl.DataFrame:
    """One row per record, header first: the line it starts on, how many separators it
    holds (inside quotes or not), and whether it is a blank line.

    A line starts a record unless an odd number of quotes came before it; lines are
    grouped into records only when some record spans lines. All vectorised: no Python loop
    over rows.
    """
    lines = _physical_lines(text).select(
        "line",
        separators=pl.col("text").str.count_matches(sep.decode(), literal=True),
        blank=pl.col("text") == "",
        quotes=pl.col("text").str.count_matches('"', literal=True),
    ).collect()
    opened = (pl.col("quotes").cum_sum() - pl.col("quotes")) % 2 == 1
    if not lines.select(opened.any()).item():
        return lines.drop("quotes")
    return (
        lines.lazy()
        .group_by((~opened).cum_sum().alias("record"), maintain_order=True)
        .agg(pl.col("line").first(), pl.col("separators").sum(), pl.col("blank").first() & (pl.len() == 1))
        .drop("record")
        .collect()
    )


def _physical_lines(text: bytes) -> pl.LazyFrame:
    """(line, text) of every physical line, numbered from 1, split by Polars: quoting off and
    NUL as the separator (the file has none), so a line is one cell."""
    return pl.read_csv(
        text, has_header=False, separator="\x00", quote_char=None, schema={"text": pl.String()},
        empty_string_is_null=False, raise_if_empty=False, glob=False,
    ).lazy().with_row_index("line", offset=1)


def _shape_problems(rows: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """extra-cell, missing-cell and blank-row problems of the data records, from their shapes
    (line, cells, blank, and the first extra cell)."""
    width = len(names)
    first_missing = pl.DataFrame({"cells": range(width), "missing": names},
                                 schema={"cells": pl.Int64(), "missing": pl.String()})
    blank, extra = pl.col("blank"), pl.col("cells") > width
    cell_words = pl.when(pl.col("cells") == 1).then(pl.lit("1 cell")).otherwise(pl.format("{} cells", "cells"))
    counts = pl.format("row has {}, the header has {} (line {})", cell_words, pl.lit(width), "line")
    return (
        rows.with_row_index("row")
        .with_columns(pl.col("cells").cast(pl.Int64()))
        .filter(blank | (pl.col("cells") != width))
        .join(first_missing, on="cells", how="left", maintain_order="left")
        .select(
            "row",
            field=pl.when(blank | extra).then(pl.lit("")).otherwise(pl.col("missing")),
            rule=pl.when(blank).then(pl.lit("blank-row"))
            .when(extra).then(pl.lit("extra-cell"))
            .otherwise(pl.lit("missing-cell")),
            value=pl.when(extra & ~blank).then(pl.col("extra").str.slice(0, _VALUE_CHARS)),
            message=pl.when(blank).then(pl.format("row is blank (line {})", "line"))
            .when(extra).then(counts)
            .otherwise(pl.format("{}; the cells from {} on are missing", counts, "missing")),
        )
    )


def _misquoted(text: bytes, sep: bytes, name: str, fmt: str) -> UnreadableTable:
    """The error for a file Polars cannot split into cells, naming the first line whose record
    is not well quoted when one can be found."""
    sep_char = sep.decode()  # "," or a tab: neither means anything in a pattern
    cell = f'"(?:[^"]|"")*"|[^"{sep_char}]*'
    whole = f"^(?:{cell})(?:{sep_char}(?:{cell}))*$"
    advice = (
        f"put cells that contain quotes, {_FORMAT_NAMES[fmt]} separators or line breaks in double quotes, "
        'and double the quotes inside them ("5\'10""").'
    )
    try:
        bad = (
            _record_texts(text)
            .filter(~pl.col("text").str.contains(whole))
            .get_column("line").head(1).to_list()
        )
    except _POLARS_ERRORS:
        bad = []
    if bad:
        return UnreadableTable(f"Line {bad[0]} of {name} has a quote in the wrong place; {advice}")
    return UnreadableTable(f"{name} could not be split into rows reliably; {advice}")


def _record_texts(text: bytes) -> pl.DataFrame:
    """(line, text) of every record, its lines joined again; for diagnosing bad quoting."""
    quotes = pl.col("text").str.count_matches('"', literal=True)
    return (
        _physical_lines(text)
        .with_columns(record=((quotes.cum_sum() - quotes) % 2 == 0).cum_sum())
        .group_by("record", maintain_order=True)
        .agg(pl.col("line").first(), pl.col("text").str.join("\n"))
        .collect()
    )


# --- JSON and JSON Lines -----------------------------------------------------------------------

class _Number(str):
    """A JSON number kept as written (1.50 stays 1.50, big integers stay exact)."""


class _DuplicateKey(Exception):
    pass


class _BadConstant(Exception):
    pass


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _refuse_constant(word: str) -> None:
    raise _BadConstant(word)


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates, parse_int=_Number, parse_float=_Number,
    parse_constant=_refuse_constant,
)
_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_KINDS = {"{": "an object", "[": "an array", '"': "a string", "t": "true", "f": "false", "n": "null"}


def _read_json(data: bytes, name: str, fmt: str, limits: Limits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A JSON array of objects, one object per row."""
    text = _utf8_bytes(data, name, fmt).decode("utf-8")
    pos = _SPACE.match(text).end()
    if pos == len(text):
        raise UnreadableTable(f"{name} is empty; it must hold a JSON array of objects, one per record.")
    if text[pos] != "[":
        found = _JSON_KINDS.get(text[pos], "a number" if text[pos] in "-0123456789" else "something else")
        raise UnreadableTable(
            f"{name} holds {found} at the top, not an array; it must hold a JSON array of objects, one per record."
        )
    return _records_table(_array_records(text, pos + 1, name, limits), name, limits)


def _array_records(text: str, pos: int, name: str, limits: Limits) -> list[dict]:
    """The elements of the array that opens just before `pos`, each checked to be an object.

    Elements are decoded one at a time, so every error can say which record it is in.
    """
    records: list[dict] = []
    pos = _SPACE.match(text, pos).end()
    closed = text.startswith("]", pos)
    while not closed:
        value, end = _json_value(text, pos, name, len(records))
        _check_record(value, name, len(records), lambda: _line_column(text, pos)[0], limits)
        records.append(value)
        pos = _SPACE.match(text, end).end()
        closed = text.startswith("]", pos)
        if not closed and not text.startswith(",", pos):
            line, column = _line_column(text, pos)
            expected = "',' or ']'" if pos < len(text) else "the closing ']'"
            raise UnreadableTable(
                f"{name} is not valid JSON at line {line}, column {column} (expected {expected}); "
                "fix the file and send it again."
            )
        if not closed:
            pos = _SPACE.match(text, pos + 1).end()
    pos = _SPACE.match(text, pos + 1).end()
    if pos < len(text):
        line, column = _line_column(text, pos)
        raise UnreadableTable(
            f"{name} has more after the array closes, at line {line}, column {column}; "
            "the file must hold one JSON array and nothing else."
        )
    if not records:
        raise UnreadableTable(f"{name} holds an empty array; it must hold at least one record.")
    return records


def _json_value(text: str, pos: int, name: str, record: int, line: int | None = None) -> tuple[object, int]:
    """(value, end) of the JSON value at `pos`, any decoding failure as UnreadableTable.

    `line` is the line `text` is when it is one line of a JSON Lines file.
    """
    def where() -> str:
        return f"Record {record + 1} of {name} (line {line or _line_column(text, pos)[0]})"
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as err:
        at = f"line {line or err.lineno}, column {err.colno}"
        raise UnreadableTable(f"{name} is not valid JSON at {at} ({err.msg}); fix the file and send it again.") from err
    except _DuplicateKey as err:
        raise UnreadableTable(f'{where()} has the key "{err.args[0]}" twice in one object; keep one of them.') from err
    except _BadConstant as err:
        raise UnreadableTable(
            f"{where()} holds {err.args[0]}, which is not valid JSON; write null or a number instead."
        ) from err
    except RecursionError as err:
        raise UnreadableTable(
            f"{where()} nests arrays and objects too deeply; records must be flat objects."
        ) from err


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, pos) + 1
    return text.count("\n", 0, pos) + 1, pos - line_start + 1


def _check_record(value: object, name: str, record: int, line: Callable[[], int], limits: Limits) -> None:
    """Refuse a record that is not an object or nests deeper than max_depth (a flat object
    is 1 level). `line` is called only for the message: counting lines is not free."""
    if not isinstance(value, dict):
        found = "an array" if isinstance(value, list) else _scalar_kind(value)
        raise UnreadableTable(
            f"Record {record + 1} of {name} (line {line()}) is {found}, not an object; every record must be "
            'an object of column names and values, like {"id": "a1", "year": 1950}.'
        )
    if _nesting_depth(value, limits.max_depth) > limits.max_depth:
        raise UnreadableTable(
            f"Record {record + 1} of {name} (line {line()}) nests arrays and objects more than "
            f"{limits.max_depth} levels deep; records must be flat objects."
        )


def _scalar_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a number" if isinstance(value, _Number) else "a string"


def _nesting_depth(value: object, limit: int) -> int:
    """Levels of arrays and objects in `value` (a scalar has 0), counted no further than limit + 1."""
    depth, level = 0, [value]
    while depth <= limit:
        containers = [v for v in level if isinstance(v, (list, dict))]
        if not containers:
            break
        depth += 1
        level = [child for c in containers for child in (c.values() if isinstance(c, dict) else c)]
    return depth


def _read_json_lines(data: bytes, name: str, fmt: str, limits: Limits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """JSON Lines: one object per non-blank line, one row per object."""
    text = _with_plain_newlines(_utf8_bytes(data, name, fmt))
    _check_line_lengths(text, name, limits)
    records: list[dict] = []
    for number, line in enumerate(text.decode("utf-8").split("\n"), start=1):
        start = _SPACE.match(line).end()
        if start == len(line):
            continue
        value, end = _json_value(line, start, name, len(records), number)
        if _SPACE.match(line, end).end() < len(line):
            raise UnreadableTable(
                f"Line {number} of {name} holds more than one JSON value; each line must hold one JSON object."
            )
        _check_record(value, name, len(records), lambda: number, limits)
        records.append(value)
    if not records:
        raise UnreadableTable(f"{name} is empty; it must hold one JSON object per line.")
    return _records_table(records, name, limits)


def _records_table(records: list[dict], name: str, limits: Limits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All-string table of the records, columns in first-seen order, and a `type` problem for
    every nested object (its cell becomes null)."""
    columns: dict[str, None] = {}
    for record in records:
        if not columns.keys() >= record.keys():
            columns.update(dict.fromkeys(record))
            if len(columns) > limits.max_columns:
                break
    _check_column_names(list(columns), name, limits)
    problems, rows = [], []
    for row, record in enumerate(records):
        cells = {}
        for key, value in record.items():
            if isinstance(value, dict):
                problems.append((row, key, "type", _json_text(value)[:_VALUE_CHARS],
                                 f"{key} holds a nested object; nested objects are not accepted, "
                                 "only text, numbers, true, false, null and arrays"))
                value = None
            cells[key] = _cell_text(value)
        rows.append(cells)
    try:
        table = pl.from_dicts(rows, schema=dict.fromkeys(columns, pl.String()))
    except UnicodeEncodeError as err:
        raise UnreadableTable(
            f"Record {_first_unencodable(rows) + 1} of {name} holds a \\u escape of half a character pair "
            "(a lone surrogate), which is not text; fix the escape and send the file again."
        ) from err
    return table, pl.DataFrame(problems, schema=PROBLEM_SCHEMA, orient="row")


def _first_unencodable(rows: list[dict]) -> int:
    """The first row holding a key or value that is not valid Unicode text (a lone surrogate)."""
    for row, cells in enumerate(rows):
        try:
            json.dumps(cells, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return row
    return 0


def _cell_text(value: object) -> str | None:
    """A JSON value as a CSV cell would carry it: strings as they are, anything else as JSON text."""
    if value is None:
        return None
    if type(value) is str:
        return value
    return _json_text(value)


def _json_text(value: object) -> str:
    """Compact JSON text of a decoded value, numbers exactly as they were written."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_json_text(v)}" for k, v in value.items()) + "}"


# --- Parquet -----------------------------------------------------------------------------------

def _read_parquet(data: bytes, name: str, fmt: str, limits: Limits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table with its own column types, after checking its footer: column count, and how
    big the data says it is once uncompressed (a small file can unpack to a huge table).

    PyArrow decodes the data and Polars takes it over (the same types `pl.read_parquet`
    gives): on some damaged files Polars' own reader panics and prints a Rust backtrace,
    where PyArrow raises an error that becomes one sentence.
    """
    import pyarrow as pa  # here, not at the top: only Parquet needs it, and it is slow to load
    import pyarrow.parquet as pq

    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        extra = " (encrypted Parquet is not accepted)" if data.endswith(b"PARE") else ""
        raise UnreadableTable(f"{name} is not a Parquet file{extra}; export the table as Parquet again.")
    try:
        file = pq.ParquetFile(pa.BufferReader(data))
        meta = file.metadata
        if meta.num_columns > limits.max_columns:
            raise UnreadableTable(
                f"{name} has {meta.num_columns:,} columns, more than the limit of {limits.max_columns:,}; "
                "split it into tables with fewer columns."
            )
        names = file.schema_arrow.names
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except (pa.ArrowException, OSError, ValueError) as err:
        raise UnreadableTable(f"{name} is a damaged Parquet file; export the table as Parquet again.") from err
    _check_column_names(names, name, limits)
    if unpacked > limits.max_bytes:
        raise UnreadableTable(
            f"{name} holds {_size_text(unpacked)} of data once uncompressed, more than the limit of "
            f"{_size_text(limits.max_bytes)}; split it into smaller files."
        )
    # A CSV file within max_bytes has at most max_bytes cells; a Parquet file of null or
    # repeated values can claim billions in a few bytes.
    if meta.num_rows * max(len(names), 1) > limits.max_bytes:
        raise UnreadableTable(
            f"{name} holds {meta.num_rows:,} rows of {len(names)} columns, more cells than a file within "
            f"the size limit of {_size_text(limits.max_bytes)} can hold as text; split it into smaller files."
        )
    try:
        arrow = file.read()
        arrow.validate(full=True)
        table = pl.from_arrow(arrow)
    except (*_POLARS_ERRORS, pa.ArrowException, OSError, ValueError) as err:
        raise UnreadableTable(
            f"{name} could not be read as a table (a damaged file or a column type that cannot be loaded); "
            "export the table as Parquet again."
        ) from err
    return table, _empty_problems()


_READERS = {
    "csv": _read_delimited, "tsv": _read_delimited, "json": _read_json,
    "jsonl": _read_json_lines, "parquet": _read_parquet,
}
