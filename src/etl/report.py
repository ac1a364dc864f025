"""A contribution's validation report, for people (text) and for machines (JSON).

Text: problems grouped by rule, one line each as `file:row:field: rule — message (value)`,
the first few of each rule and a count of the rest, then a line per file and the totals.
JSON: the same facts in a stable structure (keys and list order fixed) for a CI job.
"""

from __future__ import annotations

import json

import polars as pl

from etl.contribution import Report

REPORT_VERSION = 1


def _location(row: dict) -> str:
    parts = [row["file"], "" if row["row"] is None else str(row["row"]), row["field"] or ""]
    return ":".join(parts).rstrip(":")


def _problem_line(row: dict) -> str:
    value = "" if row["value"] is None else f" ({row['value'][:80]})"
    return f"{_location(row)}: {row['rule']} — {row['message']}{value}"


def _change_lines(report: Report, shown: int) -> list[str]:
    lines = []
    for checked in report.checked:
        if checked.changes is None or not checked.changes.height:
            continue
        counts = checked.changes.get_column("change").value_counts().sort("change")
        lines.append(f"{checked.path}: against the release: "
                     + ", ".join(f"{r['count']} {r['change']}" for r in counts.to_dicts()))
        for row in checked.changes.head(shown).to_dicts():
            where = f"{checked.path}:{row['row']}" if row["row"] is not None else checked.path
            target = row["published_id"] or row["document_id"]
            fields = f" ({', '.join(row['fields'])})" if row["fields"] else ""
            kept = f"; kept from the document page: {', '.join(row['kept'])}" if row["kept"] else ""
            lines.append(f"  {where}: {row['change']} {target}{fields}{kept}")
        if checked.changes.height > shown:
            lines.append(f"  … and {checked.changes.height - shown} more")
    return lines


def text_report(report: Report, shown: int = 10) -> str:
    """The report for a person: every rule's first `shown` problems and a count of the rest."""
    problems = report.problems
    lines = []
    for rule in problems.get_column("rule").unique(maintain_order=True).sort().to_list():
        of_rule = problems.filter(pl.col("rule") == rule)
        lines.append(f"{rule} ({of_rule.height}):")
        lines += [f"  {_problem_line(row)}" for row in of_rule.head(shown).to_dicts()]
        if of_rule.height > shown:
            lines.append(f"  … and {of_rule.height - shown} more {rule} problems")
    lines += _change_lines(report, shown)
    for checked in report.checked:
        target = f" as {checked.target}" if checked.target else ""
        lines.append(f"{checked.path}: {checked.kind}{target}, {checked.rows} rows, "
                     f"{_count(checked.problems.height, 'problem')}: {checked.status}")
    valid = sum(c.status == "valid" for c in report.checked)
    verdict = {0: "valid", 1: "invalid", 2: "unreadable"}[report.exit_code]
    lines.append(f"{len(report.checked)} checked, {valid} valid, {_count(problems.height, 'problem')}: {verdict}")
    return "\n".join(lines) + "\n"


def report_data(report: Report) -> dict:
    """The report as plain data: the JSON form."""
    files = [{
        "path": c.path, "kind": c.kind, "target": c.target, "rows": c.rows, "status": c.status,
        "problems": c.problems.height,
        "changes": None if c.changes is None else c.changes.to_dicts(),
    } for c in report.checked]
    problems = report.problems
    by_rule = problems.get_column("rule").value_counts().sort("rule")
    return {
        "report_version": REPORT_VERSION,
        "valid": report.exit_code == 0,
        "exit_code": report.exit_code,
        "summary": {
            "checked": len(report.checked), "problems": problems.height,
            "by_rule": {r["rule"]: r["count"] for r in by_rule.to_dicts()},
        },
        "files": files,
        "problems": problems.to_dicts(),
    }


def json_report(report: Report) -> str:
    """Compact JSON: Python's fast (C) encoder only writes JSON without indentation, and a
    million-row file can have tens of thousands of problems."""
    return json.dumps(report_data(report), ensure_ascii=False, separators=(",", ":")) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
