"""Line and block helpers shared by the layout extractors.

Every layout asks the same questions of a capture's lines: is it blank, a bullet, a
dash rule, an entry date, site chrome, a funder line? Was the capture cut off in its
last line? These answers live here, together with the record dict builder, whose keys
come from `schemas/records.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Iterator
from urllib.parse import urljoin

from etl.config import SCHEMA_DIR
from etl.dates import RANGE_DASHES, is_date_text, stops_before_its_year, weekday_end
from etl.extract import Extraction, Rejected

BULLET = "•"
ONE_LINE_LIMIT = 20_000  # a text with no line break longer than this is not a page

# Lines the site prints around the content on every page (compared folded, lower-cased).
CHROME = frozenset({
    "skip to content", "search in", "digital archive",
    "digital archive international history declassified", "international history declassified",
    "results:", "results", "documents", "related documents",
    "get citation", "share document", "english html", "no image found.", "load more",
})
# The first letters of the site labels: other lines are not folded to be compared with them.
_LABEL_FIRST = frozenset(label[0] for label in CHROME)
# Headings a page prints above its list of documents (also in CHROME).
LIST_HEADINGS = ("documents", "related documents")
COUNT_LINE = re.compile(rf"(?:results:?\s*)?\d[\d,]*\s*[{RANGE_DASHES}]\s*\d[\d,]*\s+of\s+\d[\d,]*", re.I)
# A rule between entries: a run of dashes of any kind, underscores, equals signs or the
# horizontal box-drawing lines a text browser draws for <hr>.
_RULE_CHARACTERS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_=\u2500\u2501\u2550"
DASH_RULE = re.compile(rf"(?:[{_RULE_CHARACTERS}]\s*){{3,}}")
_RULE_FIRST = frozenset(_RULE_CHARACTERS)
# A pager: page numbers (not four digits: "1961" is a date) and arrows or their names.
PAGER_WORD = r"(?:\d{1,3}|[\u2039\u203a\u00ab\u00bb\u2026<>|]+|first|last|next|prev(?:ious)?|page)"
PAGER = re.compile(PAGER_WORD + r"(?:\s+" + PAGER_WORD + r")*", re.I)
MASKED_EMAIL = re.compile(r"(?:[\w ]+:\s*)?\[email\s+protected\]", re.I)
FUNDER = re.compile(r"made possible with support from\s+(?P<funders>.+)", re.I)
DOCUMENT_URL = re.compile(r"(?:^|/)document/(?P<id>\d{1,9})/?(?:[?#]\S*)?$")
URL = re.compile(r"https?://\S+|/\S*")
# A web archive's address of a copy: [host]/web/<timestamp>[modifier]/<original>, or
# Archive-It's [host]/<collection>/<timestamp>/<original>.
ARCHIVED_URL = re.compile(r"(?:https?://[^/\s]+)?/(?:web|\d+)/\d{4,14}(?:[a-z]{2}_)?\*?/(?P<url>https?://\S+)")
DEFAULT_PORT = re.compile(r"^(https?://[^/:]+):(?:80|443)(?=/|$)")
PLAIN_PUNCTUATION = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                                   "\u2013": "-", "\u2014": "-"})
# Characters a page holds but does not show: soft hyphens, zero-width spaces and joiners,
# direction marks, word joiners, byte order marks (one opens each file of a concatenation).
# The normaliser drops them from published fields too (etl.normalise.visible).
INVISIBLE = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"
INVISIBLE_CHARACTERS = re.compile(f"[{INVISIBLE}]")
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
# A last line ending in one of these (or a digit) is complete, not cut mid-word.
COMPLETE_ENDINGS = ".!?:;)]}\"'\u201d\u2019\u00bb\u2026>*"


@cache
def record_fields() -> tuple[str, ...]:
    """The record field names of schemas/records.json, without `source_id`."""
    schema = json.loads((SCHEMA_DIR / "records.json").read_text("utf-8"))
    return tuple(f["name"] for f in schema["fields"] if f["name"] != "source_id")


def new_record(layout: str, position: int, **values) -> dict:
    """A record with every schema field; empty strings and lists become None."""
    unknown = set(values) - set(record_fields())
    if unknown:
        raise KeyError(f"not a records.json field: {sorted(unknown)}")
    record = dict.fromkeys(record_fields())
    record.update({k: (None if v in ("", []) else v) for k, v in values.items()})
    record.update(position=position, layout=layout)
    return record


def fold(text: str) -> str:
    """Whitespace runs (non-breaking spaces included) folded to one space, stripped."""
    return " ".join(text.split())


def folded_is(text: str, phrase: str) -> bool:
    """fold(text).lower() == phrase, for a lower-case ASCII phrase of words with one space
    between them; a text of more words than the phrase is not folded."""
    # Folding keeps the first character, and lower-casing keeps the length of a text that
    # becomes ASCII: a shorter text, or one that starts otherwise, is not the phrase.
    if len(text) < len(phrase) or text.lstrip()[:1].lower() != phrase[0]:
        return False
    count = phrase.count(" ") + 1
    words = text.split(None, count)
    return len(words) == count and " ".join(words).lower() == phrase


# Every layout's `matches` and then one `extract` read the same capture's lines: they are
# split once per text. One entry, keyed by the text object itself, replaced in one
# assignment (safe under threads: a lookup sees a whole entry or misses).
_split: tuple[str | None, tuple[str, ...], tuple[str, ...]] = (None, (), ())


def _split_page(text: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """(text, its lines as page_lines gives them, its paragraphs), computed once per text."""
    global _split
    found = _split
    if found[0] is text:
        return found
    plain = visible(text).replace("\r\n", "\n").replace("\r", "\n")
    # A line of only white space right-strips to "".
    lines = tuple([line.rstrip() for line in plain.split("\n")])
    found = _split = (text, lines, tuple([line.lstrip() for line in lines if line]))
    return found


def visible(text: str) -> str:
    """text without the characters it holds but does not show (see INVISIBLE): a date line
    or a label with a zero-width space or soft hyphen in it reads as the page shows it."""
    return INVISIBLE_CHARACTERS.sub("", text) if not text.isascii() else text


def page_lines(text: str) -> list[str]:
    """The lines of a capture, right-stripped; lines of only (non-breaking) spaces are ""."""
    return list(_split_page(text)[1])


def paragraphs(lines: list[str]) -> list[str]:
    """The non-blank lines, stripped: one paragraph per line."""
    return [line.strip() for line in lines if line]


def page_paragraphs(text: str) -> list[str]:
    """paragraphs(page_lines(text)), worked out once per text."""
    return list(_split_page(text)[2])


def bullet_text(line: str) -> str | None:
    """The text after a leading bullet, or None when the line is not a bullet line."""
    if BULLET not in line:
        return None
    stripped = line.strip()
    return stripped[1:].strip() if stripped.startswith(BULLET) else None


def without_bullet(line: str) -> str:
    text = bullet_text(line)
    return line.strip() if text is None else text


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def is_dash_rule(line: str) -> bool:
    stripped = line.strip()
    return stripped[:1] in _RULE_FIRST and bool(DASH_RULE.fullmatch(stripped))


def is_count_line(line: str) -> bool:
    """True for the "N - M of T" line of a search result page ("Results: N - M of T" too)."""
    # The count starts with a digit or "Results": other lines are not folded.
    first = line.lstrip()[:1]
    return (first.isdigit() or first in ("R", "r")) and bool(COUNT_LINE.fullmatch(fold(line)))


def is_site_label(line: str) -> bool:
    """A fixed label the site prints around the content ("Skip to content", "Documents")."""
    text = without_bullet(line)
    return text[:1].lower()[:1] in _LABEL_FIRST and fold(text).lower() in CHROME


# What else the first character of a chrome line (without its bullet) can be: a digit
# (counts, pagers) or a pager arrow or word; a masked e-mail line holds "[", a line with
# a second bullet is checked again without it.
_CHROME_FIRST = _LABEL_FIRST | frozenset("\u2039\u203a\u00ab\u00bb\u2026<>|flnpFLNP")


def _may_be_chrome(text: str) -> bool:
    """False when `text` (stripped, without its bullet) cannot be chrome; cheap, so the
    folding of long body lines is skipped."""
    first = text[:1]
    return first.lower()[:1] in _CHROME_FIRST or first.isdigit() or first == BULLET or "[" in text


def is_chrome(line: str) -> bool:
    """Site furniture: labels, result counts, pagers, masked e-mail contact lines."""
    text = without_bullet(line)
    if not _may_be_chrome(text):
        return False
    text = fold(text)
    # `text` is folded and has lost one bullet: a site label unless it holds a second one.
    label = is_site_label(text) if text.startswith(BULLET) else text.lower() in CHROME
    return label or bool(COUNT_LINE.fullmatch(text)) or bool(PAGER.fullmatch(text)) \
        or bool(MASKED_EMAIL.fullmatch(text))


# The year forms of a date line: a year, a decade, a range of years (no final period).
_YEAR_LINE = re.compile(rf"\d{{4}}(?:'?s|\s*[/{RANGE_DASHES}]\s*\d{{4}})?")


def is_entry_date(line: str) -> bool:
    """True for a document date line (month first, or a bare year), with or without a final
    period; a weekday may come before a month-first date ("Wednesday, June 9, 1977").

    Day-first dates such as "14 September 1960" and ISO dates are printed inside bodies
    and metadata, never as a document's date line, so they do not count here, with a
    weekday or a final period either.
    """
    # A date line is at most 40 characters folded, so at most 20 words: longer lines are
    # not folded whole.
    words = without_bullet(line).split(None, 20)
    if len(words) > 20:
        return False
    text = " ".join(words)
    if not is_date_text(text):
        return False
    if text[0].isalpha():
        date_at = weekday_end(text)  # after a weekday, the date must be month first too
        return date_at == 0 or text[date_at:date_at + 1].isalpha()
    return bool(_YEAR_LINE.fullmatch(text))


def _lines_after_dates(paras: list[str]) -> Iterator[str]:
    """Each line right after a date line that can be a title (no date, no site chrome)."""
    return (b for a, b in zip(paras, paras[1:]) if is_entry_date(a) and not is_entry_date(b) and not is_chrome(b))


def dated_entry_count(paras: list[str]) -> int:
    """How many date lines are followed by a line that can be a title."""
    return sum(1 for _ in _lines_after_dates(paras))


def titled_entry_count(paras: list[str]) -> int:
    """How many date lines are followed by a line that reads as a title (not as prose): the
    entries of a list, where a diary's dated paragraphs do not count."""
    return sum(not reads_as_prose(line) for line in _lines_after_dates(paras))


