"""Encyclopedia article: a wiki mirror's copy of a Wikipedia article.

Told apart by its first non-blank line, a licence notice saying the content comes from
Wikipedia or under a Creative Commons licence (or, on a mirror that prints no notice at
the top, by such a closing licence line under prose with reference marks). Prose
paragraphs with reference and note marks ("[1]", "[a]", "[citation needed]") and short
heading lines follow (an "[edit]" link after a heading is cut, and so are the marks of
wiki or Markdown markup, "== History ==", "## History", and section numbers, "2.1 Early
years"; the line of dashes or equals signs a text dump prints under one is dropped), then the
references, a line of language links ("ko:... ru:... zh-min-nan:...", or one list item
per link) and a closing licence line. Only the page's last line is read as that licence
line: prose and references that name a licence elsewhere stay what they are.
References are list items, with any indented lines they wrap onto: bulleted ("•", "*"),
numbered ("1.", "1)", "[1]"), lettered before a backlink ("a. ^") or led by the "^" or
"↑" of the marks citing them ("^ a b ...", "Jump up ^"). Items under "See also",
"Further reading" or "External links" are neither references nor text. Wiki template
leftovers ("Template:Use mdy dates") are removed from the prose and the references.
"""

from __future__ import annotations

import re

from etl.extract import Extraction
from etl.extract.blocks import (
    BULLET, cut_last_line, fold, indent_of, is_dash_rule, page_lines, page_paragraphs, too_long_to_read,
    truncation_message,
)

LAYOUT = "article"
SOURCE_WORDS = re.compile(r"wikipedia|creative commons|\bcc[- ]by", re.I)
LICENCE_WORDS = re.compile(r"licen[cs]|creative commons|\bcc[- ]by", re.I)
CLOSING_LICENCE = re.compile(r"\bcc[- ]by|creative commons", re.I)
LICENSE = re.compile(r"\b(?P<code>CC[- ]BY(?:[- ](?:SA|NC|ND))*)(?:[- ](?P<version>\d\.\d))?\b", re.I)
# A licence spelled out: "Creative Commons Attribution-Share-Alike License 3.0",
# "... Attribution-NonCommercial-ShareAlike licence, version 2.5".
SPELLED_LICENSE = re.compile(
    r"creative\s+commons\s+attribution(?P<terms>(?:[\s-]+(?:share[\s-]?alike|non[\s-]?commercial"
    r"|no[\s-]?deriv(?:ative)?s?))*)(?:[\s-]+licen[cs]e)?(?:,?\s+(?:version\s+|v)?(?P<version>\d\.\d))?", re.I)
LICENSE_TERM = re.compile(r"share|commercial|deriv", re.I)
LICENSE_TERMS = {"share": "SA", "commercial": "NC", "deriv": "ND"}
DEFAULT_LICENSE = "CC-BY-SA"  # the licence of Wikipedia's text
NOTICE_TITLE = re.compile(r"article\s+[\"\u201c'\u2018](?P<title>[^\"\u201d'\u2019]+)[\"\u201d'\u2019]", re.I)
# A notice in another language names the article in double quotes, guillemets or corner
# brackets, with no English word for "article" before it.
QUOTED_NAME = re.compile(r"[\"\u201c\u201e\u00ab\u300c\u300e](?P<title>[^\"\u201c\u201d\u00bb\u300d\u300f]+)"
                         r"[\"\u201d\u00bb\u300d\u300f]")
