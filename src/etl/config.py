"""Project configuration: the `[tool.etl]` table of pyproject.toml and the project's folders."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = PROJECT_ROOT / "schemas"


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


@cache
def settings() -> Settings:
    table = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["etl"]
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
    )
