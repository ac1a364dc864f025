"""Older-site document page.

Told apart by its citation: a quoted title, at most its date and the program, then
"Digital Archive," and the reference ('"<title>," <date>, ... Digital Archive,
<reference>. Translated by X.'), in straight, curly or low-9 quotes or guillemets, on one
line or printed over several (joined into one, with a translator or obtained-by sentence
on a line of its own after it); or by its "Citation" and "share document" bullets. The
"Citation" bullet holds the summary and the citation, followed by "share document" and
"English HTML" before the body; in a capture saved without the bullets those labels, on
lines of their own, still mark the summary and the end of the citation. The head holds
the date line, an optional upper-cased repeat of the title and an optional funder line;
the older site's header among the chrome lines the page opens with, then a date line, on
a page with no result count, no dash rule and one dated entry at most, tells a page cut
off before its citation.
"""

from __future__ import annotations

import re
from itertools import dropwhile, takewhile

from etl.dates import is_date_text
from etl.extract import Extraction
from etl.extract.blocks import (
    bullet_text, cut_last_line, dated_entry_count, document_extraction, fold, folded_is, funder_text,
    is_chrome, is_dash_rule, is_entry_date, is_site_label, page_paragraphs, record_id_from_url,
    shows_result_count, too_long_to_read, without_bullet,
)

LAYOUT = "document_old"
# The quotes a citation sets around the title: straight, curly, low-9 and guillemets, in
# either role ("„Title,“", "«Title,»", "»Title,«").
QUOTES = "\"\u201c\u201d\u201e\u201f\u00ab\u00bb"
CITED_WORDS = 16  # most words of the date and program between a citation's title and "Digital Archive,"
CITATION_LINES = 6  # most lines a citation printed over several lines takes
RELATED = "related documents"  # the heading of the list that may follow the body
OLD_SITE_HEADER = ("search in", "digital archive international history declassified")
CITATION = re.compile(
    rf"[{QUOTES}](?P<title>.+)[{QUOTES}]\s*,?\s*(?:(?P<date>[^{QUOTES}]*?),\s*)?"
    rf"(?P<program>[^,{QUOTES}]*?)\s*Digital Archive,\s*(?P<rest>.*)")
# The start of a citation line that the capture cuts off: its quoted title, when complete.
CUT_CITATION = re.compile(rf"[{QUOTES}](?P<title>.+?)(?:,[{QUOTES}]|[{QUOTES}]\s*,)")
# A permanent URL, as printed: at the end of the citation, or on a line of its own after it.
PRINTED_URL = r"(?P<url>(?:https?://|www\.|digitalarchive\.)\S+?)[.,;]?"
TRAILING_URL = re.compile(r"\s*" + PRINTED_URL + "$", re.I)
URL_LINE = re.compile(PRINTED_URL, re.I)  # matched whole
# The sentences that close a citation after its archival reference.
CLOSING_SENTENCE = re.compile(r"(?:Translated|Translation|English translation|Obtained|Contributed|Donated)\b")
# The comma a citation sets after the title, inside the closing quotes of a quoted
# sub-title ("Report, Embassy, 'On the Orphans,'").
CITATION_COMMA = re.compile(r"\s*,\s*(?=['\u2018\u2019\u201a\u201b\u2039\u203a]*$)")


def matches(text: str) -> bool:
    if too_long_to_read(text):
        return False
    paras = page_paragraphs(text)
    bullets = {fold(b).lower() for b in map(bullet_text, paras) if b is not None}
    return any(is_citation(p) for p in with_quote_joined(paras)) or {"citation", "share document"} <= bullets \
        or has_page_head(paras)


