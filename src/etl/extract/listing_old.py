"""Older-site listing: a collection page, a search result list, or a topic page's documents.

Told apart by its entries: each starts with a bullet line holding the date
("  • May 05, 1962"), or the entries are separated by lines of dashes. The title and an
optional summary follow, usually indented. A collection page puts a block before the
entries: "No image found.", the collection title and one description paragraph; that
line alone tells a collection page cut off before its first entry.
"""

from __future__ import annotations

from etl.extract import Extraction
from etl.extract.blocks import (
    Entry, bullet_text, fold, folded_is, indent_of, is_chrome, is_dash_rule, is_entry_date,
    listing_extraction, page_lines, too_long_to_read,
)

LAYOUT = "listing_old"
NO_IMAGE = "no image found."


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    lines = page_lines(text)
    return any(is_entry_date(b) for b in bullet_texts(lines)) or has_dashed_entries(lines) \
        or any(folded_is(line, NO_IMAGE) for line in lines)


def extract(text: str) -> Extraction:
    lines = page_lines(text)
    start = undated_first_entry_at(lines, entries_start(lines))
    extraction = listing_extraction(LAYOUT, listing_entries(lines[start:]), text)
    cut_in_head = extraction.truncated and start == len(lines)
    extraction.collection = collection_block(lines[:start - 1] if cut_in_head else lines[:start])
    return extraction


def bullet_texts(lines: list[str]) -> list[str]:
    return [t for t in map(bullet_text, lines) if t is not None]


def has_dashed_entries(lines: list[str]) -> bool:
    """True when some line of dashes is followed by an entry date line."""
    content = [line for line in lines if line]
    return any(is_dash_rule(a) and is_entry_date(b) for a, b in zip(content, content[1:]))


def entries_start(lines: list[str]) -> int:
    """Index of the first entry line: a bullet, a dash rule or a date line."""
    for i, line in enumerate(lines):
        if bullet_text(line) is not None or is_dash_rule(line) or is_entry_date(line):
            return i
    return len(lines)


def undated_first_entry_at(lines: list[str], start: int) -> int:
    """Where the entries begin when the first entry line is a dash rule: entries between
    dash rules need no date line, so on a page that opens with content (no site header, no
    collection block) the lines before the first rule are an entry whose date line is
    missing, not a header. `start` otherwise."""
    if start >= len(lines) or not is_dash_rule(lines[start]):
        return start
    head = [i for i, line in enumerate(lines[:start]) if line]
    if not head or any(is_chrome(lines[i]) or folded_is(lines[i], NO_IMAGE) for i in head):
        return start
    return head[0]


def listing_entries(lines: list[str]) -> list[Entry]:
    """Entries split at bullets and dash rules; a bullet holding no date starts an undated entry.

    After indented entries, an unindented line is the page footer: it and the lines after
    it belong to no entry until the next bullet or dash rule.
    """
    entries: list[Entry] = []
    current: Entry | None = None
    in_footer = False
    for line in lines:
        if not line or is_chrome(line):
            continue
        if is_dash_rule(line) or bullet_text(line) is not None:
            current, in_footer = bullet_entry(bullet_text(line)), False
            entries.append(current)
        elif in_footer or (current is not None and is_footer(current, line)):
            in_footer = True
        elif current is None or (is_entry_date(line) and current.lines):
            current = Entry(None)
            entries.append(current)
            add_line(current, line)
        else:
            add_line(current, line)
    return [e for e in entries if e.date_text or e.lines]


def bullet_entry(text: str | None) -> Entry:
    """A new entry from a bullet's text (its date, or an undated entry's title) or a dash rule."""
    if text is None:
        return Entry(None)
    return Entry(text) if is_entry_date(text) else Entry(None, [text] if text else [])


def add_line(entry: Entry, line: str) -> None:
    """Add a line to an entry: its date when it is the entry's first line and a date."""
    if entry.date_text is None and not entry.lines and is_entry_date(line):
        entry.date_text = line.strip()
    else:
        entry.lines.append(line)


def is_footer(entry: Entry, line: str) -> bool:
    """True for a page-footer line after indented entries: it is not indented itself."""
    return bool(entry.lines) and indent_of(entry.lines[0]) >= 2 and indent_of(line) == 0


def collection_block(lines: list[str]) -> dict | None:
    """{"title", "description"} from "No image found.", a title and a paragraph, or None."""
    content = [fold(line) for line in lines if line]
    marks = [i for i, line in enumerate(content) if line.lower() == NO_IMAGE]
    if not marks or marks[-1] + 1 >= len(content):
        return None
    title, *description = content[marks[-1] + 1:]
    return {"title": title, "description": "\n\n".join(description) or None}