TEMPLATE = re.compile(r"\s*Template:[^\s\[\]]+(?:\s+[a-z][^\s\[\]]*)*")
# Wiki language codes: two or three letters ("simple" the one longer), then parts of any
# length ("zh-min-nan", "be-x-old").
# Identifiers that references print the same way ("doi:10.1000/182") are no language.
LANGUAGE_CODE = r"(?!(?:doi|pmc|url):)(?:[a-z]{2,3}|simple)(?:-[a-z]{1,10})*:\S"
LANGUAGE_SPLIT = re.compile(r"\s+(?=" + LANGUAGE_CODE + ")")
# A list item's mark: a bullet, a number ("1.", "1)", "[1]"), or the "^" (or "\u2191")
# Wikipedia prints before a reference for the way back to the marks citing it, with one
# letter or number per mark when several do ("^ a b", "\u2191 1 2"); older pages spell it
# out ("Jump up ^"). A note's letter ("a.") marks an item only before such a backlink.
LIST_MARK = r"[" + BULLET + r"*]\s*|(?:\d{1,3}[.)]|\[\d{1,3}\])\s+|[a-z][.)]\s+(?=[\^\u2191]|Jump up)"
BACKLINK = r"(?:[\^\u2191]\s*(?:Jump up(?: to)?:?\s*)?|Jump up\s*\^\s*)(?:a(?:\s+[b-z])+\s+|1(?:\s+\d{1,2})+\s+)?"
ITEM = re.compile(r"(?:(?:" + LIST_MARK + r")(?:" + BACKLINK + r")?|" + BACKLINK + r")(?P<text>\S.*)")
# Reference marks are numbers; note marks letters, numbered notes or short lower-case
# remarks ("[a]", "[note 1]", "[citation needed]", "[when?]").
NOTE_MARK = re.compile(r"\[(?:\d{1,4}|[a-z][a-z0-9 ,.'?\u2013-]{0,40})\]")
REFERENCE_MARK = re.compile(r"\[\d{1,4}\]")
EDIT_LINK = re.compile(r"\s*\[\s*edit(?:\s*\|\s*edit source)?\s*\]$", re.I)
WEB_ADDRESS = re.compile(r"https?://|www\.", re.I)
# A heading as wiki or Markdown markup prints it: "== History ==", "## History".
MARKUP_HEADING = re.compile(r"(?:=+\s*|#{1,6}\s+)(?P<text>[^=#\s].*?)\s*[=#]*")
# A heading with its section number: "2. History", "2.1 Early years" (a number without a
# dot, "10 days in May", is a word of the heading).
NUMBERED_HEADING = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.|\d{1,2}(?:\.\d{1,2})+)\s+(?P<text>\S.*)")
# The end of a sentence or clause, before any closing quotes or brackets.
CLAUSE_END = re.compile(r"[.!?,;:][\"'\u201d\u2019)\]]*$")
# The end of a sentence inside a paragraph, with its reference marks.
SENTENCE_BREAK = re.compile(r"[.!?][\"'\u201d\u2019)]*(?:\[[^\]\s][^\]]{0,40}\])*(?=\s)")
SUBJECT_END = re.compile(r",|\s\(|\s(?:is|was|are|were|has|had|refers to)\s")
REFERENCE_HEADING = re.compile(
    r"(?:notes|references|footnotes|sources|citations|bibliography|works cited)"
    r"(?:\s*(?:,|and|&)\s*(?:notes|references|footnotes|sources|citations|bibliography))*", re.I)
# Sections listing other pages or works the article does not cite: their items are
# neither references nor text.
LINK_LISTS = ("see also", "further reading", "external links")


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    paras = page_paragraphs(text)
    return bool(paras) and (is_notice(paras[0]) or closes_with_notice(paras))


def is_notice(para: str) -> bool:
    return bool(SOURCE_WORDS.search(para) and LICENCE_WORDS.search(para))


def closes_with_notice(paras: list[str]) -> bool:
    """True for a page whose only licence notice is its closing licence line, above which
    the prose carries reference marks: a mirror that prints no notice at the top."""
    return is_notice(paras[-1]) and is_closing_licence(paras[-1]) \
        and any(REFERENCE_MARK.search(p) for p in paras[:-1])


def extract(text: str) -> Extraction:
    paras = article_paragraphs(text)
    partial = cut_last_line(text)
    if partial:
        paras = [*paras[:-1], *(complete_sentences(paras[-1]) if len(paras) > 1 else [])]
    if not paras:
        return Extraction(LAYOUT, truncated=True, message=truncation_message(partial or ""))
    at_end = not is_notice(paras[0]) and closes_with_notice(paras)
    notice, rest = (paras[-1], paras[:-1]) if at_end else (paras[0], paras[1:])
    body, closing = (rest[:-1], rest[-1:]) if rest and is_closing_licence(rest[-1]) else (rest, [])
    title_line = own_title_line(body)
    parts = article_parts(with_numbered_headings([(kind_of(p), p) for p in body[bool(title_line):]]))
    article = {
        "title": notice_title(notice) or title_line or first_subject(parts["prose"]),
        "license": license_of([notice, *closing]),
        "license_notice": notice,
        "language_links": parts["links"],
        "sections": parts["headings"],
        "text": "\n\n".join(parts["prose"]) or None,
        "references": parts["references"],
    }
    return Extraction(LAYOUT, article=article, truncated=bool(partial),
                      message=truncation_message(partial) if partial else None)


