"""etl.validate reports what `frictionless validate` reports: same rows, same fields, same rules.

Both validate one generated `documents` CSV (bench/validate_data.py: valid rows, plus injected
errors of every kind the schema can express) against schemas/documents.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from frictionless import Dialect, Resource, Schema, formats

from etl.schema import load_schema
from etl.validate import violations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from validate_data import error_kinds, frictionless_problem, write_documents_csv  # noqa: E402


def frictionless_found(path: Path, schema: dict) -> tuple[int, set[tuple[int, str, str]]]:
    """(rows read, {(0-based row, field, rule)}) from frictionless on the CSV at `path`."""
    # The dialect is stated, not sniffed from the first 100 rows: the comparison is of the
    # validators, not of frictionless' guess at the delimiter.
    dialect = Dialect(controls=[formats.CsvControl(
        delimiter=",", quote_char='"', double_quote=True, skip_initial_space=False)])
    # A relative path under basepath: frictionless refuses absolute paths as unsafe.
    resource = Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema),
                        dialect=dialect, encoding="utf-8")
    task = resource.validate(limit_errors=10**9).tasks[0]
    return task.stats["rows"], {frictionless_problem(e.to_descriptor(), schema) for e in task.errors}


def etl_found(path: Path, schema: dict) -> set[tuple[int, str, str]]:
    table = pl.read_csv(path, infer_schema=False)
    return set(violations(table, schema).select("row", "field", "rule").iter_rows())


def test_a_generated_file_without_injected_errors_is_valid_for_both(tmp_path):
    schema = load_schema("documents")
    path = tmp_path / "documents.csv"
    write_documents_csv(path, rows=1000, error_rate=0.0, seed=3)
    rows, theirs = frictionless_found(path, schema)
    assert rows == 1000
    assert theirs == set()
    assert etl_found(path, schema) == set()


@pytest.mark.parametrize("seed", [1, 2])
def test_violations_match_frictionless_on_every_injected_kind(tmp_path, seed):
    schema = load_schema("documents")
    path = tmp_path / "documents.csv"
    rows = 4000
    injected = write_documents_csv(path, rows=rows, error_rate=0.1, seed=seed)
    read, theirs = frictionless_found(path, schema)
    ours = etl_found(path, schema)
    assert read == rows, "frictionless must read every row, or the comparison proves nothing"
    assert sorted(ours - theirs) == [] and sorted(theirs - ours) == []
    kinds = {kind for _, kind in error_kinds(schema)}
    assert kinds <= set(injected.get_column("kind"))
    assert kinds <= {rule for _, _, rule in ours}
    assert {field for field, _ in error_kinds(schema) if field} <= {field for _, field, _ in ours}
