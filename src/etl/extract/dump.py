"""Text-browser dumps (`lynx -dump`, `w3m -dump`, `links -dump`, `html2text`) turned into the
text lines the layout extractors read.

A dump hard-wraps its paragraphs at a width of about 80 columns (continuation lines keep
the first line's indent, or the indent of the text after a bullet), prints `*`, `+` or `o`
where the site prints "•", may underline headings with a line of `=` or `-`, and numbers
its links: "[12]Ciphered Telegram ..." in the text, and a "References" (lynx, also under
"Visible links") or "References:" (w3m) list of the numbered addresses at the end.

Told apart by that list, or by its wrapping: lines no wider than a terminal, of which some
are full and go on in the next line in the middle of a sentence. Other text captures are left as they are (a browser's
"save as text" prints a paragraph on one line). The dump's paragraphs are joined back into
one line each, its bullets become "•", underlines and the reference list are dropped and
the link marks are removed; the links come back beside the text as (address, text after
the mark) pairs, so that a listing entry finds the address of its title. A line is taken
for the wrapped start of the next one only when the next line's first word would not have
fitted on it: a short line ends its paragraph (a title above its summary, a date line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.extract.blocks import BULLET, fold, is_dash_rule, is_entry_date

TERMINAL_WIDTH = 80  # the widest line a dump prints (lynx 79, w3m and links 80, html2text 78)
NARROWEST_WRAP = 60  # a text whose widest line is narrower is not taken for a wrapped one
WRAPPED_PAIRS = 2  # full lines going on in the next line that tell a wrapped text without a list
REFERENCES_HEADING = re.compile(r"\s*(?:References:?|Visible links:?)\s*")
REFERENCE_LINE = re.compile(r"\s*(?:(?P<lynx>\d{1,5})\.|\[(?P<w3m>\d{1,5})\])\s+(?P<url>\S+)\s*")
HIDDEN_LINKS = re.compile(r"\s*(?:Visible|Hidden) links:?\s*")
LINK_MARK = re.compile(r"\[(\d{1,5})\]")
DUMP_BULLET = re.compile(r"(?P<indent>\s*)(?:[*+o#@\u25e6\u25aa\u00b7]|\u2022)\s+(?=\S)")


@dataclass
class Dump:
    text: str  # the dump's paragraphs, one line each
    links: list[tuple[str, str]] = field(default_factory=list)  # (address, text after its mark)


def read_text_dump(text: str) -> Dump | None:
    """The dump's text and links, or None when `text` is no text-browser dump."""
    lines = text.expandtabs().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    list_at, references = reference_list(lines)
    content = lines[:list_at]
    width = max((len(line) for line in content), default=0)
    if not references and not looks_wrapped(content, width):
        return None
    content = without_underlines(content)
    joined = dedented(unwrapped(content, width), paragraph_indent(content, width))
    links = [link for line in joined for link in marked_links(line, references)]
    ending = "\n" if text.endswith(("\n", "\r")) or list_at < len(lines) else ""
    return Dump("\n".join(without_marks(bulleted(line), references) for line in joined) + ending, links)


def reference_list(lines: list[str]) -> tuple[int, dict[str, str]]:
    """(index of the reference list's heading, {link number: address}); (len(lines), {})
    when the dump ends in no such list: its heading, then numbered addresses to the end."""
    for at in range(len(lines) - 1, -1, -1):
        if REFERENCES_HEADING.fullmatch(lines[at]) and not HIDDEN_LINKS.fullmatch(lines[at - 1] if at else ""):
            rest = [line for line in lines[at + 1:] if line and not HIDDEN_LINKS.fullmatch(line)]
            found = [REFERENCE_LINE.fullmatch(line) for line in rest]
            if found and all(found):
                return at, {m["lynx"] or m["w3m"]: m["url"] for m in found}
            return len(lines), {}
    return len(lines), {}


def looks_wrapped(lines: list[str], width: int) -> bool:
    """True when no line is wider than a terminal and some full lines go on in the next in
    the middle of a sentence (the next starts with a lower-case word): a capture saved with
    single newlines has full lines too, but each ends its paragraph."""
    if not NARROWEST_WRAP <= width <= TERMINAL_WIDTH:
        return False
    return sum(goes_on(a, b, width) and b.lstrip()[:1].islower() for a, b in zip(lines, lines[1:])) >= WRAPPED_PAIRS


def text_indent(line: str) -> int:
    """Where a line's text starts: after its bullet on a bullet line."""
    bullet = DUMP_BULLET.match(line)
    return bullet.end() if bullet else len(line) - len(line.lstrip())


def goes_on(line: str, following: str, width: int, indent: int | None = None) -> bool:
    """True when `following` is the wrapped rest of the paragraph `line` ends: it starts at
    the paragraph's text `indent` (by default `line`'s), its first word would not have fitted
    on `line`, and it is no bullet or date line of its own."""
    if not line or not following or DUMP_BULLET.match(following) or is_entry_date(following):
        return False
    indent = text_indent(line) if indent is None else indent
    start = len(following) - len(following.lstrip())
    return start == indent and len(line) + 1 + len(following.split()[0]) > width


def unwrapped(lines: list[str], width: int) -> list[str]:
    """The lines with each wrapped paragraph joined into its first line."""
    joined: list[str] = []
    last = ""
    indent = 0
    for line in lines:
        if joined and goes_on(last, line, width, indent):
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
            indent = text_indent(line)
        last = line
    return joined


def paragraph_indent(lines: list[str], width: int) -> int:
    """The indent of the dump's text paragraphs: the least indent of a line that goes on in
    the next (lynx sets paragraphs 3 columns in, headings flush left)."""
    starts = [text_indent(a) for a, b in zip(lines, lines[1:]) if goes_on(a, b, width) and not DUMP_BULLET.match(a)]
    return min(starts, default=0)


def dedented(lines: list[str], indent: int) -> list[str]:
    """The lines moved `indent` columns left (no further than their text): paragraphs flush
    left and list items indented under them, as a saved text prints them."""
    return [line[min(indent, len(line) - len(line.lstrip())):] for line in lines]


def without_underlines(lines: list[str]) -> list[str]:
    """The lines without the rules that underline a heading (a rule as long as the line
    above it): a rule between listing entries stands apart from them."""
    kept: list[str] = []
    for line in lines:
        above = kept[-1].strip() if kept else ""
        if above and is_dash_rule(line) and not is_dash_rule(above) and abs(len(line.strip()) - len(above)) <= 2:
            continue
        kept.append(line)
    return kept


def bulleted(line: str) -> str:
    """The line with a dump's bullet character printed as the site's "•"."""
    bullet = DUMP_BULLET.match(line)
    return f"{bullet['indent']}{BULLET} {line[bullet.end():]}" if bullet else line


def marked_links(line: str, references: dict[str, str]) -> list[tuple[str, str]]:
    """(address, text) of each link mark in `line` that the reference list numbers; the text
    runs to the next mark or the end of the line."""
    marks = [m for m in LINK_MARK.finditer(line) if m[1] in references]
    ends = [m.start() for m in marks[1:]] + [len(line)]
    return [(references[m[1]], fold(without_marks(line[m.end():end], references)))
            for m, end in zip(marks, ends)]


def without_marks(line: str, references: dict[str, str]) -> str:
    return LINK_MARK.sub(lambda m: "" if m[1] in references else m[0], line) if references else line