def shows_result_count(lines: list[str]) -> bool:
    """True when some line is a search result count ("1 - 20 of 45")."""
    return any(is_count_line(line) for line in lines)


def title_key(title: str) -> str:
    """A title folded for comparison: spaces, curly quotes and dashes made plain, lower case."""
    plain = visible(title).translate(PLAIN_PUNCTUATION)
    return fold(plain).lower()


def funder_text(line: str) -> str | None:
    """What follows "made possible with support from", as printed, or None."""
    match = FUNDER.search(fold(line))
    return match["funders"].strip() if match else None


def record_id_from_url(url: str | None) -> str | None:
    """The record id of a numeric /document/<n> address; /node/<n> and slugs give none."""
    match = DOCUMENT_URL.search(url or "")
    return match["id"] if match else None


def page_url(href: str | None, base: str | None) -> str | None:
    """An absolute or site-rooted address for a link, or None when it cannot be made one;
    the original address when a web archive's copy rewrote it (see original_address)."""
    href = (href or "").strip()
    url = href if URL.fullmatch(href) else urljoin(original_address(base), href) if href and base else ""
    return original_address(url) if URL.fullmatch(url) else None


def original_address(url: str) -> str:
    """The address a web archive's copy stands for: ".../web/20150912083000/http://host:80/x"
    (Wayback Machine, Archive-It) is "http://host/x" (a default port dropped); others as given."""
    archived = ARCHIVED_URL.match(url)
    if not archived:
        return url
    return DEFAULT_PORT.sub(r"\1", archived["url"])


