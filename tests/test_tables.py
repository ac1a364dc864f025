import os
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.tables import TABLE_SUFFIXES, Limits, UnreadableTable, read_table, table_format
from etl.validate import VIOLATION_SCHEMA, violations


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _refusal(path: Path, limits: Limits = Limits()) -> str:
    """The message read_table refuses `path` with, checked to be one sentence naming the file."""
    with pytest.raises(UnreadableTable) as raised:
        read_table(path, limits)
    message = str(raised.value)
    assert type(raised.value) is UnreadableTable
    assert path.name in message
    assert message[0].isupper() or message.startswith(path.name)
    assert message.endswith(".") and "\n" not in message
    for leak in ("Traceback", "Error:", "Exception", "polars", "pyarrow", "b'", "\\x"):
        assert leak not in message
    return message


def _problems(path: Path, limits: Limits = Limits()) -> list[tuple]:
    return [(r["row"], r["field"], r["rule"], r["value"]) for r in read_table(path, limits).problems.to_dicts()]


# --- formats and the file itself -------------------------------------------------------------

def test_format_is_read_from_the_suffix_in_any_case():
    assert table_format(Path("a/B.CSV")) == "csv"
    assert table_format(Path("x.tab")) == table_format(Path("x.tsv")) == "tsv"
    assert table_format(Path("x.NDJSON")) == table_format(Path("x.jsonl")) == "jsonl"
    assert table_format(Path("x.parquet")) == "parquet"
    assert table_format(Path("x.json")) == "json"
    assert table_format(Path("x.csv.gz")) is None
    assert table_format(Path("README")) is None
    assert set(TABLE_SUFFIXES.values()) == {"csv", "tsv", "json", "jsonl", "parquet"}


def test_missing_file_is_unreadable(tmp_path):
    assert "not found" in _refusal(tmp_path / "gone.csv")


