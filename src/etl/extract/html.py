"""HTML captures turned into the text lines the layout extractors read.

Told apart by `<!DOCTYPE html>` or `<html` (the caller knows). Block elements become
separate lines with a blank line between blocks, `li` items become "  • " bullet
lines, `br` and the newer site's inline list values (class "pill", or links in a value
element with nothing but separators between them) break a line (a `br` inside a
heading, which is one title, is a space), and script, style, nav, head, footer and aside
are dropped, with the elements a page marks as its footer or sidebar (role "contentinfo",
"complementary" or "navigation"; id or class "footer" or "sidebar"); entities are
decoded. A line "Date: <date>" is the date alone. What a web archive puts in a page it
serves is dropped too: the Wayback Machine's toolbar (between its BEGIN and END WAYBACK
TOOLBAR INSERT comments, or in elements of id "wm-ipp..."), an Archive-It banner. A dropped
element left open ends with the body. The page's links, its canonical address and its
heading (and its og:title, less a site name it ends in) come back beside the text, so
that records can get their `url`, `record_id` and a title no line prints, and so do the
places where a `dl` ends: its last value ends there, whatever text follows the list;
where a `dt`, a table's header cell, an element of a label class (Drupal's
"field-label"), the first of a table row's two cells or a heading starts, which opens a
label (known or not) and so ends the value before it (an inline element of a label class
that opens its line, a `span`, is a line of its own; a bold run that opens a line and
ends in a colon or has one right after it, "<strong>Keywords:</strong> Exiles", opens a
label too); and where the site's header ends (an article's notice may follow it).

The heading is the first `h1` with text, passing over one that holds the site's logo
when another `h1` follows: an `h1` inside the site's header (a `header` outside any
article, aside, main or section, or an element of role "banner"), or one whose text is
the site's name. An `h1` of only an image has no text. The logo's words stay in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from etl.extract.blocks import BULLET, fold, is_entry_date

BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Inline elements that the site shows one per line: the newer site's list values ("pills").
LINE_CLASSES = frozenset({"pill"})
# Classes of the element holding a field's label, as Drupal and its Views print Document Information.
LABEL_CLASSES = frozenset({"label", "field-label", "field__label", "views-label"})
# Classes of the element holding a field's value there; a `dd`, and a `td` after a `th`, hold one too.
VALUE_CLASSES = frozenset({"field-item", "field__item", "field-content"})
DROPPED = frozenset({"script", "style", "nav", "head", "noscript", "template", "svg", "footer", "aside"})
# Other elements dropped with all they hold: what a page marks as its footer, sidebar or menu.
DROPPED_ROLES = frozenset({"contentinfo", "complementary", "navigation"})
DROPPED_NAMES = frozenset({"footer", "site-footer", "sidebar", "archive-it-banner", "wm-ipp"})  # ids, class names
DROPPED_ID_PREFIXES = ("wm-ipp",)  # the Wayback Machine's toolbar: wm-ipp-base, wm-ipp-print, ...
TOOLBAR_START, TOOLBAR_END = "BEGIN WAYBACK TOOLBAR INSERT", "END WAYBACK TOOLBAR INSERT"
# Between two links of one `dd`, text that only separates them ("Youth, Festivals").
LINK_SEPARATOR = re.compile(r"[\s,;|\u00b7\u2022/]*")
DATE_LABEL = re.compile(r"(?:Date|Dated)\s*:\s*(?P<date>.+)", re.I)
SPACES = re.compile(r"[ \t\r\n\f]+")
# A header inside one of these heads that part of the page, not the site.
SECTIONING = frozenset({"article", "aside", "main", "section"})
LEAD_LABEL_TAGS = frozenset({"strong", "b"})  # a line's bold start ending in ":" is its label
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                  "track", "wbr"})
# The site's names as a logo heading prints them, compared by their words in lower case.
SITE_NAMES = frozenset({
    "wilson center", "the wilson center", "wilson centre", "woodrow wilson international center for scholars",
    "digital archive", "the digital archive", "wilson center digital archive",
    "digital archive international history declassified",
    "wilson center digital archive international history declassified",
    "history and public policy program digital archive",
})
WORDS = re.compile(r"[^\W\d_]+")
CLOSED = re.compile(r"</(?:html|body)\s*>", re.I)
TAG_NAME = re.compile(r"[A-Za-z][\w-]*")


def spaces_folded(data: str) -> str:
    """SPACES.sub(" ", data); most text runs between tags are one newline, or have nothing to fold."""
    if data == "\n":
        return " "
    if "\n" in data or "  " in data or "\t" in data or "\r" in data or "\f" in data:
        return SPACES.sub(" ", data)
    return data


@dataclass
class HtmlPage:
    text: str  # text lines; no final newline when the page stops inside a text run
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text folded)
    canonical: str | None = None  # rel=canonical link, else og:url, else a saving tool's note of the page's URL
    base: str | None = None  # the base href that relative links are read against
    heading: str | None = None  # text of the document's h1 (see the module's docstring)
    og_title: str | None = None  # the og:title the head names, folded
    complete: bool = True  # False when the closing </body> / </html> tags are missing
    list_ends: tuple[int, ...] = ()  # paragraph index (non-blank line) after each closed dl
    label_starts: tuple[int, ...] = ()  # paragraph index of each label element and heading, known or not
    banner_end: int | None = None  # paragraph index after the site's header, when the page has one


def parse_html_page(html: str) -> HtmlPage:
    """The page as text lines, with its links, canonical address and first heading."""
    body, end = without_cut_tag(html)
    reader = PageReader()
    reader.feed(body)
    reader.close()
    text = "\n".join(reader.finished_lines()).strip("\n")
    return HtmlPage(
        text=text + ("\n" if reader.dropped else end),  # a cut inside a script cuts no text
        links=reader.links,
        canonical=reader.canonical or reader.og_url or reader.saved_url,
        base=reader.base,
        heading=reader.heading or reader.logo_heading,
        og_title=reader.og_title,
        complete=bool(CLOSED.search(html)),
        list_ends=tuple(reader.list_ends),
        label_starts=tuple(reader.label_starts),
        banner_end=reader.banner_end,
    )


def text_below_banner(page: HtmlPage) -> str | None:
    """The page's text from its first line below the site's header, or None without one."""
    if not page.banner_end:
        return None
    lines = page.text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip()]
    return "\n".join(lines[starts[page.banner_end]:]) if page.banner_end < len(starts) else None


def is_site_name(text: str) -> bool:
    return " ".join(WORDS.findall(text.lower())) in SITE_NAMES


def without_site_name(title: str) -> str:
    """`title` without the site's name that a page title may end in ("... | Wilson Center
    Digital Archive")."""
    head, separator, tail = title.rpartition(" | ")
    if not separator:
        head, separator, tail = title.rpartition(" - ")
    return head.strip() if separator and is_site_name(tail) else title


