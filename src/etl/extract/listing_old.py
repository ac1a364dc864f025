"""Older-site listing: a collection page, a search result list, or a topic page's documents.

Told apart by its entries: each starts with a bullet line holding the date
("  • May 05, 1962"), or the entries are separated by rules (dashes of any kind,
underscores, equals signs, box-drawing lines). The title and an optional summary follow,
usually indented. A collection page puts a block before the entries: "No image found.",
the collection title (even one that reads as a date line, "August 1945") and its
description (one paragraph, possibly wrapped over several lines, or several flush-left
paragraphs above indented entries); that line alone tells a collection page cut off
before its first entry. A first entry with no date line has no bullet or date of its
own: `first_entry_at` finds it after the head. A newer-site result list saved as HTML
`ol`/`li` reads as bullets and is read here, but labelled listing_search (see
`etl.extract.extract_capture`).
"""

from __future__ import annotations

from itertools import takewhile

from etl.extract import Extraction
from etl.extract.blocks import (
    Entry, bullet_text, cut_last_line, ends_sentence, fold, folded_is, indent_of, is_chrome,
    is_dash_rule, is_entry_date, is_list_heading, listing_extraction, looks_like_summary, page_lines,
    reads_as_prose, starts_undated_entry, too_long_to_read, topic_entries_at,
)

LAYOUT = "listing_old"
NO_IMAGE = "no image found."


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    lines = page_lines(text)
    return any(is_entry_date(b) for b in bullet_texts(lines)) or has_dashed_entries(lines) \
        or has_collection_mark(lines)


def extract(text: str) -> Extraction:
    lines = page_lines(text)
    start = first_entry_at(lines, entries_start(lines))
    entries = listing_entries(lines[start:], cut=cut_last_line(text) is not None)
    extraction = listing_extraction(LAYOUT, entries, text)
    cut_in_head = extraction.truncated and start == len(lines)
    extraction.collection = collection_block(lines[:start], cut=cut_in_head)
    return extraction


def bullet_texts(lines: list[str]) -> list[str]:
    return [t for t in map(bullet_text, lines) if t is not None]


def has_dashed_entries(lines: list[str]) -> bool:
    """True when some line of dashes is followed by an entry date line."""
    content = [line for line in lines if line]
    return any(is_dash_rule(a) and is_entry_date(b) for a, b in zip(content, content[1:]))


def entries_start(lines: list[str]) -> int:
    """Index of the first entry line: a bullet, a dash rule or a date line (after the
    collection title, which may read as one: "August 1945")."""
    for i in range(collection_title_end(lines), len(lines)):
        line = lines[i]
        if bullet_text(line) is not None or is_dash_rule(line) or is_entry_date(line):
            return i
    return len(lines)


def collection_title_end(lines: list[str]) -> int:
    """Index after the collection title: the first line after a "No image found." line
    that comes before any bullet or dash rule; 0 on a page without one."""
    for i, line in enumerate(lines):
        if bullet_text(line) is not None or is_dash_rule(line):
            return 0
        if folded_is(line, NO_IMAGE):
            title = next((j for j in range(i + 1, len(lines)) if lines[j]), None)
            return 0 if title is None else title + 1
    return 0


def first_entry_at(lines: list[str], marker: int) -> int:
    """Index of the first entry's first line: `marker` (the first bullet, dash rule or date
    line) unless the first entry has no date line, and so no marker of its own. Its lines
    then sit between the page head and `marker`:
    - before a dash rule (a rule closes the entry before it), all of them from the title
      (see `title_before_rule_at`);
    - after a collection block (which holds one description paragraph) or a documents
      heading, all of them;
    - before a bullet or date line on other pages, where a topic's heading and prose stand
      flush left, those from the first indented one (an entry's lines are indented under
      its bullet), else those after the topic's heading and description (see
      `topic_entries_at`)."""
    head_end = page_head_end(lines, marker)
    rest = [i for i in range(head_end, marker) if lines[i]]
    if not rest:
        return marker
    if marker < len(lines) and is_dash_rule(lines[marker]):
        return title_before_rule_at(lines, rest, marker)
    if has_collection_mark(lines[:head_end]) or (head_end and is_list_heading(lines[head_end - 1])):
        return rest[0]
    indented = next((i for i in rest if is_indented(lines[i])), None)
    if indented is not None:
        return indented
    first = topic_entries_at([lines[i].strip() for i in rest])
    return rest[first] if first < len(rest) else marker


def title_before_rule_at(lines: list[str], rest: list[int], marker: int) -> int:
    """Index of an undated entry's title among the lines `rest` before the first dash rule,
    or `marker` when they hold none.

    An entry is a title and at most one summary; lines before those are the summary of a
    related document that a capture saved without chrome opens with. Which of two lines (or
    of one) is such a summary only punctuation can tell: it ends a sentence, and a title
    mostly does not (but "… 17 April 1953." does, so two lines that both end one are a
    title and its summary)."""
    if len(rest) >= 3:
        return rest[-2]
    first_ends = ends_sentence(lines[rest[0]])
    if len(rest) == 2:
        return rest[1] if first_ends and not ends_sentence(lines[rest[1]]) else rest[0]
    return marker if first_ends else rest[0]


def page_head_end(lines: list[str], marker: int) -> int:
    """Index just past the page head before `marker`: past its last site-chrome line and,
    when that line is "No image found.", past the collection block it opens."""
    content = [i for i in range(marker) if lines[i]]
    chrome = [i for i in content if is_chrome(lines[i])]
    if not chrome:
        return 0
    return max([chrome[-1], *collection_block_lines(lines, content, chrome[-1], marker)]) + 1