def test_folder_is_unreadable(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    assert "folder" in _refusal(tmp_path / "folder.csv")


def test_symbolic_link_is_refused_even_to_a_good_table(tmp_path):
    target = _write(tmp_path, "real.csv", "a\n1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert "symbolic link" in _refusal(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    assert "not a regular file" in _refusal(tmp_path / "pipe.csv")


def test_unknown_suffix_is_refused_and_the_known_ones_named(tmp_path):
    message = _refusal(_write(tmp_path, "table.xlsx", b"PK\x03\x04"))
    assert ".csv" in message and ".parquet" in message


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = _write(tmp_path, "big.csv", "a,b\n" + "1,2\n" * 30)
    message = _refusal(path, Limits(max_bytes=100))
    assert "124 bytes" in message and "100 bytes" in message
    assert read_table(path, Limits(max_bytes=124)).table.height == 30


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(64 * 1024 ** 3)  # sparse: 64 GiB by stat, nothing on disk
    started = time.perf_counter()
    assert "is 64.0 GiB, more than the limit of 512.0 MiB" in _refusal(path)
    assert time.perf_counter() - started < 1


def test_glob_characters_in_the_name_read_only_that_file(tmp_path):
    _write(tmp_path, "other.csv", "x\nfrom another file\n")
    path = _write(tmp_path, "*.csv", "a\n1\n")
    assert read_table(path).table.to_dict(as_series=False) == {"a": ["1"]}


# --- text encoding ---------------------------------------------------------------------------

def test_nul_bytes_mean_a_binary_file(tmp_path):
    message = _refusal(_write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert "contains NUL bytes; it looks like a binary file, not CSV" in message


def test_nul_bytes_in_json_lines_are_refused(tmp_path):
    assert "not JSON Lines" in _refusal(_write(tmp_path, "a.jsonl", b'{"a": 1}\n\x00\n'))


def test_invalid_utf8_names_the_offset_of_the_first_bad_byte(tmp_path):
    message = _refusal(_write(tmp_path, "latin.csv", "name\nBéla\nCafé\n".encode("cp1252")))
    assert "0xE9 at offset 6 (line 2)" in message
    assert "save the file as UTF-8" in message


def test_invalid_utf8_offset_counts_the_bom(tmp_path):
    assert "offset 9 " in _refusal(_write(tmp_path, "bom.csv", b"\xef\xbb\xbfname\nB\xe9la\n"))


def test_invalid_utf8_far_into_a_large_file_is_found(tmp_path):
    # 10 + 8k + 6 = 16 MiB for k = 2,097,150: a chunk of the check ends inside an é
    data = b"name,text\n" + b"1,caf\xc3\xa9\n" * 3_000_000 + b"2,caf\xe9\n"
    message = _refusal(_write(tmp_path, "long.csv", data))
    assert f"offset {len(data) - 2:,} (line 3000002)" in message


def test_bom_is_stripped_from_the_first_column_name(tmp_path):
    read = read_table(_write(tmp_path, "bom.csv", b"\xef\xbb\xbfid,name\n1,x\n"))
    assert read.table.columns == ["id", "name"]


def test_bom_is_stripped_in_json_and_json_lines(tmp_path):
    assert read_table(_write(tmp_path, "a.json", b'\xef\xbb\xbf[{"id": 1}]')).table.columns == ["id"]
    assert read_table(_write(tmp_path, "a.jsonl", b'\xef\xbb\xbf{"id": 1}\n')).table.columns == ["id"]


def test_utf16_is_refused_with_advice(tmp_path):
    message = _refusal(_write(tmp_path, "excel.csv", "a,b\n1,2\n".encode("utf-16")))
    assert "UTF-16" in message and "save it as UTF-8" in message


# --- lines and columns -----------------------------------------------------------------------

def test_line_over_the_line_limit_is_refused_with_its_number(tmp_path):
    path = _write(tmp_path, "long.csv", "a,b\n1,2\n3," + "x" * 200 + "\n4,5\n")
    assert _refusal(path, Limits(max_line_bytes=100)).startswith("Line 3 of long.csv is longer than 100 bytes")
    assert read_table(path, Limits(max_line_bytes=210)).table.height == 3


def test_long_lines_are_found_whatever_their_place(tmp_path):
    lines = ["x" * 50] * 40
    lines[-1] = "y" * 101
    path = _write(tmp_path, "late.csv", "\n".join(lines))
    assert _refusal(path, Limits(max_line_bytes=100)).startswith("Line 40 of")
    assert read_table(path, Limits(max_line_bytes=101)).table.height == 39


def test_json_lines_line_limit(tmp_path):
    path = _write(tmp_path, "a.jsonl", '{"a": 1}\n{"a": "' + "x" * 200 + '"}\n')
    assert _refusal(path, Limits(max_line_bytes=100)).startswith("Line 2 of a.jsonl")


def test_json_array_on_one_line_is_bounded_by_size_only(tmp_path):
    path = _write(tmp_path, "one.json", "[" + ",".join(f'{{"n": {i}}}' for i in range(100)) + "]")
    assert read_table(path, Limits(max_line_bytes=100)).table.height == 100


def test_more_columns_than_the_limit_are_refused(tmp_path):
    path = _write(tmp_path, "wide.csv", "a,b,c,d\n1,2,3,4\n")
    assert "more than 3 columns" in _refusal(path, Limits(max_columns=3))
    assert read_table(path, Limits(max_columns=4)).table.width == 4


def test_a_header_of_two_million_columns_fails_fast(tmp_path):
    path = _write(tmp_path, "million.csv", b"c," * 2_000_000 + b"c\n" + b"1\n")
    started = time.perf_counter()
    assert "more than 1,000 columns" in _refusal(path)
    assert time.perf_counter() - started < 1.5


def test_json_with_more_keys_than_the_column_limit_is_refused(tmp_path):
    path = _write(tmp_path, "keys.json", '[{"a": 1, "b": 2}, {"c": 3}]')
    assert "3 columns" in _refusal(path, Limits(max_columns=2))


# --- CSV files that are not tables -----------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_csv_is_unreadable(tmp_path, data):
    assert "is empty" in _refusal(_write(tmp_path, "empty.csv", data))


def test_blank_first_line_is_no_header(tmp_path):
    assert "first line" in _refusal(_write(tmp_path, "nohead.csv", "\na,b\n1,2\n"))


def test_duplicate_column_names_are_named(tmp_path):
    message = _refusal(_write(tmp_path, "dup.csv", "id,title,id\n1,x,2\n"))
    assert '"id"' in message and "columns 1 and 3" in message


def test_blank_column_name_is_named_by_position(tmp_path):
    assert "Column 2 of blank.csv has no name" in _refusal(_write(tmp_path, "blank.csv", "id, ,date\n1,2,3\n"))


def test_unclosed_quote_that_swallows_the_file_is_refused(tmp_path):
    path = _write(tmp_path, "open.csv", 'a,b\n1,2\n3,"never closed\n4,5\n6,7\n')
    message = _refusal(path)
    assert "line 3" in message and "never closed" in message


def test_text_after_a_closing_quote_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, "stray.csv", 'a,b\n1,2\n3,"x"y\n4,"5"\n')
    message = _refusal(path)
    assert message.startswith("Line 3 of stray.csv has a quote in the wrong place")


def test_quote_trouble_in_the_header_is_refused(tmp_path):
    assert "header" in _refusal(_write(tmp_path, "head.csv", 'a,"b"c\n1,2\n'))


# --- CSV and TSV that read ---------------------------------------------------------------------

def test_csv_cells_are_strings_as_written_and_empty_cells_null(tmp_path):
    path = _write(tmp_path, "plain.csv", 'id,n,when,note\n007,1.50,1950-06-25,"a, b"\n8,,x,""\n')
    read = read_table(path)
    assert read.format == "csv"
    assert read.table.schema == pl.Schema(dict.fromkeys(["id", "n", "when", "note"], pl.String()))
    assert read.table.rows() == [("007", "1.50", "1950-06-25", "a, b"), ("8", None, "x", None)]
    assert read.problems.height == 0


def test_header_only_csv_is_an_empty_table(tmp_path):
    read = read_table(_write(tmp_path, "head.csv", "id,name\n"))
    assert (read.table.columns, read.table.height, read.problems.height) == (["id", "name"], 0, 0)


def test_mixed_newlines_all_end_lines(tmp_path):
    read = read_table(_write(tmp_path, "mixed.csv", b"a,b\r\n1,2\n3,4\r5,6\r\n7,8"))
    assert read.table.rows() == [("1", "2"), ("3", "4"), ("5", "6"), ("7", "8")]
    assert read.problems.height == 0


def test_quoted_cells_keep_their_line_breaks_quotes_and_separators(tmp_path):
    path = _write(tmp_path, "multi.csv", 'id,text\n1,"first line\nsecond, with comma"\n2,"say ""hi"""\n')
    read = read_table(path)
    assert read.table.rows() == [("1", "first line\nsecond, with comma"), ("2", 'say "hi"')]
    assert read.problems.height == 0


def test_quoted_names_in_the_header(tmp_path):
    read = read_table(_write(tmp_path, "names.csv", '"id","a, b","say ""x"""\n1,2,3\n'))
    assert read.table.columns == ["id", "a, b", 'say "x"']


def test_tsv_reads_tabs_and_quoted_tabs(tmp_path):
    read = read_table(_write(tmp_path, "t.tab", 'id\tnote\n1\t"a\tb"\n2\ta,b\n'))
    assert read.format == "tsv"
    assert read.table.rows() == [("1", "a\tb"), ("2", "a,b")]


def test_full_rows_with_empty_last_cells_and_quoted_separators_have_no_problems(tmp_path):
    path = _write(tmp_path, "full.csv", 'a,b,c\n"1,5",2,\n"x\ny",,\n3,"4,4",\n')
    read = read_table(path)
    assert read.problems.height == 0
    assert read.table.rows() == [("1,5", "2", None), ("x\ny", None, None), ("3", "4,4", None)]


# --- ragged rows -----------------------------------------------------------------------------

def test_ragged_rows_are_extra_and_missing_cells_with_their_row_numbers(tmp_path):
    path = _write(tmp_path, "ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n11,12,13\n14\n")
    read = read_table(path)
    assert _problems(path) == [
        (1, "c", "missing-cell", None),
        (2, "", "extra-cell", "9"),
        (4, "b", "missing-cell", None),
    ]
    messages = read.problems.get_column("message").to_list()
    assert messages[1] == "row has 5 cells, the header has 3 (line 4)"
    assert messages[2].startswith("row has 1 cell, the header has 3 (line 6)")
    assert read.table.rows() == [
        ("1", "2", "3"), ("4", "5", None), ("6", "7", "8"), ("11", "12", "13"), ("14", None, None),
    ]


def test_trailing_separator_is_an_extra_empty_cell(tmp_path):
    assert _problems(_write(tmp_path, "trail.csv", "a,b\n1,2,\n3,4\n")) == [(0, "", "extra-cell", None)]


def test_a_long_and_a_short_row_do_not_cancel_out(tmp_path):
    path = _write(tmp_path, "even.csv", "a,b,c\n1,2,3,\n4,5\n")
    assert _problems(path) == [(0, "", "extra-cell", None), (1, "c", "missing-cell", None)]


def test_ragged_rows_are_counted_outside_quotes_and_across_lines(tmp_path):
    data = 'a,b,c\n"x,y",2\n"p\nq,r",1,2,3\n"s",",",""\n"t\n\nu"\n'
    path = _write(tmp_path, "quoted.csv", data)
    assert _problems(path) == [
        (0, "c", "missing-cell", None),
        (1, "", "extra-cell", "3"),
        (3, "b", "missing-cell", None),
    ]
    read = read_table(path)
    assert read.problems.get_column("message").to_list()[1] == "row has 4 cells, the header has 3 (line 3)"
    assert read.table.rows() == [("x,y", "2", None), ("p\nq,r", "1", "2"), ("s", ",", None), ("t\n\nu", None, None)]


def test_blank_lines_are_blank_rows(tmp_path):
    path = _write(tmp_path, "gaps.csv", "a,b\n1,2\n\n3,4\n")
    assert _problems(path) == [(1, "", "blank-row", None)]
    assert read_table(path).table.rows() == [("1", "2"), (None, None), ("3", "4")]


def test_ragged_problems_concatenate_with_schema_violations(tmp_path):
    read = read_table(_write(tmp_path, "mix.csv", "id,n\nab,1\ncd\n"))
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer",
                                                             "constraints": {"required": True}}]}
    found = pl.concat([read.problems, violations(read.table, schema)])
    assert read.problems.schema == pl.Schema(VIOLATION_SCHEMA)
    assert found.select("row", "field", "rule").rows() == [(1, "n", "missing-cell"), (1, "n", "required")]


