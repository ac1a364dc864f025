"""Newer-site document page.

Told apart by its metadata block at the end of the page: a "Document Information"
heading, or without it (e.g. from HTML dt/dd pairs) a run of known labels such as
Source, Rights, Type, Language and Record ID, each followed by its value lines. A page
cut off before that block is still known by its head: "Skip to content", a date line and
a title line, on a page that no result count or documents heading shows to be a listing
(`has_page_head`); an HTML page also by a date line beside its heading
(`has_dated_heading`). The head is the date, the title and an optional funder line (a
capture saved without the chrome may open with a summary above them); the body follows,
and its last paragraph is the summary (on a page cut off before its metadata, only the
paragraph under a "Summary" heading among its last two is). A Record ID is read in ASCII
digits.
"""

from __future__ import annotations

import re

from etl.dates import compatible
from etl.extract import Extraction
from etl.extract.blocks import (
    bullet_text, cut_last_line, dated_entry_count, document_extraction, ends_sentence, fold, folded_is,
    funder_text, is_chrome, is_count_line, is_entry_date, is_list_heading, is_site_label, opens_with_skip_link,
    page_paragraphs, reads_as_prose, reads_as_title, title_key, titled_entry_count, too_long_to_read,
    without_bullet,
)

LAYOUT = "document_new"
HEADING = "document information"
SUMMARY_HEADING = "summary"
HEAD_LINES = 3  # "Skip to content", the date line and the title line
HEAD_WINDOW = 4  # the date line is among the first few lines after the chrome
LABEL_GAP = 25  # most value lines between two labels of one metadata block
# label -> (record field or None when the schema has none, how its value lines combine);
# a label is matched lower-cased and singular, so "Author(s)" and "Authors" are "author"
LABELS: dict[str, tuple[str | None, str]] = {
    "source": ("source", "text"),
    "original archive": ("original_archive", "items"),
    "rights": ("rights", "paragraphs"),
    "original uploaded date": ("uploaded_date_text", "line"),
    "type": ("document_type", "items"),
    "language": ("language", "items"),
    "record id": ("record_id", "id"),
    "author": ("authors", "list"),
    "associated places": ("places", "list"),
    "subjects discussed": ("subjects", "list"),
    "associated people & organizations": (None, "list"),
    "associated people and organizations": (None, "list"),
    "original classification": ("classification", "text"),
    "donor": (None, "list"),
    "document contributor": (None, "list"),
}
COMBINE = {
    "text": lambda lines: fold(" ".join(lines)),
    "items": lambda lines: "; ".join(fold(line) for line in lines),
    "paragraphs": lambda lines: "\n\n".join(fold(line) for line in lines),
    "list": lambda lines: [fold(line) for line in lines],
    # One line by nature (an ISO date): lines after it up to the next label are a label
    # this module does not know and its values, not more of this value.
    "line": lambda lines: fold(lines[0]),
    "id": lambda lines: record_id_value(lines[0]),
}


def record_id_value(line: str) -> str | None:
    """The number a Record ID line holds, in ASCII digits (a page may print full-width
    ones), or None when the line is no number."""
    number = compatible(fold(line))
    return number if re.fullmatch(r"[0-9]{1,9}", number) else None


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    paras = page_paragraphs(text)
    return metadata_start(paras) is not None or has_page_head(paras)


def extract(text: str, title_hint: str | None = None, value_ends: tuple[int, ...] = (),
            page_cut: bool = False, page_title: str | None = None) -> Extraction:
    """The page's record; `page_title` (from HTML: its og:title) is the title of a page
    that prints it on no line, its body then starting under the date line. `value_ends` (from HTML) are the paragraph indices where a label's
    value ends: a definition list closed, or a dt or heading opened. The markup tells a
    label this module does not know ("Keywords") from a value, where text cannot. On a
    `page_cut` (HTML that stops before its closing tags) a last value that nothing ends may
    go on past the cut (a value of several `dd`)."""
    paras = page_paragraphs(text)
    partial = cut_last_line(text)
    if partial:
        paras = paras[:-1]  # the cut line is kept nowhere
    meta = metadata_start(paras)
    head, body_at = head_fields(paras[:meta], title_hint, page_title)
    values = metadata_values(metadata_block(paras, meta), {end - meta for end in value_ends}) \
        if meta is not None else {}
    cut = (bool(partial) and not is_label_start(partial)) or (page_cut and value_left_open(paras, meta, value_ends))
    fields = {**head, **body_fields(paras[body_at:meta], has_metadata=meta is not None),
              **metadata_fields(values, cut=cut)}
    return document_extraction(LAYOUT, fields, partial)