def class_names(attributes: dict[str, str]) -> set[str]:
    """The element's class names, in lower case."""
    return set(attributes.get("class", "").lower().split())


def is_page_furniture(attributes: dict[str, str]) -> bool:
    """True for an element the page marks as its footer, sidebar or menu."""
    if attributes.get("role", "").lower() in DROPPED_ROLES:
        return True
    element_id = attributes.get("id", "").lower()
    if element_id.startswith(DROPPED_ID_PREFIXES):
        return True
    return not DROPPED_NAMES.isdisjoint({element_id, *class_names(attributes)})


def has_label_class(attributes: dict[str, str]) -> bool:
    return not LABEL_CLASSES.isdisjoint(class_names(attributes))


def opens_label(tag: str, attributes: dict[str, str]) -> bool:
    """True for a block element that holds a label: a `dt`, a table's header cell, or an
    element of a label class."""
    return tag in ("dt", "th") or has_label_class(attributes)


def without_cut_tag(html: str) -> tuple[str, str]:
    """The page without a tag cut in half at its end, and what its text ends with: "\n" when
    it stops between elements, "" inside a word, " " after a space between words. A page
    cut in or right after the start tag of an inline element that follows text (a link in
    a value) stops inside that text, which goes on past the cut."""
    stripped = html.rstrip()
    tag_at = stripped.rfind("<")
    in_tag = tag_at > stripped.rfind(">")  # the last tag is cut in half
    complete_tags = stripped[:tag_at] if in_tag else stripped
    if CLOSED.search(html):
        return complete_tags, "\n"
    if in_tag or stripped.endswith(">"):
        if not opens_inline_after_text(stripped, tag_at):
            return complete_tags, "\n"
        html = html[:tag_at]
    return html.rstrip(), " " if html[-1:].isspace() else ""


def opens_inline_after_text(html: str, tag_at: int) -> bool:
    """True when the tag at `tag_at` (whole or cut) starts an element that is no block (or
    is too cut to tell) and comes right after text."""
    if html.startswith(("</", "<!"), tag_at):
        return False
    name = TAG_NAME.match(html, tag_at + 1)
    if name and name[0].lower() in BLOCKS | VOID | DROPPED:
        return False
    return bool(html[html.rfind(">", 0, tag_at) + 1:tag_at].strip())