# --- JSON ------------------------------------------------------------------------------------

def test_json_array_cells_are_text_as_a_csv_would_carry_them(tmp_path):
    data = '[{"id": "a", "n": 1.50, "ok": true, "tags": ["x", "y"], "none": null},\n {"id": "b", "big": 12345678901234567890123}]'
    read = read_table(_write(tmp_path, "a.json", data))
    assert read.format == "json"
    assert read.table.columns == ["id", "n", "ok", "tags", "none", "big"]
    assert read.table.schema == pl.Schema(dict.fromkeys(read.table.columns, pl.String()))
    assert read.table.rows() == [
        ("a", "1.50", "true", '["x","y"]', None, None),
        ("b", None, None, None, None, "12345678901234567890123"),
    ]
    assert read.problems.height == 0


def test_nested_object_is_a_type_problem_and_a_null_cell(tmp_path):
    path = _write(tmp_path, "nested.json", '[{"id": "a"}, {"id": "b", "place": {"city": "Seoul"}}]')
    read = read_table(path)
    assert _problems(path) == [(1, "place", "type", '{"city":"Seoul"}')]
    assert "nested objects are not accepted" in read.problems.get_column("message").item()
    assert read.table.rows() == [("a", None), ("b", None)]


def test_invalid_json_names_line_and_column(tmp_path):
    message = _refusal(_write(tmp_path, "bad.json", '[\n  {"a": 1},\n  {"a": }\n]'))
    assert "line 3, column 9" in message


