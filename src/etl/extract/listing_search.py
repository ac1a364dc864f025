"""Newer-site listing: search results, or a person/place/topic page ending in its documents.

Told apart by the "N - M of T" result count (with or without the "Results:" and
"Documents" labels around it) or, when there is no count, by unbulleted date lines
each followed by a title line (one is enough below "Skip to content" or a documents
heading). Entries are date, title and summary paragraphs in page
order; the date or the summary may be missing. On a person's or topic's page, a date
line above a documents heading with a dated entry under it is the page's own (a lifespan
"1901-1980"): the entries start under that heading.
"""

from __future__ import annotations

from etl.extract import Extraction
from etl.extract.blocks import (
    Entry, bullet_text, cut_last_line, dated_entry_count, folded_is, is_chrome, is_count_line, is_entry_date,
    is_list_heading, listing_extraction, opens_with_skip_link, page_lines, page_paragraphs, paragraphs,
    shows_result_count, starts_undated_entry, too_long_to_read, topic_entries_at,
)

LAYOUT = "listing_search"


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    lines = page_lines(text)
    if shows_result_count(lines):
        return True
    if any(is_entry_date(b) for b in map(bullet_text, lines) if b is not None):
        return False  # bulleted dates are the older listing
    # Below the newer site's chrome or a documents heading, one dated entry is a list (a
    # person's page with one related document): the document layouts were tried first.
    paras = page_paragraphs(text)
    one_will_do = opens_with_skip_link(paras) or any(is_list_heading(p) for p in paras)
    return dated_entry_count(paras) >= (1 if one_will_do else 2)


def is_newer_site(text: str) -> bool:
    """True for a page of the newer site: its skip link first, or a result count on a page
    that does not open with the older site's "Search in" (which an HTML result list, read as
    bullets, leaves to the older listing's reader)."""
    paras = page_paragraphs(text)
    return opens_with_skip_link(paras) or (
        bool(paras) and not folded_is(paras[0], "search in") and shows_result_count(page_lines(text)))


def extract(text: str) -> Extraction:
    lines = page_lines(text)
    found = [p for p in paragraphs(lines[entries_start(lines):]) if not is_chrome(p)]
    return listing_extraction(LAYOUT, search_entries(found, cut=cut_last_line(text) is not None), text)


def entries_start(lines: list[str]) -> int:
    """Index after the result count or a documents heading, else of the first entry: the
    first date line, or an undated entry before it under a person's or topic's description.
    A date line above a documents heading with a dated entry under it is the page's own (a
    person's lifespan "1901-1980"): the entries start under the heading."""
    for i, line in enumerate(lines):
        if is_count_line(line) or is_list_heading(line):
            return i + 1
        if is_entry_date(line):
            below = dated_heading_end(lines, i)
            if below is not None:
                return below
            head = [at for at in range(i) if lines[at] and not is_chrome(lines[at])]
            first = topic_entries_at([lines[at] for at in head])
            return head[first] if first < len(head) else i
    return len(lines)


def dated_heading_end(lines: list[str], start: int) -> int | None:
    """Index after the first documents heading below `start` with a dated entry right under
    it, or None."""
    for i in range(start + 1, len(lines)):
        if is_list_heading(lines[i]) and dated_entry_count(paragraphs(lines[i + 1:i + 5])):
            return i + 1
    return None


def search_entries(paras: list[str], cut: bool) -> list[Entry]:
    """Entries of date, title and summary paragraphs; `cut`: the capture stops in the middle
    of its last line."""
    entries: list[Entry] = []
    for i, para in enumerate(paras):
        if is_entry_date(para):
            entries.append(Entry(para))
            continue
        last = i + 1 == len(paras)
        if starts_undated_entry(entries[-1] if entries else None, para, cut_in_it=cut and last,
                                next_para=None if last else paras[i + 1]):
            entries.append(Entry(None))
        entries[-1].lines.append(para)
    return entries