class PageReader(HTMLParser):
    """Collects text lines, links and page addresses while the parser walks the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line_count = 0  # non-blank lines in `lines`
        self.list_ends: list[int] = []
        self.label_starts: list[int] = []
        self.pieces: list[str] = []
        self.dropped: list[str] = []  # open dropped elements
        self.skipped: tuple[str, int] | None = None  # a dropped footer or sidebar: its tag, open count
        self.in_value = False  # inside a value element (see `opens_value`) and no other block since it opened
        self.row_labelled = False  # the open table row has a header cell
        self.row_cells: list[int] = []  # line_count where each cell of the open table row opened
        self.lead: list[str] | None = None  # text of an open bold run that started its line
        self.lead_end: int | None = None  # len(pieces) where a closed bold run that started its line ended
        self.link_end: int | None = None  # len(pieces) where the last link of this dd closed
        self.bullet = False
        self.in_heading = False  # inside an h1-h6 and no other block since it opened
        self.inline_label: tuple[str, int] | None = None  # an open inline label element: its tag, open count
        self.pre = 0
        self.anchor: tuple[str, list[str]] | None = None
        self.h1: list[str] | None = None
        self.links: list[tuple[str, str]] = []
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.og_title: str | None = None
        self.saved_url: str | None = None  # <meta name="savepage-url">, as SingleFile and others write it
        self.base: str | None = None
        self.in_toolbar = False  # between a web archive's toolbar comments
        self.heading: str | None = None  # the first h1 with text that is no logo
        self.logo_heading: str | None = None  # the first h1 with text that may be the site's logo
        self.h1_in_banner = False
        self.sections = 0  # open article, aside, main and section elements
        self.banner: str | None = None  # the open element that is the site's header, if any
        self.banner_depth = 0  # open elements of its tag, itself included
        self.banner_end: int | None = None  # line_count when the first site header closed

    def updatepos(self, i: int, j: int) -> int:
        """The parser's line and column count, which nothing here reads, is not kept: it
        counted the newlines of every piece of the page (about a tenth of the HTML parse)."""
        return j

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.note_address(tag, attributes)
        if tag == "body":
            self.dropped.clear()  # a head left open ends where the body starts
        if self.skipped is not None:
            if tag == self.skipped[0] and tag not in VOID:
                self.skipped = (tag, self.skipped[1] + 1)
            return
        if self.in_toolbar:
            return
        if tag in DROPPED:
            self.dropped.append(tag)
        if self.dropped:
            return
        if tag not in VOID and tag != "body" and is_page_furniture(attributes):
            self.skipped = (tag, 1)
            return
        self.open_element(tag, attributes)

    def open_element(self, tag: str, attributes: dict[str, str]) -> None:
        self.note_banner(tag, attributes)
        if tag == "br" and self.in_heading:
            self.handle_data(" ")
        elif tag == "br" or not LINE_CLASSES.isdisjoint(attributes.get("class", "").split()):
            self.end_line()
        elif tag in BLOCKS:
            self.end_block()
            self.bullet = self.bullet or tag == "li"
            self.in_heading = tag in HEADINGS
            self.row_labelled = tag == "th" or (self.row_labelled and tag != "tr")
            self.row_cells = [] if tag == "tr" else self.row_cells + [self.line_count] * (tag in ("td", "th"))
            self.in_value, self.link_end = self.opens_value(tag, attributes), None
            if opens_label(tag, attributes) or self.in_heading:
                self.label_starts.append(self.line_count)
        elif self.inline_label is None and has_label_class(attributes) and tag not in VOID \
                and not "".join(self.pieces).strip():  # a label opens its line; a badge in a sentence is none
            self.label_starts.append(self.line_count)
            self.inline_label = (tag, 1)
        elif self.inline_label is not None and tag == self.inline_label[0]:
            self.inline_label = (tag, self.inline_label[1] + 1)
        if tag == "pre":
            self.pre += 1
        elif tag in LEAD_LABEL_TAGS and self.lead is None and not "".join(self.pieces).strip():
            self.lead = []
        elif tag == "a":
            if self.in_value and self.link_end is not None \
                    and LINK_SEPARATOR.fullmatch("".join(self.pieces[self.link_end:])):
                del self.pieces[self.link_end:]
                self.end_line()  # the next of a value's links: a value of its own
            self.anchor = (attributes.get("href", ""), [])
        elif tag == "h1" and self.heading is None:
            self.h1, self.h1_in_banner = [], self.banner is not None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("body", "html"):
            self.skipped, self.in_toolbar = None, False  # what was left open ends with the body
        if self.skipped is not None:
            if tag == self.skipped[0]:
                count = self.skipped[1] - 1
                self.skipped = (tag, count) if count else None
            return
        if self.in_toolbar:
            return
        if tag in self.dropped:
            del self.dropped[self.dropped.index(tag):]
            return
        if self.dropped:
            return
        if tag == "a" and self.anchor:
            href, words = self.anchor
            self.links.append((href, fold("".join(words))))
            self.anchor = None
            if self.in_value:
                self.link_end = len(self.pieces)
        elif tag == "h1" and self.h1 is not None:
            self.end_h1()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif self.inline_label is not None and tag == self.inline_label[0]:
            self.end_inline_label()
        elif tag in LEAD_LABEL_TAGS and self.lead is not None:
            if fold("".join(self.lead)).endswith(":"):
                self.label_starts.append(self.line_count)
            else:
                self.lead_end = len(self.pieces)  # a colon may follow it
            self.lead = None
        if tag in BLOCKS:
            self.end_block()
            self.in_heading = False
        if tag == "dl":
            self.list_ends.append(self.line_count)
        if tag == "tr" and len(self.row_cells) == 2 and not self.row_labelled:
            self.label_starts.append(self.row_cells[0])  # a row of two plain cells: a label and its value
        if tag == self.banner:
            self.banner_depth -= 1
            if not self.banner_depth:
                self.banner = None
                self.banner_end = self.line_count if self.banner_end is None else self.banner_end
        if tag in SECTIONING:
            self.sections = max(0, self.sections - 1)

    def opens_value(self, tag: str, attributes: dict[str, str]) -> bool:
        """True for a block element that holds a label's value: a `dd`, a `td` in a row
        with a header cell, an element of a value class."""
        return tag == "dd" or (tag == "td" and self.row_labelled) \
            or not VALUE_CLASSES.isdisjoint(class_names(attributes))

    def note_banner(self, tag: str, attributes: dict[str, str]) -> None:
        """Follow the sectioning elements and the site's header as they open."""
        if tag in SECTIONING:
            self.sections += 1
        if self.banner is None:
            if (tag == "header" and not self.sections) \
                    or ("role" in attributes and attributes["role"].lower() == "banner" and tag not in VOID):
                self.banner, self.banner_depth = tag, 1
        elif tag == self.banner:
            self.banner_depth += 1

    def end_inline_label(self) -> None:
        """Close one element of the open inline label's tag; the label's line ends with the last."""
        tag, count = self.inline_label
        self.inline_label = (tag, count - 1) if count > 1 else None
        if self.inline_label is None:
            self.end_line()

    def end_h1(self) -> None:
        """Keep a closed h1's text as the heading, or, when it may be the site's logo, as
        the heading only if no other h1 follows."""
        text, self.h1 = fold("".join(self.h1)) or None, None
        if text is None:
            return
        if self.h1_in_banner or is_site_name(text):
            self.logo_heading = self.logo_heading or text
        else:
            self.heading = text

    def handle_comment(self, data: str) -> None:
        """A web archive's toolbar lies between two comments that name it."""
        if TOOLBAR_START in data:
            self.in_toolbar = True
        elif TOOLBAR_END in data:
            self.in_toolbar = False

    def handle_data(self, data: str) -> None:
        if self.dropped or self.skipped is not None or self.in_toolbar:
            return
        if self.pre:
            for i, part in enumerate(data.split("\n")):
                if i:
                    self.end_line()
                self.pieces.append(part)
        else:
            self.pieces.append(spaces_folded(data))
        if self.anchor:
            self.anchor[1].append(data)
        if self.h1 is not None:
            self.h1.append(data)
        if self.lead is not None:
            self.lead.append(data)

    def note_address(self, tag: str, attributes: dict[str, str]) -> None:
        """Keep the canonical link, og:url and og:title, which sit in the (dropped) head."""
        if tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.canonical = self.canonical or attributes.get("href") or None
        elif tag == "meta" and attributes.get("property", "").lower() == "og:url":
            self.og_url = self.og_url or attributes.get("content") or None
        elif tag == "meta" and attributes.get("property", "").lower() == "og:title":
            self.og_title = self.og_title or without_site_name(fold(attributes.get("content", ""))) or None
        elif tag == "meta" and attributes.get("name", "").lower() == "savepage-url":
            self.saved_url = self.saved_url or attributes.get("content") or None
        elif tag == "base":
            self.base = self.base or attributes.get("href") or None

    def end_line(self) -> None:
        text = "".join(self.pieces).strip(" ") if not self.pre else "".join(self.pieces).rstrip()
        if self.lead_end is not None and "".join(self.pieces[self.lead_end:]).lstrip().startswith(":"):
            self.label_starts.append(self.line_count)
        self.pieces, self.lead, self.lead_end = [], None, None  # a bold run that goes on past its line is no label
        if not text.strip():
            return
        if text[:1] in "Dd" and (labelled := DATE_LABEL.fullmatch(text)) and is_entry_date(labelled["date"]):
            text = labelled["date"]
        if self.bullet:
            text, self.bullet = f"  {BULLET} {text}", False
        self.lines.append(text)
        self.line_count += 1

    def end_block(self) -> None:
        self.end_line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def finished_lines(self) -> list[str]:
        self.end_line()
        return self.lines
