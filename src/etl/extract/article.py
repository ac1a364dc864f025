"""Encyclopedia article: a wiki mirror's copy of a Wikipedia article.

Told apart by its first non-blank line, a licence notice saying the content comes from
Wikipedia or under a Creative Commons licence. Prose paragraphs with [n] reference
marks and short heading lines follow, then bulleted or numbered references, a line of
language links ("ko:... ru:...") and a closing licence line. Wiki template leftovers
("Template:Use mdy dates") are removed from the prose and the references.
"""

from __future__ import annotations

import re

from etl.extract import Extraction
from etl.extract.blocks import (
    bullet_text, cut_last_line, fold, page_lines, page_paragraphs, too_long_to_read,
    truncation_message,
)

LAYOUT = "article"
SOURCE_WORDS = re.compile(r"wikipedia|creative commons|\bcc[- ]by", re.I)
LICENCE_WORDS = re.compile(r"licen[cs]|creative commons|\bcc[- ]by", re.I)
CLOSING_LICENCE = re.compile(r"\bcc[- ]by|creative commons", re.I)
LICENSE = re.compile(r"\b(?P<code>CC[- ]BY(?:[- ](?:SA|NC|ND))*)(?:[- ](?P<version>\d\.\d))?\b", re.I)
DEFAULT_LICENSE = "CC-BY-SA"  # the licence of Wikipedia's text
NOTICE_TITLE = re.compile(r"article\s+[\"\u201c'\u2018](?P<title>[^\"\u201d'\u2019]+)[\"\u201d'\u2019]", re.I)
TEMPLATE = re.compile(r"\s*Template:[^\s\[\]]+(?:\s+[a-z][^\s\[\]]*)*")
LANGUAGE_CODE = r"[a-z]{2,3}(?:-[a-z]{2,8})*:\S"
LANGUAGE_SPLIT = re.compile(r"\s+(?=" + LANGUAGE_CODE + ")")
NUMBERED = re.compile(r"\d{1,3}[.)]\s+(?P<text>.+)")
REFERENCE_MARK = re.compile(r"\[\d+\]")
SUBJECT_END = re.compile(r",|\s\(|\s(?:is|was|are|were|has|had|refers to)\s")
NOT_REFERENCES = ("see also", "external links")


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    first = next((line for line in page_lines(text) if line), "")
    return bool(SOURCE_WORDS.search(first) and LICENCE_WORDS.search(first))


def extract(text: str) -> Extraction:
    paras = page_paragraphs(text)
    partial = cut_last_line(text)
    if partial:
        paras = paras[:-1]  # the cut line is kept nowhere
    if not paras:
        return Extraction(LAYOUT, truncated=True, message=truncation_message(partial or ""))
    notice, rest = paras[0], paras[1:]
    title_line = own_title_line(rest)
    parts = article_parts([(kind_of(p), p) for p in rest[bool(title_line):]])
    article = {
        "title": notice_title(notice) or title_line or first_subject(parts["prose"]),
        "license": license_of([notice, *parts["licence"]]),
        "license_notice": notice,
        "language_links": parts["links"],
        "sections": parts["headings"],
        "text": "\n\n".join(parts["prose"]) or None,
        "references": parts["references"],
    }
    return Extraction(LAYOUT, article=article, truncated=bool(partial),
                      message=truncation_message(partial) if partial else None)


def without_templates(text: str) -> str:
    return fold(TEMPLATE.sub("", text))


def kind_of(para: str) -> str:
    """What a line of the article is: links, licence, item, heading or prose."""
    if is_language_links(para):
        return "links"
    if CLOSING_LICENCE.search(para) and not REFERENCE_MARK.search(para):
        return "licence"
    if bullet_text(para) is not None or NUMBERED.fullmatch(para):
        return "item"
    return "heading" if is_heading(without_templates(para)) else "prose"


def is_language_links(para: str) -> bool:
    return bool(re.match(LANGUAGE_CODE, para)) and all(
        re.match(LANGUAGE_CODE, part) for part in LANGUAGE_SPLIT.split(para))


def is_heading(para: str) -> bool:
    """A short line with no closing punctuation and no reference marks."""
    return 0 < len(para) <= 120 and len(para.split()) <= 12 and para[-1] not in ".!?,;:" \
        and not REFERENCE_MARK.search(para)


def article_parts(kinds: list[tuple[str, str]]) -> dict[str, list]:
    """Prose, headings, references, language links and licence lines, in page order.

    List items after the last prose paragraph are the references (unless under a "See
    also" or "External links" heading); items inside the prose stay in the text.
    """
    last_prose = max((i for i, (kind, _) in enumerate(kinds) if kind == "prose"), default=-1)
    parts: dict[str, list] = {"prose": [], "headings": [], "references": [], "links": [], "licence": []}
    heading = ""
    for i, (kind, para) in enumerate(kinds):
        if kind == "heading":
            heading = without_templates(para)
            parts["headings"].append(heading)
        elif kind == "item" and i > last_prose:
            if heading.lower() not in NOT_REFERENCES:
                parts["references"].append(without_templates(item_text(para)))
        elif kind in ("prose", "item"):
            parts["prose"].append(without_templates(para))
        elif kind == "links":
            parts["links"] += LANGUAGE_SPLIT.split(para)
        else:
            parts["licence"].append(para)
    return parts


def item_text(para: str) -> str:
    text = bullet_text(para)
    return text if text is not None else NUMBERED.fullmatch(para)["text"]


def notice_title(notice: str) -> str | None:
    """The title when the notice names it: 'Wikipedia article "X"'."""
    named = NOTICE_TITLE.search(notice)
    return fold(named["title"]) if named else None


def own_title_line(rest: list[str]) -> str | None:
    """The title when it stands on its own line under the notice, before the first prose."""
    if len(rest) > 1 and kind_of(rest[0]) == "heading" and kind_of(rest[1]) == "prose":
        return without_templates(rest[0])
    return None


def first_subject(prose: list[str]) -> str | None:
    """The subject of the first sentence: the words before its first comma or verb."""
    if not prose:
        return None
    end = SUBJECT_END.search(prose[0])
    subject = prose[0][: end.start()] if end else prose[0].split(". ")[0]
    return fold(subject) or None


def license_of(lines: list[str]) -> str:
    """The CC licence named in the notice or the closing line, e.g. "CC-BY-SA"."""
    for line in lines:
        found = LICENSE.search(line)
        if found:
            code = found["code"].upper().replace(" ", "-")
            return f"{code} {found['version']}" if found["version"] else code
    return DEFAULT_LICENSE
