"""The contributions folder: inbox/ holds what was sent, accepted/ and rejected/ what was checked.

A contribution is one entry of inbox/: a table file, a data package folder, or a folder
or file of captures. Checking one moves it, whole, to accepted/ (valid) or rejected/
(anything else), with its report beside it as <name>.report.txt and <name>.report.json.
Accepted contributions take part in every later build, which reads accepted/ as
`etl validate` reads a folder: an entry whose name would make it read otherwise is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from etl.contribution import DESCRIPTOR, REPORT_SUFFIXES, Checked, Report, check_path, file_problem
from etl.report import json_report, text_report
from etl.tables import Limits


def inbox_entries(folder: Path) -> list[Path]:
    """The contributions waiting in folder/inbox, in name order (hidden names skipped)."""
    inbox = folder / "inbox"
    return sorted(p for p in inbox.iterdir() if not p.name.startswith(".")) if inbox.is_dir() else []


def report_paths(target: Path) -> list[Path]:
    """Where the reports of an entry filed as `target` go: beside it, its name and a suffix."""
    return [target.with_name(target.name + suffix) for suffix in REPORT_SUFFIXES]


def _taken(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def free_name(folder: Path, name: str) -> Path:
    """folder/name, or folder/<stem>.<n><suffixes> when that name or the name of one of its
    reports is taken (by an entry or a report): nothing is overwritten."""
    candidate, n = folder / name, 1
    stem, dot, suffixes = name.partition(".")
    while any(_taken(p) for p in (candidate, *report_paths(candidate))):
        candidate = folder / f"{stem}.{n}{dot}{suffixes}"
        n += 1
    return candidate


def name_problem(entry: Path) -> str | None:
    """Why an entry cannot be accepted under its name, whatever it holds; None when it can.
    The build skips files named like reports, and a datapackage.json in accepted/ itself
    would make the whole folder one package, its files those beside it."""
    if entry.name.endswith(REPORT_SUFFIXES) and not entry.is_dir():
        suffix = next(s for s in REPORT_SUFFIXES if entry.name.endswith(s))
        return (f"the name ends in {suffix}, which the contributions folder keeps for reports, and a build "
                f"skips such files; rename it (for example to {entry.name[:-len(suffix)] + '-' + suffix[1:]}) "
                "and send it again")
    if entry.name == DESCRIPTOR and entry.is_file():
        return (f"a {DESCRIPTOR} sent on its own: send the package as a folder holding {DESCRIPTOR} "
                "and the files it names")
    return None


def check_entry(entry: Path, limits: Limits, published: dict | None = None) -> Report:
    """The report on one entry, checked as `etl validate` checks a path: a folder file by
    file, each by its kind (tables, packages, captures); a name the entry cannot be
    accepted under is a problem of it (a lone datapackage.json is not read: the files it
    names are other entries)."""
    reason = name_problem(entry)
    if reason and entry.name == DESCRIPTOR:
        shown = entry.as_posix()
        return Report([Checked(shown, "package", problems=file_problem(shown, "entry-name", reason))])
    checked = check_path(entry, None, limits, published)
    if reason:
        checked[0].problems = pl.concat([file_problem(checked[0].path, "entry-name", reason), checked[0].problems])
    return Report(checked)


def file_entry(entry: Path, report: Report, folder: Path) -> Path:
    """Move `entry` to accepted/ or rejected/ and write its report beside it; the new path."""
    verdict = folder / ("accepted" if report.exit_code == 0 else "rejected")
    verdict.mkdir(parents=True, exist_ok=True)
    target = free_name(verdict, entry.name)
    texts = {".report.txt": text_report(report), ".report.json": json_report(report)}
    for suffix, path in zip(REPORT_SUFFIXES, report_paths(target)):
        path.write_text(texts[suffix], encoding="utf-8")
    shutil.move(entry, target)
    return target