def test_json_nested_deeper_than_the_limit_is_refused(tmp_path):
    path = _write(tmp_path, "deep.json", '[{"a": ' + "[" * 5 + "]" * 5 + "}]")
    assert "more than 4 levels" in _refusal(path, Limits(max_depth=4))
    assert read_table(path, Limits(max_depth=6)).table.item() == "[[[[[]]]]]"


def test_json_too_deep_for_the_parser_is_refused(tmp_path):
    assert "too deeply" in _refusal(_write(tmp_path, "abyss.json", '[{"a": ' + "[" * 200_000 + "]" * 200_000 + "}]"))


def test_json_duplicate_key_names_the_key_and_record(tmp_path):
    message = _refusal(_write(tmp_path, "dup.json", '[{"id": 1},\n {"id": 2, "title": "x", "id": 3}]'))
    assert message.startswith('Record 2 of dup.json (line 2) has the key "id" twice')


@pytest.mark.parametrize(("data", "found"), [
    ('{"data": [{"a": 1}]}', "an object"), ('"text"', "a string"), ("42", "a number"), ("null", "null"),
])
def test_json_top_level_must_be_an_array(tmp_path, data, found):
    assert f"holds {found} at the top, not an array" in _refusal(_write(tmp_path, "top.json", data))


def test_json_array_element_that_is_not_an_object_is_refused(tmp_path):
    message = _refusal(_write(tmp_path, "mixed.json", '[{"a": 1},\n ["a", 1]]'))
    assert message.startswith("Record 2 of mixed.json (line 2) is an array, not an object")


