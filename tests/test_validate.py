import polars as pl

from etl.schema import SchemaError, conform, load_schema
from etl.validate import split_valid, violations

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True, "pattern": "[a-z]+"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 1, "maximum": 10}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {"name": "day", "type": "date"},
        {"name": "name", "type": "string", "constraints": {"minLength": 2, "maxLength": 5}},
    ],
    "primaryKey": ["id"],
}


def _found(table: pl.DataFrame, schema=SCHEMA) -> set[tuple[int, str, str]]:
    return {(r["row"], r["field"], r["rule"]) for r in violations(table, schema).to_dicts()}


def test_clean_rows_give_no_violations():
    table = pl.DataFrame({"id": ["ab"], "n": ["3"], "kind": ["a"], "day": ["2020-02-29"], "name": ["xy"]})
    assert _found(table) == set()


def test_each_constraint_is_reported_with_row_field_and_rule():
    table = pl.DataFrame({
        "id": ["ab", "ab", "A1", None],
        "n": ["0", "11", "x", "5"],
        "kind": ["c", "a", "b", "a"],
        "day": ["2021-02-29", "2020-01-01", "", "2020-01-01"],
        "name": ["x", "toolong", "ok", "ok"],
    })
    assert _found(table) == {
        (0, "n", "minimum"), (0, "kind", "enum"), (0, "day", "type"), (0, "name", "minLength"),
        (1, "id", "unique"), (1, "id", "primaryKey"), (1, "n", "maximum"), (1, "name", "maxLength"),
        (2, "id", "pattern"), (2, "n", "type"),
        (3, "id", "required"), (3, "id", "primaryKey"),
    }


def test_pattern_must_match_the_whole_value():
    table = pl.DataFrame({"id": ["abc1"]})
    assert (0, "id", "pattern") in _found(table)


def test_split_valid_sends_failing_rows_to_quarantine_with_rule_and_value():
    schema = load_schema("records")
    records = pl.DataFrame({
        "source_id": ["0123456789abcdef"] * 2, "position": [1, 2], "layout": ["listing_old"] * 2,
        "title": ["A fine title", "A fine title"], "record_id": ["123", "12x"],
    })
    valid, quarantined = split_valid(records, schema, "validate")
    assert valid.get_column("position").to_list() == [1]
    assert quarantined.select("position", "stage", "rule", "field", "value").rows() == [
        (2, "validate", "pattern", "record_id", "12x")]


def test_conform_orders_and_types_columns_and_rejects_strays():
    table = pl.DataFrame({"text": ["body"], "document_id": ["rid-1"]})
    assert conform(table, "texts").columns == ["document_id", "text"]
    try:
        conform(table.with_columns(pl.lit(1).alias("extra")), "texts")
    except SchemaError as err:
        assert "extra" in str(err)
    else:
        raise AssertionError("an unexpected column must fail")


def test_conform_rejects_a_duplicate_primary_key():
    table = pl.DataFrame({"document_id": ["rid-1", "rid-1"], "text": ["a", "b"]})
    try:
        conform(table, "texts")
    except SchemaError as err:
        assert "duplicate primary key" in str(err)
    else:
        raise AssertionError("a duplicate key must fail")


# Text cells are read as frictionless reads them (tests/test_frictionless_parity.py checks
# the whole of it on generated files); one test per rule of that reading.

def _text_found(column: list[str | None], field: dict, **schema) -> set[tuple[int, str]]:
    """(row, rule) broken by text cells of `field`, beside a filled column (so no row is blank)."""
    table = pl.DataFrame({field["name"]: column, "other": ["x"] * len(column)},
                         schema_overrides={field["name"]: pl.String})
    fields = [field, {"name": "other", "type": "string"}]
    return {(row, rule) for row, _, rule in _found(table, {"fields": fields, **schema})}


