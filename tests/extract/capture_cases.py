"""Reading the hand-written capture fixtures and comparing them with the records beside them.

Each fixture `tests/fixtures/captures/<layout>/<case>.txt|.html` has a
`<case>.expected.json` beside it: the layout, the records (only the fields listed are
compared), the rejected entries, the collection block, the article and the truncation flag.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from etl.extract import Extraction, extract_capture

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"


def capture_path(case: str) -> Path:
    """The fixture file of `case`, e.g. "listing_old/collection"."""
    found = [p for p in (CAPTURES / f"{case}.txt", CAPTURES / f"{case}.html") if p.exists()]
    assert len(found) == 1, f"no single capture for {case}: {found}"
    return found[0]


def expected_of(case: str) -> dict:
    return json.loads((CAPTURES / f"{case}.expected.json").read_text("utf-8"))


def extract_case(case: str, encoding: str = "utf-8") -> Extraction:
    path = capture_path(case)
    return extract_capture(path.read_bytes().decode(encoding), path.suffix == ".html")


def differences(extraction: Extraction, expected: dict) -> list[str]:
    """What differs between an extraction and the expected facts, as readable lines."""
    found = {
        "layout": extraction.layout,
        "records": [{k: r.get(k) for k in e} for r, e in zip(extraction.records, expected.get("records", []))],
        "record_count": len(extraction.records),
        "rejected": [{k: v for k, v in asdict(r).items() if k != "message"} for r in extraction.rejected],
        "collection": extraction.collection,
        "truncated": extraction.truncated,
    }
    wanted = {**expected, "record_count": len(expected.get("records", []))}
    lines = [f"{key}: expected {wanted[key]!r}, got {found[key]!r}"
             for key in found if key in wanted and found[key] != wanted[key]]
    if "article" in expected:
        article = extraction.article or {}
        lines += [f"article[{k}]: expected {v!r}, got {article.get(k)!r}"
                  for k, v in expected["article"].items() if article.get(k) != v]
    return lines


def assert_case(case: str, encoding: str = "utf-8") -> Extraction:
    """Extract a fixture, check it against its expected records, and return the extraction."""
    extraction = extract_case(case, encoding)
    problems = differences(extraction, expected_of(case))
    assert not problems, "\n".join(problems)
    return extraction


def all_cases() -> list[str]:
    return sorted(str(p.relative_to(CAPTURES)).removesuffix(".expected.json")
                  for p in CAPTURES.rglob("*.expected.json"))