@pytest.mark.parametrize("data", ['[{"a": 1}] [{"a": 2}]', '[{"a": 1},]', '[{"a": 1}', "[]", '[{"a": NaN}]', "  "])
def test_json_that_is_not_one_array_of_records_is_refused(tmp_path, data):
    _refusal(_write(tmp_path, "odd.json", data))


def test_lone_surrogate_escape_is_refused(tmp_path):
    assert "surrogate" in _refusal(_write(tmp_path, "half.json", '[{"a": "ok"}, {"a": "\\ud800"}]'))


# --- JSON Lines -------------------------------------------------------------------------------

def test_json_lines_columns_are_the_union_of_keys_in_first_seen_order(tmp_path):
    read = read_table(_write(tmp_path, "a.ndjson", '{"b": 1, "a": "x"}\n\n{"c": false, "a": "y"}\r\n'))
    assert read.format == "jsonl"
    assert read.table.columns == ["b", "a", "c"]
    assert read.table.rows() == [("1", "x", None), (None, "y", "false")]


def test_json_lines_error_names_the_line(tmp_path):
    message = _refusal(_write(tmp_path, "bad.jsonl", '{"a": 1}\n\n{"a": 2,}\n'))
    assert "line 3, column 9" in message


def test_json_lines_line_must_be_an_object(tmp_path):
    assert "(line 2) is a string, not an object" in _refusal(_write(tmp_path, "s.jsonl", '{"a": 1}\n"a"\n'))


def test_json_lines_line_must_hold_one_value(tmp_path):
    assert _refusal(_write(tmp_path, "two.jsonl", '{"a": 1} {"a": 2}\n')).startswith("Line 1 of two.jsonl")


def test_json_lines_without_records_is_empty(tmp_path):
    assert "is empty" in _refusal(_write(tmp_path, "none.jsonl", "\n \n"))


# --- Parquet ----------------------------------------------------------------------------------

def _parquet(folder: Path, name: str, table: pa.Table) -> Path:
    pq.write_table(table, folder / name)
    return folder / name


def test_parquet_keeps_its_column_types_including_lists(tmp_path):
    table = pa.table({"id": ["a", "b"], "n": [1, 2], "tags": [["x", "y"], []]})
    read = read_table(_parquet(tmp_path, "t.parquet", table))
    assert read.format == "parquet"
    assert read.table.schema == pl.Schema({"id": pl.String(), "n": pl.Int64(), "tags": pl.List(pl.String())})
    assert read.table.rows() == [("a", 1, ["x", "y"]), ("b", 2, [])]


def test_parquet_with_too_many_columns_is_refused_from_its_footer(tmp_path):
    path = _parquet(tmp_path, "wide.parquet", pa.table({f"c{i}": [i] for i in range(5)}))
    assert "5 columns" in _refusal(path, Limits(max_columns=4))


def test_parquet_that_unpacks_beyond_the_limit_is_refused(tmp_path):
    path = _parquet(tmp_path, "bomb.parquet", pa.table({"a": pa.array([None] * 200_000, pa.string())}))
    assert path.stat().st_size < 10_000
    assert "split it into smaller files" in _refusal(path, Limits(max_bytes=100_000))


def test_file_that_is_not_parquet_is_refused(tmp_path):
    assert "not a Parquet file" in _refusal(_write(tmp_path, "fake.parquet", "a,b\n1,2\n"))


def test_damaged_parquet_is_refused(tmp_path):
    good = _parquet(tmp_path, "good.parquet", pa.table({"a": list(range(1000))})).read_bytes()
    path = _write(tmp_path, "cut.parquet", good[:100] + good[-40:])
    assert "Parquet" in _refusal(path)


def test_line_break_in_a_file_name_does_not_break_the_message(tmp_path):
    path = _write(tmp_path, "two\nlines.csv", "a,a\n1,2\n")
    with pytest.raises(UnreadableTable, match=r"^two\?lines\.csv has two columns named"):
        read_table(path)


def test_bad_quoting_in_tsv_names_the_line(tmp_path):
    path = _write(tmp_path, "q.tsv", 'a\tb\n1\t2\n3\t"x"y\n')
    assert _refusal(path).startswith("Line 3 of q.tsv has a quote in the wrong place")