def extract(text: str, title_hint: str | None = None) -> Extraction:
    paras = with_citation_joined(page_paragraphs(text))
    partial = cut_last_line(text)
    # The cut line is kept nowhere, nor the lines of a citation it ends.
    cut_para = paras.pop() if partial and paras else None
    quote_at = next((i for i, p in enumerate(paras) if is_citation(p)), None)
    cite_at = bullet_at(paras, "citation")
    share_at = bullet_at(paras, "share document")
    head_end = min(i for i in (quote_at, cite_at, share_at, len(paras)) if i is not None)
    citation = CITATION.match(paras[quote_at]) if quote_at is not None else None
    url_line = url_line_after(paras, quote_at, citation)
    url_at = quote_at + 1 if url_line else None
    summary_end = quote_at if quote_at is not None else share_at
    # A capture cut in its citation still holds the summary and the quoted title.
    cut = CUT_CITATION.match(cut_para) if cut_para and citation is None and share_at is None else None
    if cut:
        summary_end = len(paras)
    fields = {
        **citation_fields(None if ends_capture(paras, quote_at, cut_para) else citation,
                          url_line["url"] if url_line else None),
        **head_fields(paras[:head_end], citation or cut, title_hint),
        "summary": summary_text(paras, cite_at, summary_end),
        "text": body_text(paras, max((i for i in (quote_at, url_at, share_at) if i is not None), default=None)),
    }
    return document_extraction(LAYOUT, fields, partial)


def ends_capture(paras: list[str], quote_at: int | None, cut_para: str | None) -> bool:
    """True when the citation at `quote_at` is the last line of the capture: the page prints
    "share document" after it, so it may stop at a line break inside the citation (its
    reference and address are then not known to be whole)."""
    return quote_at is not None and quote_at == len(paras) - 1 and cut_para is None


def has_page_head(paras: list[str]) -> bool:
    """True for the older site's header followed by an unbulleted date line, on a page that
    is no listing (no result count, one dated entry at most): a document page cut off
    before its citation, which has no body yet to print a count."""
    if not opens_with_old_header(paras):
        return False
    first = next((p for p in paras if not is_chrome(p)), None)  # the first content line
    return first is not None and is_entry_date(first) and bullet_text(first) is None \
        and dated_entry_count(paras) < 2 and not any(is_dash_rule(p) for p in paras) \
        and not shows_result_count(paras)


def opens_with_old_header(paras: list[str]) -> bool:
    """True when the site chrome the page opens with holds the older site's header; a saved
    page may keep a newer skip link above it."""
    return any(fold(p).lower() in OLD_SITE_HEADER for p in takewhile(is_chrome, paras))


def is_citation(para: str) -> bool:
    """True for a quoted title, then at most its date and the program before "Digital
    Archive,": a description that opens with a quoted phrase and names the archive later
    holds sentences there."""
    if para[:1] not in QUOTES or "Digital Archive," not in para:
        return False
    match = CITATION.match(para)
    return bool(match) and len(f"{match['date'] or ''} {match['program']}".split()) <= CITED_WORDS


def with_citation_joined(paras: list[str]) -> list[str]:
    """`paras` with a citation printed over several lines joined into one line, the
    sentences that close it (translator, obtained by) included when they start lines of
    their own."""
    paras = with_quote_joined(paras)
    at = next((i for i, p in enumerate(paras) if is_citation(p)), None)
    end = at
    while end is not None and end + 1 < len(paras) and CLOSING_SENTENCE.match(paras[end + 1]):
        end += 1
    if end == at:
        return paras
    return [*paras[:at], fold(" ".join(paras[at:end + 1])), *paras[end + 1:]]


def with_quote_joined(paras: list[str]) -> list[str]:
    """`paras` with a citation printed over several lines (line breaks or a `br` inside it)
    joined into one line, when no line holds a whole citation."""
    if any(is_citation(p) for p in paras):
        return paras
    for start, para in enumerate(paras):
        if para.strip()[:1] not in QUOTES:
            continue
        end, joined = start, para.strip()
        # The citation is the last thing in its bullet: every line up to the "share document"
        # bullet (or to the permanent URL on a line of its own) when that comes within a few
        # lines. Without it, lines are taken while the citation is not complete: it has not
        # reached "Digital Archive," or what follows stops at a comma.
        last = citation_end(paras, start)
        while end + 1 < min(start + CITATION_LINES, len(paras)) and bullet_text(paras[end + 1]) is None \
                and (end < last or not is_citation(joined) or not CITATION.match(joined)["rest"]
                     or joined[-1] in ",;:"):
            end += 1
            joined = fold(f"{joined} {paras[end].strip()}")
        if end > start and (is_citation(joined) or end == last == len(paras) - 1):
            return [*paras[:start], joined, *paras[end + 1:]]
    return paras


