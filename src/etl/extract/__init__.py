"""Extractors: one module per page layout, each with `matches(text)` and `extract(text)`.

`extract_capture(text, is_html)` is the only entry point the pipeline uses: it converts
HTML to text blocks first (see `html.py`), picks the first layout whose `matches` says
yes, and returns an `Extraction`. Record dicts use the field names of
`schemas/records.json` (minus `source_id`, which the pipeline adds).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rejected:
    """A record the extractor saw but could not take whole (e.g. cut off by truncation)."""

    position: int
    rule: str
    field: str
    value: str
    message: str


@dataclass
class Extraction:
    layout: str | None  # a name from LAYOUTS, or None when nothing matched
    records: list[dict] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    collection: dict | None = None  # {"title": str, "description": str | None}
    article: dict | None = None  # see article.py
    truncated: bool = False
    message: str | None = None  # one line for the sources table