def collection_block_lines(lines: list[str], content: list[int], mark: int, marker: int) -> list[int]:
    """Indices of the collection title and its description after the "No image found."
    line at `mark` (none when that is another chrome line), up to the first indented line,
    which is an entry's. The description is one paragraph (its lines, where blank lines part
    the paragraphs, or one line), unless the entries (from `marker`) are indented under their
    bullets: then every flush-left line before them is its own (a second paragraph), not an
    undated entry's."""
    if not folded_is(lines[mark], NO_IMAGE):
        return []
    block = list(takewhile(lambda i: not is_indented(lines[i]), [i for i in content if i > mark]))
    if entries_indented(lines, marker) or len(block) < 2:
        return block
    spaced = not lines[block[0] + 1]
    return block[:2] + (list(takewhile(lambda i: bool(lines[i - 1]), block[2:])) if spaced else [])


def entries_indented(lines: list[str], marker: int) -> bool:
    """True when the line after the first entry mark at `marker` is indented; False on a
    page without entry marks, where a flush-left line after the description may be an
    undated entry's."""
    after = next((line for line in lines[marker + 1:] if line), None)
    return after is not None and is_indented(after)


def has_collection_mark(lines: list[str]) -> bool:
    return any(folded_is(line, NO_IMAGE) for line in lines)


def is_indented(line: str) -> bool:
    return indent_of(line) >= 2


def listing_entries(lines: list[str], cut: bool) -> list[Entry]:
    """Entries split at bullets and dash rules; a bullet holding no date starts an undated entry.

    Between them, an entry is a title and at most one summary paragraph: a further line
    (indented or not) starts an entry with no date line. The page footer after the last
    entry belongs to no entry. `cut`: the capture stops in the middle of its last line.
    """
    content = [line for line in lines if line and not is_chrome(line)]
    bullets = [bullet_text(line) for line in content]
    marks = [text is not None or is_dash_rule(line) for text, line in zip(bullets, content)]
    end = footer_start(content, marks)
    entries: list[Entry] = []
    current: Entry | None = None
    for i in range(end):
        line = content[i]
        if marks[i]:
            current = bullet_entry(bullets[i])
            entries.append(current)
            continue
        if current is None or (is_entry_date(line) and current.lines) \
                or starts_undated_entry(current, line, cut_in_it=cut and i + 1 == end,
                                        next_para=None if i + 1 == end or marks[i + 1] else content[i + 1]):
            current = Entry(None)
            entries.append(current)
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


def footer_start(content: list[str], marks: list[bool]) -> int:
    """Index of the page footer in the content lines, or len(content) when there is none;
    `marks` says which lines are entry marks (bullets and dash rules).

    After the last entry mark, on a page whose entries are indented, the first unindented
    line starts the footer; on a page that prints them flush left, the first line after
    the last entry's title and summary sentence. Unless it and the next line read as an
    undated entry (a title and a summary sentence), which a topic page may print flush left
    at the end of its list.
    """
    last_mark = max((i for i, mark in enumerate(marks) if mark), default=-1)
    if last_mark < 0 or last_mark + 1 >= len(content):
        return len(content)
    if is_indented(content[last_mark + 1]):
        at = next((i for i in range(last_mark + 1, len(content)) if indent_of(content[i]) == 0),
                  len(content))
    else:
        at = last_entry_end(content, last_mark)
    while at + 1 < len(content) and is_undated_entry(content[at], content[at + 1]):
        at += 2
    return at


def last_entry_end(content: list[str], mark: int) -> int:
    """Index after the flush-left entry whose mark is at `mark`: after its title (the
    bullet line itself when it holds no date; after a rule, the line past its date line)
    and the line that follows when that is its summary (a sentence, however short, or
    prose without its final period); at most len(content), for a last entry that stops at
    its date line."""
    text = bullet_text(content[mark])
    title_at = mark if text and not is_entry_date(text) else mark + 1
    if text is None and title_at < len(content) and is_entry_date(content[title_at]):
        title_at += 1
    after = min(title_at + 1, len(content))
    is_summary = after < len(content) and (ends_sentence(content[after]) or reads_as_prose(content[after]))
    return after + 1 if is_summary else after


def is_undated_entry(title: str, summary: str) -> bool:
    return not ends_sentence(title) and looks_like_summary(summary)


def collection_block(lines: list[str], cut: bool) -> dict | None:
    """{"title", "description"} from "No image found.", a title and a description, or None;
    `cut`: the capture stops in the block, so its last paragraph is not whole and is left out."""
    marks = [i for i, line in enumerate(lines) if folded_is(line, NO_IMAGE)]
    paras = block_paragraphs(lines[marks[-1] + 1:]) if marks else []
    if cut:
        paras = paras[:-1]
    if not paras:
        return None
    title, *description = paras
    return {"title": title, "description": "\n\n".join(description) or None}


def block_paragraphs(lines: list[str]) -> list[str]:
    """The folded paragraphs of the lines after "No image found.", the title first. Where
    a blank line follows the title, blank lines part the paragraphs and the lines of one (a
    description wrapped over several lines) are joined; in a capture saved with single
    newlines each line is a paragraph."""
    content = [i for i, line in enumerate(lines) if line]
    if content and content[0] + 1 < len(lines) and lines[content[0] + 1]:
        return [fold(lines[i]) for i in content]
    paras: list[list[str]] = []
    for i in content:
        if not paras or not lines[i - 1]:
            paras.append([])
        paras[-1].append(lines[i])
    return [fold(" ".join(para)) for para in paras]