def too_long_to_read(text: str) -> bool:
    """True for one enormous line: no layout is read from such a text."""
    return len(text) > ONE_LINE_LIMIT and "\n" not in text.strip()


def cut_last_line(text: str) -> str | None:
    """The last line when the capture stops in the middle of it, else None.

    A capture that ends with a newline, or whose last line ends in a digit or in
    sentence punctuation, is complete; but a last line that is a date without its year
    ("December 1", "• May 06, 19") was cut in that date, and one that stops after a space
    ("Letter from O. T. ") was cut between two words: a page's last line ends in its text.
    """
    if not text or text.endswith(("\n", "\r")):
        return None
    line = visible(text.replace("\r", "\n").rsplit("\n", 1)[-1])
    last = line.strip()
    if last and line[-1].isspace():
        return last
    if not last or last[-1] in COMPLETE_ENDINGS:
        return None
    if last[-1].isdigit() and not stops_before_its_year(without_bullet(last)):
        return None
    return last


def truncation_message(partial: str) -> str:
    return f"looks truncated: the last line stops mid-word ({quoted(partial[-40:])})"


def quoted(text: str, limit: int = 60) -> str:
    """Text folded and cut to `limit` characters, in double quotes."""
    text = fold(text)
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "\u2026") + '"'


def first_line(text: str) -> str:
    return next((line.strip() for line in page_lines(text) if line), "")