def value_left_open(paras: list[str], meta: int | None, value_ends: tuple[int, ...]) -> bool:
    """True when no value end comes after the last label of the metadata block at `meta`."""
    if meta is None:
        return False
    last_label = max((i for i in range(meta, len(paras)) if label_of(paras[i])[0]), default=meta)
    return all(end <= last_label for end in value_ends)


def has_page_head(paras: list[str]) -> bool:
    """True for "Skip to content", a date line and a title line (in either order), on a page
    whose entries no result count heads (see `lists_results`) and that lists no documents
    under a documents heading (see `lists_documents`); when the title comes first, also with
    no second date line followed by a title.

    A search listing prints its count ("1 - 20 of 45") before its entries, and a page about
    a person, place or topic its name, then its documents (a date and a title each): a
    name above a date reads like a title above it. A document's body may hold more date
    lines, followed by prose (a diary) or by a heading (a letter's own date and head); a
    page whose date line comes right after the chrome opens with a document's head.
    """
    if len(paras) < 3 or not opens_with_skip_link(paras):
        return False
    date_first, date_second = is_entry_date(paras[1]), is_entry_date(paras[2])
    if date_first == date_second or (date_second and is_chrome(paras[1])):
        return False  # no date, two dates, or a result count before the first date
    return not lists_results(paras, HEAD_LINES) and not lists_documents(paras) \
        and (date_first or titled_entry_count(paras) < 2)


def lists_results(paras: list[str], head_end: int) -> bool:
    """True when a result count heads the page's entries: above `head_end` (where a page's
    head, its date and title lines, ends), or anywhere on a page of two titled entries. A
    search listing prints its count above its entries; a document's body may quote one."""
    count_at = next((i for i, p in enumerate(paras) if is_count_line(p)), None)
    return count_at is not None and (count_at < head_end or titled_entry_count(paras) >= 2)


def lists_documents(paras: list[str]) -> bool:
    """True when a documents heading ("Related Documents") has a dated entry right under it:
    a page about a person, place or topic, whose name and dates (a lifespan "1901-1980")
    read like a document's head. A document page lists related documents only after its
    metadata, which tells it first."""
    return any(is_list_heading(p) and dated_entry_count(paras[i + 1:i + 3]) for i, p in enumerate(paras))


def singular(label: str) -> str:
    return re.sub(r"(?:\(s\)|s)$", "", fold(label).lower())


KNOWN_LABELS = {singular(label): label for label in LABELS}
# The first word of every label, as `singular` gives it: a line whose first word (up to a
# colon, lower-cased, with or without a plural ending) is none of these is no label.
_FIRST_WORDS = frozenset(name.split(" ")[0] for name in KNOWN_LABELS)
_PLURAL_END = re.compile(r"(?:\(s\)|s)$")
_FIRST_WORD = re.compile(r"\s*([^\s:]*)")  # the first word, up to a colon


def _may_be_label(para: str) -> bool:
    word = _FIRST_WORD.match(para)[1].lower()
    return word in _FIRST_WORDS or _PLURAL_END.sub("", word) in _FIRST_WORDS


def label_of(para: str) -> tuple[str | None, str | None]:
    """(label, value on the same line) when the line is a metadata label, else (None, None)."""
    if not _may_be_label(para):
        return None, None
    name, _, value = fold(para).partition(":")
    label = KNOWN_LABELS.get(singular(name))
    return (label, value.strip() or None) if label else (None, None)


