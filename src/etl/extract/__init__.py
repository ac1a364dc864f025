"""Extractors: one module per page layout, each with `matches(text)` and `extract(text)`.

`extract_capture(text, is_html)` is the only entry point the pipeline uses: it converts
HTML to text blocks first (see `html.py`) and a text browser's dump to the lines of a saved
text (see `dump.py`), picks the first layout whose `matches` says
yes, and returns an `Extraction`. Record dicts use the field names of
`schemas/records.json` (minus `source_id`, which the pipeline adds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType


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


# The layout modules import the dataclasses above, so they are imported after them.
from etl.extract import article, doc_new, doc_old, listing_old, listing_search  # noqa: E402
from etl.extract.blocks import (  # noqa: E402
    cut_last_line, first_line, quoted, page_url, record_id_from_url, title_key, too_long_to_read, truncation_message,
)
from etl.extract.dump import read_text_dump  # noqa: E402
from etl.extract.html import HtmlPage, parse_html_page, text_below_banner  # noqa: E402

# Tried in this order: the most specific layout first.
LAYOUTS = (article, doc_new, doc_old, listing_old, listing_search)
DOCUMENT_LAYOUTS = (doc_new, doc_old)
HTML_CUT = "looks truncated: no closing </html> tag"


def extract_capture(text: str, is_html: bool) -> Extraction:
    """The records of one capture, read by the first layout that matches it."""
    page = parse_html_page(text) if is_html else None
    dump = None if is_html else read_text_dump(text)
    body = page_body(page) if page else dump.text if dump else text
    layout = layout_of(body, page)
    if layout is None:
        return Extraction(None, message=f"no known layout: {unrecognised_reason(body)}{cut_note(body, page)}")
    if page and layout is doc_new:
        value_ends = page.list_ends + page.label_starts
        extraction = doc_new.extract(body, title_hint=page.heading, value_ends=value_ends, page_cut=not page.complete,
                                     page_title=page.og_title)
    elif page and layout in DOCUMENT_LAYOUTS:
        extraction = layout.extract(body, title_hint=page.heading or page.og_title)
    else:
        extraction = layout.extract(body)
    if page and layout is listing_old and listing_search.is_newer_site(body):
        extraction = labelled(extraction, listing_search.LAYOUT)
    if dump:
        add_link_addresses(extraction, dump.links, None, None)
    if page:
        add_link_addresses(extraction, page.links, page.canonical, page.base)
        if not page.complete:
            extraction.truncated = True
            extraction.message = extraction.message or HTML_CUT
    return extraction


def labelled(extraction: Extraction, layout: str) -> Extraction:
    """`extraction` with its records named as read from `layout`: a newer-site result list
    saved as HTML (`ol`/`li`) reads as bullets, but it is the newer site's listing."""
    extraction.layout = layout
    extraction.records = [{**record, "layout": layout} for record in extraction.records]
    return extraction


def page_body(page: HtmlPage) -> str:
    """The page's text; an article's from its licence notice when the site's header (a
    logo, a search box) comes first, where the text layout expects the notice."""
    below = None if article.matches(page.text) else text_below_banner(page)
    return below if below is not None and article.matches(below) else page.text


def layout_of(body: str, page: HtmlPage | None) -> ModuleType | None:
    """The layout module that reads `body`, or None. An HTML page whose heading has a date
    line beside it is a newer-site document page when no document layout took it: its head
    may be pushed down by banners the text layouts cannot tell from the content."""
    layout = next((m for m in LAYOUTS if m.matches(body)), None)
    if page and layout not in (*DOCUMENT_LAYOUTS, article) and doc_new.has_dated_heading(body, page.heading):
        return doc_new
    return layout


def cut_note(body: str, page: HtmlPage | None) -> str:
    """"; looks truncated: ..." when a capture no layout reads looks cut off, else "" (a page
    cut in its head, before what tells its layout)."""
    if page is not None:
        return "" if page.complete else "; " + HTML_CUT
    partial = cut_last_line(body)
    return "; " + truncation_message(partial) if partial else ""


def unrecognised_reason(text: str) -> str:
    if not text.strip():
        return "no text"
    if too_long_to_read(text):
        return f"one line of {len(text):,} characters with no line break"
    return f"first line {quoted(first_line(text))}"


def add_link_addresses(extraction: Extraction, links: list[tuple[str, str]], own_address: str | None,
                       base: str | None) -> None:
    """Fill url and record_id from the page's links: its `own_address` for a document page
    (a link on a document page leads to another page), for a listing entry the next unused
    link whose text is the entry's title (entries of a series share a title, so each takes
    its own link in page order)."""
    unused: dict[str, list[str]] = {}
    for href, text in links:
        if text:
            unused.setdefault(title_key(text), []).append(href)
    for record in extraction.records:
        if record["layout"] in (doc_new.LAYOUT, doc_old.LAYOUT):
            href = own_address
        else:
            hrefs = unused.get(title_key(record["title"]), [])
            href = hrefs.pop(0) if hrefs else None
        record["url"] = record["url"] or page_url(href, base or own_address)
        record["record_id"] = record["record_id"] or record_id_from_url(record["url"] or href)
