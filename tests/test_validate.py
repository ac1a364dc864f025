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
        (3, "id", "required"),
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