def test_an_array_cell_must_be_a_json_array_of_strings():
    # The last two pass frictionless (any JSON array does): stricter on purpose.
    cells = ['[]', ' [ "a" ,\n"b" ] ', '["say \\"hi\\"", "\\u00e9", "\\ud83d\\ude00", "\\/"]', '"a"', "a, b",
             '{"a": "b"}', '["a"', '["a",]', '["raw\ttab"]', "[1, 2]", '["\\udc00"]']
    assert _text_found(cells, {"name": "a", "type": "array"}) == {(i, "type") for i in range(3, 11)}


def test_an_integer_cell_may_carry_a_sign_leading_zeros_and_surrounding_white_space():
    # The last three pass frictionless (Python's int()): stricter on purpose.
    cells = [" 7 ", "+7", "07", "\u20037", "\x1c7", "7.0", "1e3", " ", "1_000", "٣", "99999999999999999999"]
    assert _text_found(cells, {"name": "n", "type": "integer"}) == {(i, "type") for i in range(5, 11)}


def test_a_date_cell_is_read_as_strptime_reads_it():
    cells = ["2020-1-5", "2020-01- 5", " 2020-01-01", "2020-01-01 ", "0000-01-01", "2021-02-29", "+2020-01-01"]
    assert _text_found(cells, {"name": "d", "type": "date"}) == {(i, "type") for i in range(2, 7)}


def test_a_boolean_cell_must_be_one_of_the_true_or_false_values_exactly():
    cells = ["true", "FALSE", "1", " true", "tRue", "yes"]
    assert _text_found(cells, {"name": "b", "type": "boolean"}) == {(3, "type"), (4, "type"), (5, "type")}
    assert _text_found(["ja", "true"], {"name": "b", "type": "boolean", "trueValues": ["ja"]}) == {(1, "type")}


def test_white_space_is_a_value_not_a_missing_cell():
    field = {"name": "t", "type": "string", "constraints": {"required": True, "minLength": 3}}
    assert _text_found(["   ", " ", "", None], field) == {(1, "minLength"), (2, "required"), (3, "required")}


def test_missing_cells_are_the_schema_missing_values():
    field = {"name": "n", "type": "integer", "constraints": {"required": True}}
    assert _text_found(["NA", "", "1"], field, missingValues=["NA"]) == {(0, "required"), (1, "type")}
    assert _text_found(["NA", "-"], {**field, "missingValues": ["-"]}, missingValues=["NA"]) == {
        (0, "type"), (1, "required")}


def test_a_type_error_hides_the_other_rules_of_its_cell():
    field = {"name": "n", "type": "integer", "constraints": {"minimum": 5, "enum": [5, 6], "unique": True}}
    assert _text_found(["x", "x", "5"], field) == {(0, "type"), (1, "type")}


def test_unique_skips_missing_cells_and_compares_values_not_text():
    field = {"name": "n", "type": "integer", "constraints": {"unique": True}}
    assert _text_found(["", "", "1", "01", "+1"], field) == {(3, "unique"), (4, "unique")}


def test_a_missing_primary_key_breaks_primary_key():
    table = pl.DataFrame({"id": ["a", None, "", "a"], "x": ["1", "1", "1", "1"]})
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "x", "type": "string"}], "primaryKey": ["id"]}
    assert _found(table, schema) == {(1, "id", "primaryKey"), (2, "id", "primaryKey"), (3, "id", "primaryKey")}


def test_a_composite_key_with_a_missing_cell_still_repeats():
    table = pl.DataFrame({"a": ["k", "k", "k"], "b": ["", "", "1"]})
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}], "primaryKey": ["a", "b"]}
    assert _found(table, schema) == {(1, "a,b", "primaryKey")}


def test_a_blank_row_is_reported_once_not_cell_by_cell():
    table = pl.DataFrame({"id": ["a", None, ""], "n": ["1", None, ""]})
    assert _found(table) == {(1, "", "blank-row"), (1, "id", "primaryKey"),
                             (2, "", "blank-row"), (2, "id", "primaryKey")}


def test_a_pattern_value_may_not_end_in_a_line_break():
    # Stricter than frictionless, whose Python `$` also matches before a final newline.
    assert _text_found(["ab\n", "ab"], SCHEMA["fields"][0]) == {(0, "pattern")}