def is_heading(para: str) -> bool:
    return folded_is(para, HEADING)


def is_label_start(partial: str) -> bool:
    """True when a cut line is the start of a label, so no value was cut."""
    start = fold(partial).lower()
    return any(label.startswith(start) for label in LABELS)


def metadata_start(paras: list[str]) -> int | None:
    """Index where the metadata block starts: its heading, or the first of a run of labels.
    Of several headings, the first with a label right under it (a related document's block
    may follow the page's own)."""
    headings = [i for i, p in enumerate(paras) if is_heading(p)]
    if headings:
        return next((i for i in headings if i + 1 < len(paras) and label_of(paras[i + 1])[0]), headings[-1])
    labels = {i: label for i, p in enumerate(paras) if (label := label_of(p)[0])}
    at = list(labels)
    run = at[-1:]
    for i in reversed(at[:-1]):
        if run[0] - i > LABEL_GAP:
            break
        run.insert(0, i)
    distinct = {labels[i] for i in run}
    return run[0] if len(distinct) >= 3 else None


def metadata_block(paras: list[str], start: int) -> list[str]:
    """The metadata block starting at `start`, up to the next "Document Information" heading
    (another document's block)."""
    end = next((i for i in range(start + 1, len(paras)) if is_heading(paras[i])), len(paras))
    return paras[start:end]


def metadata_values(block: list[str], ends: set[int] = frozenset()) -> dict[str, list[str]]:
    """Value lines per label; a value runs until the next label (or site chrome such as
    "Related Documents", or one of the `ends` indices, which end the block) and may be empty."""
    values: dict[str, list[str]] = {}
    label = None
    for i, para in enumerate(block):
        if i in ends:
            label = None
        found, inline = label_of(para)
        if found:
            label = found
            values.setdefault(label, [])
            values[label] += [inline] if inline else []
        elif is_site_label(para):
            label = None
        elif label:
            values[label].append(without_bullet(para))
    return values


def metadata_fields(values: dict[str, list[str]], cut: bool) -> dict:
    """Record fields from the label values; on a cut page the last value is incomplete."""
    fields = {}
    for label, lines in values.items():
        name, kind = LABELS[label]
        if cut and label == list(values)[-1] and kind != "list":
            continue
        if name and lines:
            fields[name] = COMBINE[kind](lines)
    return fields


def head_fields(paras: list[str], title_hint: str | None, page_title: str | None = None) -> tuple[dict, int]:
    """(date_text, title, funders_text) of the page head, and where the body starts."""
    start = next((i for i, p in enumerate(paras) if not is_chrome(p)), len(paras))
    title_at = hinted_title_at(paras, title_hint or page_title)
    if title_at is None and page_title and not is_chrome(page_title):
        return head_under_unprinted_title(paras, start, page_title)
    date_at = unhinted_date_at(paras, start) if title_at is None else first_date_at(paras, max(start, title_at - 2))
    if title_at is None:
        title_at = start if date_at is None else unhinted_title_at(paras, start, date_at)
    body_at = max(title_at, date_at if date_at is not None else -1) + 1
    funder_at = next((i for i, p in enumerate(paras[:body_at + 1]) if funder_text(p)), None)
    if funder_at == body_at:
        body_at += 1
    return {
        "date_text": paras[date_at] if date_at is not None else None,
        "title": fold(paras[title_at]) if title_at < len(paras) else None,
        "funders_text": funder_text(paras[funder_at]) if funder_at is not None else None,
    }, body_at


def head_under_unprinted_title(paras: list[str], start: int, title: str) -> tuple[dict, int]:
    """The head of a page that prints its `title` on no line: a date line right under
    the chrome, then an optional funder line; and where the body starts."""
    date_at = start if start < len(paras) and is_entry_date(paras[start]) else None
    body_at = start if date_at is None else date_at + 1
    funder = funder_text(paras[body_at]) if body_at < len(paras) else None
    return {
        "date_text": paras[date_at] if date_at is not None else None,
        "title": fold(title),
        "funders_text": funder,
    }, body_at + (funder is not None)