def opens_with_skip_link(paras: list[str]) -> bool:
    """True for a page of the newer site saved with its chrome: "Skip to content" first."""
    return bool(paras) and folded_is(paras[0], "skip to content")


def is_list_heading(line: str) -> bool:
    """A heading a page prints above its list of documents ("Documents", "Related Documents")."""
    return any(folded_is(line, heading) for heading in LIST_HEADINGS)


def ends_sentence(para: str) -> bool:
    return bool(SENTENCE_END.search(para.rstrip()))


def looks_like_summary(para: str) -> bool:
    """A summary is a sentence; titles rarely end in closing punctuation, and short ones
    that do ("Born in Ivel.") are no summary either."""
    return ends_sentence(para) and len(para.split()) >= 6


_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def reads_as_prose(para: str) -> bool:
    """True when most longer words after the first are lower case: a sentence, even one
    printed without its final period. Titles capitalise their words ("Report of the
    Harbour Board on the Ice")."""
    words = _longer_words(para)
    return len(words) >= 3 and 2 * sum(word[0].islower() for word in words) > len(words)


def reads_as_title(para: str) -> bool:
    """True when most longer words after the first are capitalised, whatever the final
    punctuation ("Notes from a Conversation with Deputy Minister Pak, on 3.IX.1962.")."""
    words = _longer_words(para)
    return len(words) >= 3 and 2 * sum(word[0].isupper() for word in words) > len(words)


def _longer_words(para: str) -> list[str]:
    return [word for word in _WORD.findall(para)[1:] if len(word) >= 4]


def topic_entries_at(paras: list[str]) -> int:
    """Index of an undated first entry among the paragraphs between a listing's site
    chrome and its first dated entry, or len(paras) when there is none.

    A page about a person, place or topic opens with its name (a line that ends no
    sentence) and description paragraphs (sentences); a capture saved without the chrome
    may open instead with the summary of a related document. A line after those that
    ends no sentence is the title of a document with no date line. A title and one
    sentence alone are read as a name and its description.
    """
    start = 0 if not paras or ends_sentence(paras[0]) else 1  # past the name
    if start >= len(paras) or not ends_sentence(paras[start]):
        return len(paras)
    return next((i for i in range(start + 1, len(paras)) if not ends_sentence(paras[i])), len(paras))


