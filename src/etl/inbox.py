"""The contributions folder: inbox/ holds what was sent, accepted/ and rejected/ what was checked.

A contribution is one entry of inbox/: a table file, a data package folder, or a folder
or file of captures. Checking one moves it, whole, to accepted/ (valid) or rejected/
(anything else), with its report beside it as <name>.report.txt and <name>.report.json.
Accepted contributions take part in every later build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from etl.contribution import Report, check_path
from etl.report import json_report, text_report
from etl.tables import Limits


def inbox_entries(folder: Path) -> list[Path]:
    """The contributions waiting in folder/inbox, in name order (hidden names skipped)."""
    inbox = folder / "inbox"
    return sorted(p for p in inbox.iterdir() if not p.name.startswith(".")) if inbox.is_dir() else []


def free_name(folder: Path, name: str) -> Path:
    """folder/name, or folder/<stem>.<n><suffixes> when that is taken: nothing is overwritten."""
    candidate, n = folder / name, 1
    stem, dot, suffixes = name.partition(".")
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}.{n}{dot}{suffixes}"
        n += 1
    return candidate


def check_entry(entry: Path, limits: Limits, published: dict | None = None) -> Report:
    """The report on one entry, checked as `etl validate` checks a path: a folder file by
    file, each by its kind (tables, packages, captures)."""
    return Report(check_path(entry, None, limits, published))


def file_entry(entry: Path, report: Report, folder: Path) -> Path:
    """Move `entry` to accepted/ or rejected/ and write its report beside it; the new path."""
    verdict = folder / ("accepted" if report.exit_code == 0 else "rejected")
    verdict.mkdir(parents=True, exist_ok=True)
    target = free_name(verdict, entry.name)
    (verdict / f"{target.name}.report.txt").write_text(text_report(report), encoding="utf-8")
    (verdict / f"{target.name}.report.json").write_text(json_report(report), encoding="utf-8")
    shutil.move(entry, target)
    return target
