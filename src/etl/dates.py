"""The grammar of document dates, shared by the extractors and the normaliser.

Extractors ask `is_date_text` whether a line is a date line; `normalise` compiles the
same patterns into Polars expressions. Every pattern is written in the common subset of
Python `re` and the Rust `regex` crate that Polars uses, with named groups.

Group names: `y`, `m`, `d` for the date (or a range's first end) and `y2`, `m2`, `d2` for a
range's last end; a part a range does not repeat is shared by both ends ("August 16-17,
1957" has one month and one year). `m` is a month name, abbreviation, Roman numeral or
number. The finest part a pattern names is the precision of its ends.

Around a pattern, the whole text may hold a final period ("June 9, 1977.") and, before a
date of one day, its weekday ("Wednesday, June 9, 1977"); neither changes the date.
"""

from __future__ import annotations

import re
import unicodedata

MONTH_NUMBERS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
ROMAN_MONTHS: dict[str, int] = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6,
    "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12,
}

_MONTH = r"(?:" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# The dashes a range is printed with, as a regex character-class body: hyphen-minus, the
# hyphens and dashes from U+2010 to the horizontal bar, and the minus sign.
RANGE_DASHES = "\\-\u2010-\u2015\u2212"
_DASH = rf"\s*[/{RANGE_DASHES}]\s*"
# Before the year: a comma with stray spaces on either side ("6 , 1955", "6,1955"), or spaces.
_COMMA = r"(?:\s*,\s*|\s+)"


def _month(name: str) -> str:
    return f"(?P<{name}>{_MONTH})"


def _day(name: str) -> str:
    return f"(?P<{name}>{_DAY})"


# name -> (precision, pattern). Order matters: the first pattern that matches wins.
DATE_PATTERNS: dict[str, tuple[str, str]] = {
    "iso_day": ("day", r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    "iso_month": ("month", r"(?P<y>\d{4})-(?P<m>\d{2})"),
    "month_day_year": ("day", _month("m") + r"\s+" + _day("d") + _COMMA + r"(?P<y>\d{4})"),
    "day_month_year": ("day", _day("d") + r"\s+" + _month("m") + _COMMA + r"(?P<y>\d{4})"),
    "roman_month": ("day", r"(?P<d>\d{1,2})\.\s?(?P<m>[ivx]{1,4})\.\s?(?P<y>\d{4})\.?"),
    "month_year": ("month", _month("m") + _COMMA + r"(?P<y>\d{4})"),
    "year": ("year", r"(?:(?:c\.|ca\.|circa)\s*)?(?P<y>\d{4})"),
    "day_range_day_first": (
        "range", _day("d") + _DASH + _day("d2") + r"\s+" + _month("m") + _COMMA + r"(?P<y>\d{4})"),
    "day_range_month_first": (
        "range", _month("m") + r"\s+" + _day("d") + _DASH + _day("d2") + _COMMA + r"(?P<y>\d{4})"),
    "day_range_across_months_day_first": (
        "range", _day("d") + r"\s+" + _month("m") + _DASH + _day("d2") + r"\s+" + _month("m2")
        + _COMMA + r"(?P<y>\d{4})"),
    "day_range_across_months_month_first": (
        "range", _month("m") + r"\s+" + _day("d") + _DASH + _month("m2") + r"\s+" + _day("d2")
        + _COMMA + r"(?P<y>\d{4})"),
    "month_range": ("range", _month("m") + _DASH + _month("m2") + _COMMA + r"(?P<y>\d{4})"),
    "month_range_across_years": (
        "range", _month("m") + _COMMA + r"(?P<y>\d{4})" + _DASH + _month("m2") + _COMMA + r"(?P<y2>\d{4})"),
    "year_range": ("range", r"(?P<y>\d{4})" + _DASH + r"(?P<y2>\d{4})"),
    "decade": ("range", r"(?P<y>\d{3}0)['\u2019]?s"),
}

# Patterns whose text names only the first year of a span of years: the last year is
# this many years after it.
SPAN_YEARS: dict[str, int] = {"decade": 9}


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A weekday before the date, with a comma (stray spaces allowed) or spaces after it.
WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")" + _COMMA
_WEEKDAY_START = re.compile(WEEKDAY, re.I)


def anchored(pattern: str, weekday: bool = False) -> str:
    """A date pattern that must match the whole (stripped) text, case-insensitively; a
    final period may follow it and, when `weekday`, a weekday may come before it."""
    before = f"(?:{WEEKDAY})?" if weekday else ""
    after = "" if pattern.endswith(r"\.?") else r"\.?"  # a Roman month date ends in its own
    return r"(?i)^\s*" + before + pattern + after + r"\s*$"


# name -> the pattern a whole date text must match: a weekday only before a date of one day.
WHOLE_TEXT_PATTERNS: dict[str, str] = {
    name: anchored(pattern, weekday=precision == "day") for name, (precision, pattern) in DATE_PATTERNS.items()
}
_COMPILED = [re.compile(p) for p in WHOLE_TEXT_PATTERNS.values()]
# Every pattern holds a year: four digits in a row.
_FOUR_DIGITS = re.compile(r"\d{4}")


def compatible(text: str) -> str:
    """text in Unicode compatibility form (NFKC), as dates are read: full-width digits and
    commas ("\uff11\uff19\uff16\uff12", "\uff0c") are the ASCII ones, non-breaking spaces are spaces."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def is_date_text(text: str) -> bool:
    """True when the whole text is one document date in a form the pipeline reads."""
    text = compatible(text).strip()
    if not text or len(text) > 40 or not _FOUR_DIGITS.search(text):
        return False
    return any(rx.match(text) for rx in _COMPILED)


# A month-first date that stops before its four-digit year: "December 1", "March 06, 19".
_CUT_BEFORE_YEAR = re.compile(
    r"(?i)^\s*(?:" + WEEKDAY + r")?" + _MONTH + r"(?:\s+" + _DAY + r")?(?:" + _COMMA + r"\d{0,3})?\s*$")


def stops_before_its_year(text: str) -> bool:
    """True for the start of a month-first date that lacks its year ("December 1", "Janu"):
    what a line cut off in a date looks like. No date line of the archive leaves out the year."""
    word = text.strip().lower()
    if len(word) >= 3 and word.isalpha():
        return any(month.startswith(word) for month in MONTH_NUMBERS)
    return bool(_CUT_BEFORE_YEAR.match(text)) and not is_date_text(text)


def weekday_end(text: str) -> int:
    """Where the date after a weekday at the very start of `text` begins; 0 when there is none."""
    found = _WEEKDAY_START.match(text)
    return found.end() if found else 0