def hinted_title_at(paras: list[str], title_hint: str | None) -> int | None:
    if not title_hint or is_chrome(title_hint):
        return None
    key = title_key(title_hint)
    return next((i for i, p in enumerate(paras) if title_key(p) == key), None)


def unhinted_title_at(paras: list[str], start: int, date_at: int) -> int:
    """Index of the title line next to the date line at `date_at`: the nearest line before
    the date, past a funder line, when it reads as a title, else the line after the date.

    Most pages print the date first; some print the title first. A capture saved without
    the site chrome may open with a summary (often of a related document) before the date,
    and the title follows the date: there, a line before the date that reads as a summary
    (see leads_as_summary) is that summary. Below the chrome ("Skip to content") nothing
    comes before the date but the title, which may end in a period ("... on 3.IX.1963.").
    """
    before = next((i for i in range(date_at - 1, start - 1, -1) if not funder_text(paras[i])), None)
    if before is None or is_chrome(paras[before]):
        return date_at + 1
    after = paras[date_at + 1] if date_at + 1 < len(paras) else ""
    return before if start > 0 or not leads_as_summary(paras[before], after) else date_at + 1


def leads_as_summary(para: str, title: str) -> bool:
    """True when `para`, above `title` at the top of a capture without the chrome, is a
    summary: a sentence, or prose that lost its final period above a line that reads as a
    title (a title-first page's title is above its body, which reads as prose)."""
    return ends_sentence(para) or (reads_as_prose(para) and reads_as_title(title))


def unhinted_date_at(paras: list[str], start: int) -> int | None:
    """Index of the head's date line: past funder lines, the first line of the content or
    the one after the title; without the chrome (`start` 0) also after the summary sentence
    such a capture may open with, and that summary and the title. A date line further down
    is in the body of an undated page."""
    date_at = first_date_at(paras, start)
    if date_at is None:
        return None
    before = [p for p in paras[start:date_at] if not funder_text(p)]
    opens_with_summary = start == 0 and len(before) == 2 and leads_as_summary(*before)
    return date_at if len(before) <= 1 or opens_with_summary else None


def first_date_at(paras: list[str], start: int) -> int | None:
    window = range(start, min(start + HEAD_WINDOW, len(paras)))
    return next((i for i in window if is_entry_date(paras[i])), None)


def body_fields(body: list[str], has_metadata: bool) -> dict:
    """Text and summary: the summary is the last paragraph before the metadata block (a
    "Summary" heading above it belongs to neither). On a page cut off before its metadata
    only a "Summary" heading among its last two paragraphs tells where the summary is (and
    the line after it, when the cut left one)."""
    if not has_metadata:
        heading = next((i for i in range(len(body) - 1, len(body) - 3, -1)
                        if i >= 0 and folded_is(body[i], SUMMARY_HEADING)), None)
        if heading is None:
            return {"text": "\n\n".join(body) or None, "summary": None}
        summary = fold(body[heading + 1]) if heading + 1 < len(body) else None
        return {"text": "\n\n".join(body[:heading]) or None, "summary": summary}
    text = body[:-2] if len(body) >= 2 and folded_is(body[-2], SUMMARY_HEADING) else body[:-1]
    return {"text": "\n\n".join(text) or None, "summary": fold(body[-1]) if body else None}


def has_dated_heading(text: str, heading: str | None) -> bool:
    """True for an HTML page whose heading (its h1) has a date line beside it, right above
    or below it (past a funder line), and whose entries no result count heads: a document page,
    even one cut off before its metadata with banners and breadcrumbs above its head."""
    paras = page_paragraphs(text)
    title_at = hinted_title_at(paras, heading)
    if title_at is None or lists_results(paras, title_at) or lists_documents(paras):
        return False
    near = [i for i in (title_at - 1, title_at + 1, title_at + 2) if 0 <= i < len(paras)]
    if title_at + 2 in near and not funder_text(paras[title_at + 1]):
        near.remove(title_at + 2)
    return any(is_entry_date(paras[i]) and bullet_text(paras[i]) is None for i in near)