def citation_end(paras: list[str], start: int) -> int:
    """Index of the last line of a citation that starts at `start` and ends right before the
    "share document" bullet (or line) or a URL line within CITATION_LINES; the last line of
    a capture that stops before them (the citation is the last thing in its bullet, so the
    capture stops inside it); `start` when a bullet, a site label or more lines come first."""
    for at in range(start + 1, min(start + CITATION_LINES, len(paras))):
        if URL_LINE.fullmatch(paras[at]) or folded_is(without_bullet(paras[at]), "share document"):
            return at - 1
        if bullet_text(paras[at]) is not None or is_site_label(paras[at]):
            return start
    return len(paras) - 1 if len(paras) <= start + CITATION_LINES else start


def bullet_at(paras: list[str], name: str) -> int | None:
    """Index of the site's bullet `name` ("citation", "share document"), bulleted or, in a
    capture saved without the bullets, on a line of its own."""
    return next((i for i, p in enumerate(paras) if folded_is(without_bullet(p), name)), None)


def url_line_after(paras: list[str], quote_at: int | None, citation: re.Match | None) -> re.Match | None:
    """The permanent URL printed on its own line right after a citation that ends in none
    (the line is paras[quote_at + 1]); a URL anywhere else (in the body, after "share
    document") is no address of this page."""
    if citation is None or quote_at + 1 >= len(paras) or TRAILING_URL.search(citation["rest"].strip()):
        return None
    return URL_LINE.fullmatch(paras[quote_at + 1])


def citation_fields(match: re.Match | None, line_url: str | None = None) -> dict:
    """Source, permanent URL and record id of the quoted citation, whose URL may be
    printed on the line after it (`line_url`)."""
    if match is None:
        return {}
    rest = match["rest"].strip()
    url_match = TRAILING_URL.search(rest)
    url = url_match["url"] if url_match else None
    source = rest[: url_match.start()].strip() if url_match else rest
    if url is None and line_url:
        url = line_url
    if url and not url.lower().startswith("http"):
        url = "https://" + url
    return {
        "source": source or None,
        "url": url,
        "record_id": record_id_from_url(url),
    }


def head_fields(head: list[str], citation: re.Match | None, title_hint: str | None) -> dict:
    """Date (the date line, else the citation's), title and funders from the page head.

    The title is the citation's; without one, a title line that is not upper-cased, the
    HTML heading, or last the upper-cased line.
    """
    date_at = next((i for i, p in enumerate(head) if is_entry_date(p)), None)
    cited = fold(citation.groupdict().get("date") or "") if citation else ""
    date_text = head[date_at] if date_at is not None else (cited if is_date_text(cited) else None)
    after_date = head[date_at + 1:] if date_at is not None else head
    lines = [p for p in after_date if not is_chrome(p) and not funder_text(p)]
    plain = [p for p in lines if not is_upper_cased(p)]
    cited_title = cited_title_text(citation["title"]) if citation else None
    title = cited_title or next(iter(plain), None) or title_hint or next(iter(lines), None)
    funders = next((funder_text(p) for p in head if funder_text(p)), None)
    return {"date_text": date_text, "title": fold(title) if title else None, "funders_text": funders}


def cited_title_text(title: str) -> str:
    """The title a citation quotes, without the comma that follows it in the citation."""
    return CITATION_COMMA.sub("", fold(title)).strip()


def is_upper_cased(para: str) -> bool:
    letters = [c for c in para if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def summary_text(paras: list[str], cite_at: int | None, end: int | None) -> str | None:
    """The paragraph(s) inside the Citation bullet, before the quoted citation."""
    if cite_at is None or end is None or end <= cite_at:
        return None
    inside = [p for p in paras[cite_at + 1:end] if not is_chrome(p)]
    return fold(" ".join(inside)) or None


def body_text(paras: list[str], citation_end: int | None) -> str | None:
    """The body: what follows "English HTML", else the citation block (up to "share document"),
    without the site's labels that may open it (a second "English HTML") and up to a list
    of related documents."""
    marks = [i for i, p in enumerate(paras) if folded_is(p, "english html")]
    start = marks[0] + 1 if marks else citation_end + 1 if citation_end is not None else None
    if start is None:
        return None
    body = list(takewhile(lambda p: not folded_is(p, RELATED), dropwhile(is_site_label, paras[start:])))
    return "\n\n".join(body) or None