def complete_sentences(cut: str) -> list[str]:
    """The sentences of a prose paragraph the capture cut off before its cut one (a cut
    list item or reference is kept nowhere)."""
    ends = list(SENTENCE_BREAK.finditer(cut)) if kind_of(cut) == "prose" else []
    return [cut[: ends[-1].end()]] if ends else []


def article_paragraphs(text: str) -> list[str]:
    """The page's paragraphs, with the lines a list item wraps onto joined to it: a line
    right under an item's line (no blank line between), indented deeper than the item's
    mark and no item itself."""
    paras: list[str] = []
    item_indent = None  # the indent of the item the previous line belongs to
    for line in page_lines(text):
        text_of_line = line.strip()
        if item_indent is not None and indent_of(line) > item_indent and not ITEM.fullmatch(text_of_line):
            paras[-1] = f"{paras[-1]} {text_of_line}"
            continue
        if text_of_line:
            paras.append(text_of_line)
        item_indent = indent_of(line) if text_of_line and ITEM.fullmatch(text_of_line) else None
    return paras


def without_templates(text: str) -> str:
    return fold(TEMPLATE.sub("", text))


def heading_text(para: str) -> str:
    """A heading line without template leftovers, the "[edit]" link after it and the
    marks of wiki or Markdown markup around it."""
    text = EDIT_LINK.sub("", without_templates(para))
    markup = MARKUP_HEADING.fullmatch(text)
    text = markup["text"] if markup else text
    numbered = NUMBERED_HEADING.fullmatch(text)
    return numbered["text"] if numbered else text


def is_closing_licence(para: str) -> bool:
    """The page's last line names a CC licence: the mirror's licence line, unless it is a
    reference or a sentence of the article (with reference marks)."""
    return bool(CLOSING_LICENCE.search(para)) and not ITEM.fullmatch(para) and not NOTE_MARK.search(para)


def kind_of(para: str) -> str:
    """What a line of the article is: rule (a line of dashes or equals signs that a
    plain-text dump prints under a heading), links, item, heading or prose."""
    if is_dash_rule(para):
        return "rule"
    if is_language_links(links_text(para)):
        return "links"
    if ITEM.fullmatch(para):
        return "item"
    return "heading" if is_heading(heading_text(para)) else "prose"


