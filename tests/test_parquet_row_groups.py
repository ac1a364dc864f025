"""Parquet row groups sized by bytes: `[tool.etl] parquet-row-group-mb` over each table's row width."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from etl import config, publish

SETTING = re.compile(r"(?m)^parquet-row-group-mb = .*\n")


def _pyproject_with(folder: Path, line: str) -> Path:
    """A copy of the project's pyproject.toml whose parquet-row-group-mb line is `line`."""
    text, replaced = SETTING.subn(line, (config.PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    assert replaced == 1, "pyproject.toml has no single parquet-row-group-mb line"
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _use_megabytes(monkeypatch, folder: Path, megabytes: str) -> None:
    """Publish with parquet-row-group-mb = `megabytes` (TOML), read as the project reads it."""
    chosen = config.read_settings(_pyproject_with(folder, f"parquet-row-group-mb = {megabytes}\n"))
    monkeypatch.setattr(publish, "settings", lambda: chosen)


def _texts(rows: int, text_bytes: int) -> pl.DataFrame:
    """A `texts` table of `rows` documents whose texts are `text_bytes` long."""
    return pl.DataFrame({"document_id": [f"rid-{n}" for n in range(rows)],
                         "text": [f"{n:09d}".ljust(text_bytes, "x") for n in range(rows)]})


def _written_parquet(table: pl.DataFrame, folder: Path) -> Path:
    """The Parquet file the release writer makes of `table` as the `texts` resource."""
    folder.mkdir(parents=True)
    publish.write_resource(table, "texts", folder)
    return folder / "texts.parquet"


def _row_group_rows(table: pl.DataFrame, folder: Path) -> list[int]:
    metadata = pq.ParquetFile(_written_parquet(table, folder)).metadata
    return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]


def test_wide_rows_get_smaller_row_groups_than_narrow_rows_for_the_same_target(tmp_path, monkeypatch):
    _use_megabytes(monkeypatch, tmp_path, "1")
    narrow = _row_group_rows(_texts(30_000, 20), tmp_path / "narrow")
    wide = _row_group_rows(_texts(30_000, 600), tmp_path / "wide")
    assert sum(narrow) == sum(wide) == 30_000
    assert publish.MIN_ROWS_PER_GROUP < wide[0] < narrow[0] < 30_000
    assert len(wide) > len(narrow) > 1


def test_a_row_group_holds_about_the_target_bytes_of_rows(tmp_path, monkeypatch):
    _use_megabytes(monkeypatch, tmp_path, "1")
    table = _texts(30_000, 600)
    row_bytes = table.to_arrow().nbytes / table.height  # Arrow's own measure, not the estimate's
    first = _row_group_rows(table, tmp_path / "data")[0]
    assert config.MEGABYTE - row_bytes < first * row_bytes <= config.MEGABYTE


def test_the_setting_changes_the_number_of_row_groups(tmp_path, monkeypatch):
    table = _texts(60_000, 20)
    groups = []
    for megabytes in ("0.5", "1", "64"):
        _use_megabytes(monkeypatch, tmp_path, megabytes)
        groups.append(len(_row_group_rows(table, tmp_path / f"mb-{megabytes}")))
    assert groups[0] > groups[1] > groups[2] == 1


def test_row_groups_keep_at_least_the_minimum_rows_however_wide_the_rows(tmp_path, monkeypatch):
    _use_megabytes(monkeypatch, tmp_path, "0.01")
    rows = _row_group_rows(_texts(2_500, 600), tmp_path / "data")
    assert rows == [publish.MIN_ROWS_PER_GROUP, publish.MIN_ROWS_PER_GROUP, 500]


def test_the_same_values_in_other_arrow_chunks_give_the_same_file(tmp_path, monkeypatch):
    _use_megabytes(monkeypatch, tmp_path, "1")
    table = _texts(30_000, 20)
    # The same rows, with the validity bitmaps a filter that removed a null row leaves behind.
    null_row = pl.DataFrame({"document_id": [None], "text": [None]}, schema=table.schema)
    with_null = pl.concat([table.head(7), null_row, table.tail(-7)]).rechunk()
    rebuilt = with_null.filter(pl.col("text").is_not_null())
    assert rebuilt.equals(table)
    assert rebuilt.to_arrow().nbytes != table.to_arrow().nbytes, "the two tables no longer differ in memory"
    assert _written_parquet(rebuilt, tmp_path / "rebuilt").read_bytes() \
        == _written_parquet(table, tmp_path / "plain").read_bytes()


@pytest.mark.parametrize(("line", "shown"), [
    ("parquet-row-group-mb = 0\n", "0"), ("parquet-row-group-mb = -8\n", "-8"),
    ('parquet-row-group-mb = "64"\n', "'64'"), ("parquet-row-group-mb = true\n", "True"),
    ("parquet-row-group-mb = inf\n", "inf"), ("parquet-row-group-mb = nan\n", "nan"), ("", "missing"),
])
def test_a_setting_that_is_not_megabytes_above_zero_is_refused_by_name(tmp_path, line, shown):
    pyproject = _pyproject_with(tmp_path, line)
    with pytest.raises(config.SettingsError) as refused:
        config.read_settings(pyproject)
    assert str(refused.value) == (f"[tool.etl] parquet-row-group-mb in {pyproject} must be a number of "
                                  f"megabytes above 0, such as 64; it is {shown}")
