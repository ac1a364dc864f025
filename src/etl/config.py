"""Project configuration: the `[tool.etl]` table of pyproject.toml and the project's folders."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = PROJECT_ROOT / "schemas"
MEGABYTE = 1024 * 1024
# Files per parsing task at most (`etl build --batch-size`): what bounds a parsing worker's
# memory. Each task costs Prefect's server about 0.1 s of CPU, taken from the workers on a
# two-core machine: at 100,000 documents, batches of up to 5,000 files (16 tasks) built in
# 23.9 to 25.4 s where batches of 2,000 (37 tasks) took 26.7 s, for about 100 MB more at peak.
DEFAULT_BATCH_SIZE = 5000


class SettingsError(ValueError):
    """A `[tool.etl]` setting the project cannot use; the message names it and says why."""


@dataclass(frozen=True)
class Settings:
    package_name: str
    package_title: str
    resources: tuple[str, ...]
    default_source: Path
    default_output: Path
    contributions: Path
    contribution_limits: dict[str, int]
    cache: Path
    raw: Path
    schedule: str
    max_rejected_share: float
    min_records_for_share: int
    parquet_row_group_bytes: int


@cache
def settings() -> Settings:
    return read_settings(PROJECT_ROOT / "pyproject.toml")


def read_settings(pyproject: Path) -> Settings:
    """The `[tool.etl]` table of `pyproject`; folders are taken relative to the project."""
    table = tomllib.loads(pyproject.read_text("utf-8"))["tool"]["etl"]
    return Settings(
        package_name=table["package-name"],
        package_title=table["package-title"],
        resources=tuple(table["resources"]),
        default_source=PROJECT_ROOT / table["default-source"],
        default_output=PROJECT_ROOT / table["default-output"],
        contributions=PROJECT_ROOT / table["contributions"],
        contribution_limits={k.replace("-", "_"): v for k, v in table["contribution-limits"].items()},
        cache=PROJECT_ROOT / table["cache"],
        raw=PROJECT_ROOT / table["raw"],
        schedule=table["schedule"],
        max_rejected_share=float(table["max-rejected-share"]),
        min_records_for_share=int(table["min-records-for-share"]),
        parquet_row_group_bytes=megabytes_in_bytes(table, "parquet-row-group-mb", pyproject),
    )


def megabytes_in_bytes(table: dict, key: str, pyproject: Path) -> int:
    """Setting `key`, a number of megabytes (of 1,048,576 bytes) above 0, in bytes."""
    value = table.get(key)
    # bool is an int to Python, and TOML has inf and nan: none of them is a size.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        shown = "missing" if value is None else repr(value)
        raise SettingsError(f"[tool.etl] {key} in {pyproject} must be a number of megabytes above 0, "
                            f"such as 64; it is {shown}")
    return int(value * MEGABYTE)