@dataclass
class Entry:
    """One listing entry as found: its date line (if any) and its text lines in order."""

    date_text: str | None
    lines: list[str] = field(default_factory=list)


def starts_undated_entry(entry: Entry | None, para: str, cut_in_it: bool, next_para: str | None) -> bool:
    """True when `para`, met after the lines of `entry`, is the title of an entry with no
    date line: an entry is a title and at most one summary paragraph.

    After a title, the next paragraph is that entry's summary when it is a sentence (a
    short one such as "The board refuses." too, or prose that lost its final period). One
    that ends no sentence and reads as a title is the title of an entry with no date line,
    whatever follows it (its summary, the next entry's date line or bullet, or the end of
    the capture); so is one that ends a sentence but reads as a title when `next_para`, the
    paragraph after it in the same entry's run, reads as its summary. Only a line the
    capture was `cut_in_it` stays the summary: a capture cut off in a summary ends in a line
    that ends no sentence.
    """
    if entry is None or len(entry.lines) >= 2:
        return True
    if not entry.lines:
        return False
    if cut_in_it:
        return False
    if not ends_sentence(para):
        return not reads_as_prose(para)
    return reads_as_title(para) and next_para is not None and looks_like_summary(next_para) \
        and reads_as_prose(next_para)


def entry_record(layout: str, position: int, entry: Entry) -> dict:
    """The record of a listing entry: title is its first line, summary the rest."""
    title = fold(entry.lines[0]) if entry.lines else None
    summary = fold(" ".join(entry.lines[1:])) if len(entry.lines) > 1 else None
    return new_record(layout, position, date_text=entry.date_text, title=title, summary=summary)


def listing_extraction(layout: str, entries: list[Entry], text: str) -> Extraction:
    """Records of the entries in page order; untitled and cut-off entries go to `rejected`."""
    records = [entry_record(layout, pos, entry) for pos, entry in enumerate(entries, 1)]
    rejected = [untitled_entry(r) for r in records if not r["title"]]
    records = [r for r in records if r["title"]]
    partial = cut_last_line(text)
    if partial and records:
        last, cut = settle_cut_entry(records[-1], partial)
        records = records[:-1] + ([last] if last else [])
        rejected += cut
    return Extraction(layout, records=records, rejected=rejected, truncated=bool(partial),
                      message=truncation_message(partial) if partial else None)


def settle_cut_entry(record: dict, partial: str) -> tuple[dict | None, list[Rejected]]:
    """The last entry of a cut-off capture: its summary dropped when the cut falls in it,
    the whole entry rejected when the cut falls in its date line or its title."""
    cut = fold(without_bullet(partial))
    if record["summary"] and record["summary"].endswith(cut):
        return {**record, "summary": None}, []
    if record["title"] == cut and record["date_text"] is None and stops_before_its_year(cut):
        return None, [Rejected(record["position"], "truncated", "date_text", cut,
                               "the capture stops inside this entry's date line")]
    if record["title"].endswith(cut):
        return None, [Rejected(record["position"], "truncated", "title", record["title"],
                               "the capture stops inside this entry's title")]
    return record, []


def untitled_entry(record: dict) -> Rejected:
    return Rejected(record["position"], "missing", "title", record["date_text"] or "",
                    "a listing entry with a date line but no title line")


def document_extraction(layout: str, fields: dict, partial: str | None) -> Extraction:
    """A document page's one record, or a rejection when its title is missing or cut."""
    message = truncation_message(partial) if partial else None
    if not fields.get("title"):
        rule, value = ("truncated", partial) if partial else ("missing", "")
        rejected = Rejected(1, rule, "title", value, "no complete title line on the document page")
        return Extraction(layout, rejected=[rejected], truncated=bool(partial), message=message)
    record = new_record(layout, 1, **fields)
    return Extraction(layout, records=[record], truncated=bool(partial), message=message)