def with_numbered_headings(kinds: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The kinds with a numbered heading ("1. History") that reads as a list item made a
    heading: a numbered line alone between other lines, with prose after it. Items of a
    list have items beside them."""
    def is_numbered_heading(i: int) -> bool:
        kind, para = kinds[i]
        return kind == "item" and bool(NUMBERED_HEADING.fullmatch(para)) and is_heading(heading_text(para)) \
            and (i == 0 or kinds[i - 1][0] != "item") and i + 1 < len(kinds) and kinds[i + 1][0] == "prose"

    return [("heading", para) if is_numbered_heading(i) else (kind, para) for i, (kind, para) in enumerate(kinds)]


def links_text(para: str) -> str:
    """A line without its list mark: a page may print each language link as a list item."""
    item = ITEM.fullmatch(para)
    return item["text"] if item else para


def is_language_links(para: str) -> bool:
    return bool(re.match(LANGUAGE_CODE, para)) and all(
        re.match(LANGUAGE_CODE, part) for part in LANGUAGE_SPLIT.split(para))


def is_heading(para: str) -> bool:
    """A short line that ends no sentence or clause and holds no reference or note marks
    and no web address (a mirror's "Retrieved from "https://..."" footer)."""
    return 0 < len(para) <= 120 and len(para.split()) <= 12 and not CLAUSE_END.search(para) \
        and not NOTE_MARK.search(para) and not WEB_ADDRESS.search(para)


def article_parts(kinds: list[tuple[str, str]]) -> dict[str, list]:
    """Prose, headings, references and language links, in page order.

    The references are the list items under a references heading ("References", "Notes",
    "Sources", ...), whatever follows them (a footer line), and the items after the last
    prose paragraph and the last section heading (a page may have no such heading, or one
    in another language). Items under a "See also", "Further reading" or "External links"
    heading are left out. Other items are lists inside the prose and stay in the text.
    A heading right above the language links ("In other languages") is no section.
    """
    trailing = last_body_line(kinds) + 1
    parts: dict[str, list] = {"prose": [], "headings": [], "references": [], "links": []}
    heading = ""
    for i, (kind, para) in enumerate(kinds):
        if kind == "heading":
            heading = heading_text(para)
            if is_section_heading(kinds, i):
                parts["headings"].append(heading)
        elif kind == "item" and heading.lower() in LINK_LISTS:
            continue
        elif kind == "item" and (i >= trailing or REFERENCE_HEADING.fullmatch(heading)):
            parts["references"].append(without_templates(ITEM.fullmatch(para)["text"]))
        elif kind in ("prose", "item"):
            parts["prose"].append(without_templates(para))
        elif kind == "links":
            parts["links"] += LANGUAGE_SPLIT.split(links_text(para))
    return parts


def is_section_heading(kinds: list[tuple[str, str]], i: int) -> bool:
    """A heading that opens a section: not the one right above the language links."""
    return kinds[i][0] == "heading" and (i + 1 == len(kinds) or kinds[i + 1][0] != "links")


def last_body_line(kinds: list[tuple[str, str]]) -> int:
    """The index of the last prose paragraph or section heading (-1 for none): the items
    after it are the page's closing list."""
    return max((i for i, (kind, _) in enumerate(kinds) if kind == "prose" or is_section_heading(kinds, i)),
               default=-1)


def notice_title(notice: str) -> str | None:
    """The title when the notice names it: 'Wikipedia article "X"', or the one name it
    quotes ('위키백과의 "X" 문서') unless that is the licence's."""
    named = NOTICE_TITLE.search(notice)
    if named:
        return fold(named["title"])
    quoted = QUOTED_NAME.findall(notice)
    return fold(quoted[0]) if len(quoted) == 1 and not LICENCE_WORDS.search(quoted[0]) else None


def own_title_line(rest: list[str]) -> str | None:
    """The title when it stands on its own line under the notice, before the first prose."""
    if len(rest) > 1 and kind_of(rest[0]) == "heading" and kind_of(rest[1]) == "prose":
        return heading_text(rest[0])
    return None


def first_subject(prose: list[str]) -> str | None:
    """The subject of the first sentence: the words before its first comma or verb, when
    they are no longer than a heading (a language without those commas and verbs gives
    a whole sentence, which is no title)."""
    if not prose:
        return None
    end = SUBJECT_END.search(prose[0])
    subject = fold(prose[0][: end.start()] if end else prose[0].split(". ")[0])
    return subject if is_heading(subject) else None


def license_of(lines: list[str]) -> str:
    """The CC licence named in the notice or the closing line, e.g. "CC-BY-SA"."""
    return next(filter(None, map(license_in, lines)), DEFAULT_LICENSE)


def license_in(line: str) -> str | None:
    """The CC licence a line names by its code ("CC BY-SA 4.0") or in words."""
    found = LICENSE.search(line)
    spelled = None if found else SPELLED_LICENSE.search(line)
    if not (found or spelled):
        return None
    code = found["code"].upper().replace(" ", "-") if found else spelled_license_code(spelled["terms"])
    version = (found or spelled)["version"]
    return f"{code} {version}" if version else code


def spelled_license_code(terms: str) -> str:
    """"CC-BY-NC-SA" for the terms after "Attribution" ("-NonCommercial-ShareAlike")."""
    return "-".join(["CC-BY", *(LICENSE_TERMS[word.lower()] for word in LICENSE_TERM.findall(terms))])
