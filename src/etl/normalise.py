"""Normalise extracted records: text, title keys, dates, archival references, names, types.

Every builder returns a Polars expression, so a whole batch is normalised by the engine
in one lazy query; nothing here loops over rows in Python. `normalise_records` is the
stage's entry point; the builders are public so the validator and tests can use them alone.
"""

from __future__ import annotations

import re

import polars as pl

from etl.dates import DATE_PATTERNS, MONTH_NUMBERS, ROMAN_MONTHS, SPAN_YEARS, WHOLE_TEXT_PATTERNS
from etl.extract.blocks import INVISIBLE
from etl.schema import load_schema, polars_schema

# --- text -----------------------------------------------------------------------------

_QUOTES = "'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a"
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


# Characters already in NFC that never compose with a neighbour (NFC_Quick_Check=Yes and
# combining class 0): Latin to U+02FF, Cyrillic letters, general punctuation from U+2002,
# currency signs, CJK ideographs, Hangul syllables. Text made only of these is NFC already.
_NFC_STABLE = r"\x00-\u02FF\u0400-\u0482\u048A-\u052F\u2002-\u206F\u20A0-\u20C0\u4E00-\u9FFF\uAC00-\uD7A3"


def nfc(expr: pl.Expr) -> pl.Expr:
    """Unicode NFC; the normaliser (slow) only runs on texts that might change."""
    might_change = expr.str.contains(f"[^{_NFC_STABLE}]")
    return pl.coalesce(pl.when(might_change).then(expr).str.normalize("NFC"), expr)


def visible(expr: pl.Expr) -> pl.Expr:
    """The text without the characters it holds but does not show (see INVISIBLE)."""
    return expr.str.replace_all(f"[{INVISIBLE}]", "")


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_bytes() > 0).then(expr)


def _first_case(cases: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The value of the first (condition, value) case whose condition holds, else null."""
    (condition, value), *rest = cases
    chain = pl.when(condition).then(value)
    for condition, value in rest:
        chain = chain.when(condition).then(value)
    return chain


def _spaces_folded(expr: pl.Expr) -> pl.Expr:
    """Every whitespace run (non-breaking spaces and line breaks too) as one space.

    The pattern only matches where something changes, which keeps clean rows cheap."""
    return expr.str.replace_all(r"\s{2,}|[^\S ]", " ")


def folded(expr: pl.Expr) -> pl.Expr:
    """NFC, whitespace runs folded to one space, stripped; '' -> null."""
    return _blank_to_null(_spaces_folded(nfc(expr)).str.strip_chars())


# An e-mail address, or the mask a page shows instead of one ("[email protected]").
_EMAIL = r"\[email\s+protected\]|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"


def folded_items(expr: pl.Expr) -> pl.Expr:
    """Each item of a list folded as `folded` folds a field, blank items dropped."""
    return expr.list.eval(folded(pl.element()).drop_nulls())


def title_key(expr: pl.Expr) -> pl.Expr:
    """The form titles are compared in: printings of one title that differ only in
    accents, case, quote style, dash style, spacing, invisible characters (soft hyphens,
    zero-width spaces), a masked e-mail address or a trailing stop give one key."""
    return _spaces_folded(
        expr.str.normalize("NFKD").str.replace_all(r"\p{M}|\p{Cf}", "")
        .str.to_lowercase().str.replace_all("ß", "ss", literal=True)
        .str.replace_all(_EMAIL, "[email]")
        .str.replace_all(f"[{_QUOTES}]", "")
        .str.replace_all(rf"\s*[{_DASHES}]\s*", "-")
    ).str.replace(r"[\s.,;:]+$", "").str.strip_chars()


def body_text(expr: pl.Expr) -> pl.Expr:
    """NFC text that keeps its paragraphs: space runs folded, lines stripped, lines of
    only (non-breaking) spaces blank, three or more line breaks one blank line."""
    return _blank_to_null(
        nfc(expr)
        .str.replace_all(r"\r\n?", "\n")
        .str.replace_all(r"[^\S\n]{2,}|[^\S\n ]", " ")
        .str.replace_all(r"\n | \n ?", "\n")
        .str.replace_all(r"\n{3,}", "\n\n")
        .str.strip_chars()
    )


# --- dates ----------------------------------------------------------------------------
# The date is worked out in stages with `struct.eval`, each stage reading the fields of the
# one before through `pl.field`, so every regex runs once per row.

_DATE_PARTS = ("y", "m", "d", "y2", "m2", "d2")
_MONTHS = MONTH_NUMBERS | ROMAN_MONTHS
_DATE_FIELDS = ("date", "date_precision", "date_start", "date_end")


def _date_dtype() -> pl.Struct:
    """parsed_dates' fields as typed in schemas/documents.json, and date_error."""
    documents = polars_schema(load_schema("documents"))
    return pl.Struct({**{name: documents[name] for name in _DATE_FIELDS}, "date_error": pl.String()})


def _first_match(values: dict[str, pl.Expr]) -> pl.Expr:
    """values[name] for the first grammar pattern `name` that matched (all have a year)."""
    return _first_case([(pl.field(name).struct.field("y").is_not_null(), value) for name, value in values.items()])


def date_parts(text: pl.Expr) -> pl.Expr:
    """Struct of text (as given), precision and span of the first grammar pattern that
    matches the whole text (null when none does), and the parts y..d2 it found, as printed.
    A final period, and a weekday before a date of one day, are no part (see etl.dates)."""
    groups = {name: re.compile(pattern).groupindex for name, (_, pattern) in DATE_PATTERNS.items()}
    found = pl.struct(*[text.str.extract_groups(WHOLE_TEXT_PATTERNS[name]).alias(name)
                        for name in DATE_PATTERNS])
    precisions = {name: pl.lit(precision) for name, (precision, _) in DATE_PATTERNS.items()}
    return found.struct.eval(
        text.alias("text"),
        _first_match(precisions).alias("precision"),
        _first_match({name: pl.lit(SPAN_YEARS.get(name, 0)) for name in DATE_PATTERNS}).alias("span"),
        *[_first_match({name: pl.field(name).struct.field(p) if p in groups[name] else pl.lit(None, pl.String)
                        for name in DATE_PATTERNS}).alias(p) for p in _DATE_PARTS],
    )


def _month_number(text: pl.Expr) -> pl.Expr:
    """The month's number; 0 (no such month) for a printed month that names none ("XIII")."""
    name = text.str.to_lowercase().str.strip_chars_end(".")
    number = pl.coalesce(name.cast(pl.Int32, strict=False),
                         name.replace_strict(_MONTHS, default=None, return_dtype=pl.Int32))
    return pl.when(text.is_not_null()).then(number.fill_null(0))


def _day_number(text: pl.Expr) -> pl.Expr:
    return text.str.extract(r"^(\d+)").cast(pl.Int32, strict=False)


def _numbered_parts() -> list[pl.Expr]:
    """The printed parts as numbers; a range's last end takes what it does not repeat."""
    # Digits of another script match \d but are no number: such a date is in no known form.
    y, m, d = pl.field("y").cast(pl.Int32, strict=False), _month_number(pl.field("m")), _day_number(pl.field("d"))
    return [
        pl.field("text"), pl.field("precision"), y.alias("y"), m.alias("m"), d.alias("d"),
        pl.coalesce(pl.field("y2").cast(pl.Int32, strict=False), y + pl.field("span")).alias("y2"),
        pl.coalesce(_month_number(pl.field("m2")), m).alias("m2"),
        pl.coalesce(_day_number(pl.field("d2")), d).alias("d2"),
    ]


def _safe_day(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """The date y-m-d, computed without failing on an impossible day or month (those
    roll over; `_date_problem` reports them before the value is used)."""
    return pl.date(y.clip(1, 9999), m.clip(1, 12), 1) + pl.duration(days=d.clip(1, 31) - 1)


def _days_in_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return (
        pl.when(m == 2).then(28 + leap.cast(pl.Int32))
        .when(m.is_in([4, 6, 9, 11])).then(30).otherwise(31).cast(pl.Int32)
    )


def _date_problem(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """'no such year' / 'no such month' / 'no such day' for one end of a date, else null."""
    return (
        pl.when(y < 1).then(pl.lit("no such year"))
        .when(m.is_not_null() & ~m.is_between(1, 12)).then(pl.lit("no such month"))
        .when(d.is_not_null() & ~d.is_between(1, _days_in_month(y, m))).then(pl.lit("no such day"))
    )


def _bounds() -> list[pl.Expr]:
    """First and last day, the ISO length of the ends (day 10, month 7, year 4), and any problem."""
    y, m, d, y2, m2, d2 = (pl.field(p) for p in _DATE_PARTS)
    start, end_month = _safe_day(y, m.fill_null(1), d.fill_null(1)), m2.fill_null(12)
    end = _safe_day(y2, end_month, d2.fill_null(_days_in_month(y2, end_month)))
    problem = pl.coalesce(_date_problem(y, m, d), _date_problem(y2, m2, d2))
    return [
        pl.field("text"), pl.field("precision"), y.is_not_null().alias("known"),
        start.alias("start"), end.alias("end"),
        pl.when(d.is_not_null()).then(10).when(m.is_not_null()).then(7).otherwise(4).alias("iso_chars"),
        pl.coalesce(problem, pl.when(end < start).then(pl.lit("range ends before it starts"))).alias("problem"),
    ]


def _date_fields() -> list[pl.Expr]:
    shown = pl.field("text").str.strip_chars()
    error = (
        pl.when(shown.str.len_chars() == 0).then(None)
        .when(~pl.field("known")).then(pl.lit("not a date in a known form: ") + shown)
        .when(pl.field("problem").is_not_null()).then(pl.field("problem") + pl.lit(": ") + shown)
    )
    ok = pl.field("known") & error.is_null()
    start, end = (pl.field(f).cast(pl.String).str.slice(0, pl.field("iso_chars")) for f in ("start", "end"))
    iso = pl.when(pl.field("precision") == "range").then(start + pl.lit("/") + end).otherwise(start)
    return [
        pl.when(ok).then(iso).alias("date"),
        pl.when(ok).then(pl.field("precision")).otherwise(pl.lit("unknown")).alias("date_precision"),
        pl.when(ok).then(pl.field("start")).alias("date_start"),
        pl.when(ok).then(pl.field("end")).alias("date_end"),
        error.alias("date_error"),
    ]


def parsed_dates(text: pl.Expr) -> pl.Expr:
    """Struct of date (ISO at the precision printed; 'start/end' for a range), date_precision,
    date_start, date_end and date_error from a printed date.

    A missing or blank date is precision 'unknown' with no error; a date in no known form
    or an impossible one (February 30, month 13) is 'unknown' with an error message, so the
    pipeline can quarantine it. A day is never invented: 'October, 1959' is '1959-10'.
    """
    staged = date_parts(text.fill_null("").str.normalize("NFKC")) \
        .struct.eval(*_numbered_parts()).struct.eval(*_bounds())
    return staged.struct.eval(*_date_fields()).cast(_date_dtype())


# --- Source field ---------------------------------------------------------------------

_ADDED_SENTENCE = (r"(?:Translated|translated by|Translation by|English translation by|Obtained|Contributed|"
                   r"Donated|Included in)\b")
# The dashes a part or page range is printed with: hyphens of every kind, the figure and
# en dash, minus signs (not the em dash, see _PAGE_RANGE).
_PART_DASHES = r"\-\u2010-\u2013\u2212\ufe63\uff0d"
_VALUE = rf"((?:\p{{L}}{{1,3}}-)?\d[\p{{L}}\d/{_PART_DASHES}]*)"
# A page or range: what _VALUE reads, where a dash may also have spaces around it when a
# number follows ("102 - 129", "165 \u2013 192"); the spaces are dropped (`_pages_as_printed`),
# so the range reads as one printed without them. (Dash runs and the runs between them are
# spelled out so that a dash before a space does not end the value.)
_PAGE_RANGE = (r"(?:\p{L}{1,3}-)?\d[\p{L}\d/]*"
               rf"(?:[{_PART_DASHES}]+[\p{{L}}\d/]+|\s*[{_PART_DASHES}]\s*\d[\p{{L}}\d/]*)*[{_PART_DASHES}]*")
# Pages: a range, or a list of them ("ll. 1, 3-5", "pp. 40-42; 47") when the list ends the
# reference (numbers followed by other words are not pages: "l. 5, 12 copies").
_PAGES_VALUE = rf"({_PAGE_RANGE}(?:(?:\s*[,;]\s*{_PAGE_RANGE})+\s*$)?)"
_BEFORE = r"(?:^|[\s,;(])"
# Part -> its keywords, long and abbreviated, Latin and Cyrillic; longer forms first.
_KEYWORDS = {
    "fond": r"fond|f|фонд|ф",
    "opis": r"opis|op|опись|оп",
    "delo": r"delo|d|дело|д",
    "papka": r"papka|pap|папка|п",
    "pages": r"pages|page|pp|listy|list|ll|l|листы|лист|лл|л",
}
_ALL_KEYWORDS = "|".join([*_KEYWORDS.values(), "p"])
# A Hungarian National Archives record group ("XIX-J-1-j"), with or without a comma before it.
_RECORD_GROUP = r"[IVXLC]+(?:-[\p{L}\d]+)+"
_KEYWORD_AND_NUMBER = rf"(?:{_ALL_KEYWORDS})\.?\s*(?:\p{{L}}{{1,3}}-)?\d"
# A label before a number ("PRC FMA No. 106-00123-04"), which ends the archive's name.
_NUMBER_LABEL = r"(?:No|Nr|\u2116|N\u00ba)\.?\s*\d"


def _part(keywords: str, value: str = _VALUE) -> str:
    return rf"(?i){_BEFORE}(?:{keywords})\.?\s*{value}"


def _unspaced(value: pl.Expr) -> pl.Expr:
    """A part value without the spaces a range or sub-number may hold ("102 - 129")."""
    return value.str.replace_all(r"\s+", "")


def _pages_as_printed(pages: pl.Expr) -> pl.Expr:
    """Pages without the spaces inside a range, a list's parts separated by ', ' or '; '."""
    return _unspaced(pages).str.replace_all(r"([,;])", "$1 ")


def archive_reference(source: pl.Expr) -> pl.Expr:
    """The archival reference as written: the Source field without the citation's
    boilerplate, a trailing address, the translator (and obtained / contributed / donated)
    sentences and a final period."""
    return _blank_to_null(
        folded(source)
        .str.replace(r"^.*?Digital Archive,\s*", "")
        .str.replace(r"\s*https?://\S+$", "")
        .str.replace(rf"(?:^|[.;,]?\s+){_ADDED_SENTENCE}.*$", "")
        .str.replace(r"[\s.]+$", "")
    )


def _archive_name(reference: pl.Expr) -> pl.Expr:
    """A parenthesised acronym right after the archive's full name, else the words before
    the first comma, part keyword, number or its label ("No."), and the period before a
    keyword ("RGANI. F. 5. Op. 30") (an acronym further on names a part: "f. 17 (CC CPSU)")."""
    acronym = reference.str.extract(
        r"^[^,;(]*\((\p{Lu}[\p{L}\d]*\p{Lu}[\p{L}\d]*(?:[ .\-/&][\p{Lu}\d][\p{L}\d]*)*)\)")
    part_start = rf"\.?\s+(?:{_KEYWORD_AND_NUMBER}|{_NUMBER_LABEL})|\s+\d|\s+(?-i:{_RECORD_GROUP})"
    leading = reference.str.extract(rf"(?i)^\s*(.+?)(?:\s*[,;(]|{part_start}|\s*$)")
    is_name = leading.str.contains(r"\p{L}") & ~leading.str.contains(rf"(?i)^(?:{_ALL_KEYWORDS})\.?$")
    return pl.coalesce(acronym, pl.when(is_name).then(leading))


# A PRC Foreign Ministry file number and its sub-number, printed right after it ("(1)") or
# after a space ("106-00123-04 (1)", kept as "106-00123-04(1)"); four digits in parentheses
# after a space are a year, not a sub-number.
_FILE_NUMBER_VALUE = r"\d{3}-\d{5}-\d{2}(?:\(\d+\)|\s+\(\d{1,3}\))?"
_FILE_NUMBER = rf"(?:^|\D)({_FILE_NUMBER_VALUE})"


def _pages_after_file_number(reference: pl.Expr) -> pl.Expr:
    """Pages printed without a label after a file number when they end the reference
    ("PRC FMA 106-00123-04, 12-15"); a year there ("..., 1958") is not pages."""
    found = reference.str.extract(
        rf"(?:^|\D){_FILE_NUMBER_VALUE}\s*,\s*({_PAGE_RANGE}(?:\s*[,;]\s*{_PAGE_RANGE})*)\s*$")
    return pl.when(~found.str.contains(r"^(?:1[89]|20)\d{2}$")).then(found)


def _papka_and_pages(reference: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A bare 'p.' is a papka (folder) before the delo and pages after it (or with no delo);
    pages may also follow a file number unlabelled."""
    delo = rf"{_BEFORE}(?:{_KEYWORDS['delo']})\.?\s*\d"
    p_before_delo = reference.str.extract(rf"(?i){_BEFORE}p\.?\s*{_VALUE}.*?{delo}")
    p_after_delo = reference.str.extract(rf"(?i){delo}.*?{_BEFORE}p\.?\s*{_PAGES_VALUE}")
    p_alone = pl.when(~reference.str.contains(rf"(?i){delo}")) \
        .then(reference.str.extract(_part("p", _PAGES_VALUE)))
    papka = pl.coalesce(reference.str.extract(_part(_KEYWORDS["papka"])), p_before_delo)
    pages = pl.coalesce(reference.str.extract(_part(_KEYWORDS["pages"], _PAGES_VALUE)), p_after_delo, p_alone,
                        _pages_after_file_number(reference))
    return papka, _pages_as_printed(pages)


def reference_parts(reference: pl.Expr) -> pl.Expr:
    """Struct of archive, fond, opis, delo, papka, pages and file_number parsed from an
    archival reference (see `archive_reference`); parts are kept as written, but for the
    spaces printed inside a page range or before a file's sub-number, and a list of pages
    separated by ', ' or '; '."""
    papka, pages = _papka_and_pages(reference)
    # Hungarian National Archives record groups: "MOL, XIX-J-1-j Korea, ..." or "MOL XIX-J-1-j ..."
    record_group = reference.str.extract(rf"^[^,]+?[,\s]\s*({_RECORD_GROUP})(?:[\s,]|$)")
    return pl.struct(
        _archive_name(reference).alias("archive"),
        pl.coalesce(reference.str.extract(_part(_KEYWORDS["fond"])), record_group).alias("fond"),
        reference.str.extract(_part(_KEYWORDS["opis"])).alias("opis"),
        reference.str.extract(_part(_KEYWORDS["delo"])).alias("delo"),
        papka.alias("papka"),
        pages.alias("pages"),
        _unspaced(reference.str.extract(_FILE_NUMBER)).alias("file_number"),
    )


def _name_list(names: pl.Expr, separators: str) -> pl.Expr:
    """names split at `separators` (a regex), each stripped; [] when there are none."""
    split = names.str.replace_all(separators, "\x1f").str.split("\x1f").list.eval(
        _spaces_folded(nfc(pl.element())).str.strip_chars().str.replace(r"^(?i:the)\s+", "")
    )
    return split.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0)) \
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))


# Titles and abbreviations a name may hold before a period that ends no sentence.
_NAME_TITLES = "Dr|Prof|Mrs?|Ms|Jr|Sr|Lt|Col|Gen|Capt|Maj|Sgt|St|Rev|Fr|Hon|Amb"
# A two-letter initial of a romanised Russian name ("A. Ya. Rudenko", "Yu. Vanin"): one at
# a name's start or after another initial, before the next capital. Elsewhere ("Lee Yu.")
# such a word is a name's last and its period ends the sentence.
_TWO_LETTER_INITIAL = r"(^|\x01\s*|[,&]\s*|\band\s+)(Ya|Yu|Ye|Yo|Zh|Kh|Ts|Ch|Sh)\.(\s*\p{Lu})"


def translators(source: pl.Expr) -> pl.Expr:
    """Names from the '[Obtained and] translated [for ...] by A, B and C.' sentence; [] when
    there is none.

    The sentence ends at the first period that does not follow a single capital letter, a
    title or a two-letter initial, so initials ('A. B. Smith', 'A. Ya. Rudenko') and 'Dr.',
    'Lt. Col.' stay inside names, as does ', Jr.'; an affiliation in brackets ('(NKIDP)')
    is no part of a name. 'with additional translation by D' adds a translator; a clause
    naming others ('edited by E', and 'Obtained by F' after a name ending in an initial,
    whose period reads as the initial's) ends the list.
    """
    after_by = source.str.extract(r"(?s)\b(?i:translated|translation)\b[^.]*?\bby:?\s+(.*)$")
    sentence = after_by.str.replace_all(r",\s*(Jr|Sr)\.", "\x02 $1.") \
        .str.replace_all(rf"\b(\p{{Lu}}|{_NAME_TITLES})\.", "$1\x01") \
        .str.replace_all(_TWO_LETTER_INITIAL, "$1$2\x01$3").str.extract(r"^([^.]*)") \
        .str.replace_all(r"\s*\([^)]*\)", "") \
        .str.replace_all("\x01", ".", literal=True).str.replace(r"\s+for\s+.*$", "") \
        .str.replace_all(r"(?i)\s*[,;]?\s+with additional translations? by\s+", ", ") \
        .str.replace(r"(?i)\s*[,;]?\s+(?:and\s+)?(?:edited|revised|annotated|introduced|reviewed|checked|"
                     r"proofread|transcribed|obtained|contributed|donated)\b.*$", "")
    names = _name_list(sentence, r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*[&;]\s*")
    return names.list.eval(pl.element().str.replace_all("\x02", ",", literal=True))  # the comma before 'Jr.'


def funders(funders_text: pl.Expr) -> pl.Expr:
    """Funders named after 'made possible with support from', without a leading 'the' or
    final period; several are separated by commas, semicolons (either with an 'and' or '&'
    after it) or 'and the' / '& the'. [] when there are none."""
    text = funders_text.str.replace(r"(?is)^.*made possible with support from\s+", "") \
        .str.replace(r"[\s.]+$", "")
    return _name_list(text, r"\s*[,;]\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+the\s+")


# --- document type, ids, plain fields -------------------------------------------------

# Type -> what a title of that type starts with (case-insensitive). Order matters: the
# first row that matches wins, so longer forms come before the words they start with.
DOCUMENT_TYPES: dict[str, str] = {
    "Memorandum of Conversation": r"memo(?:randum)?\s+of\s+(?:an?\s+|the\s+)?conversations?",
    "Record of Conversation":
        r"(?:records?|notes?|minutes)\s+(?:of|from|on)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?conversations?",
    "Memorandum": r"memo(?:randum|randa)?",
    "Journal": r"journal|diary",
    "Cable": r"cables?",
    "Telegram": r"telegrams?",
    "Report": r"(?:information\s+|situation\s+)?reports?",
    "Letter": r"letters?",
    "Minutes": r"minutes",
    "Protocol": r"protocols?",
    "Instructions": r"instructions?",
    "Resolution": r"resolutions?",
    "Decree": r"decrees?",
    "Speech": r"speech(?:es)?",
    "News Briefing": r"news\s+briefings?",
    "Transcript": r"transcripts?",
    "Agreement": r"agreements?",
    "Note": r"notes?",
}
_TYPE_ALTERNATIVES = "|".join(f"(?P<t{i}>{p})" for i, p in enumerate(DOCUMENT_TYPES.values()))
# Words that qualify a form without changing it: "Ciphered Telegram", "Draft Decree".
_TYPE_QUALIFIERS = r"(?:(?:draft|ciphered|coded|encoded|secret|top\s+secret|urgent)\s+)*"


def _type_at(title: pl.Expr, prefix: str) -> pl.Expr:
    """The type whose pattern first matches right after `prefix`, or null."""
    groups = title.str.extract_groups(rf"(?i){prefix}{_TYPE_QUALIFIERS}(?:{_TYPE_ALTERNATIVES})\b")
    return _first_case([(groups.struct.field(f"t{i}").is_not_null(), pl.lit(name))
                        for i, name in enumerate(DOCUMENT_TYPES)])


def title_document_type(title: pl.Expr) -> pl.Expr:
    """The type a title's form names: at its start, else at the start of a quoted
    sub-title after a comma, colon or bracket ("Embassy, 'Report on ...'"), not a quoted
    word inside the title ("the 'Note' of ..."); null when nothing fits."""
    quoted = rf"(?:^|[,:;(\[]\s*)[{_QUOTES}]\s*"
    return pl.coalesce(_type_at(title, r"^\s*"), _type_at(title, quoted))


def document_type(type_field: pl.Expr, title: pl.Expr) -> pl.Expr:
    """The page's Type field when present, else the type the title's form names."""
    return pl.coalesce(folded(type_field), title_document_type(title))


def record_id(record_id_text: pl.Expr, url: pl.Expr) -> pl.Expr:
    """Record ID as printed, else the number of a /document/<n> address (not /node/<n>,
    which is the site's page number, nor a slug address)."""
    from_url = url.str.strip_chars().str.extract(r"/document/(\d{1,18})/?(?:[?#].*)?$")
    return pl.coalesce(record_id_text.str.strip_chars().cast(pl.Int64, strict=False),
                       from_url.cast(pl.Int64, strict=False))


def iso_date(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)


# --- the stage ------------------------------------------------------------------------

_FOLDED_FIELDS = ("language", "rights", "original_archive", "classification")
_LIST_FIELDS = ("authors", "places", "subjects")
_EXTRA_COLUMNS = {"title_key": pl.String, "date_error": pl.String}


def _added_columns() -> dict[str, pl.DataType]:
    """Columns this stage adds or retypes, typed as schemas/documents.json says (in its
    order), then the stage's own title_key and date_error."""
    documents = polars_schema(load_schema("documents"))
    made = {*_DATE_FIELDS, "archive_reference", "archive", "fond", "opis", "delo", "papka", "pages",
            "file_number", "translators", "funders", "uploaded_date", "record_id", "title", "summary",
            "text", "document_type", *_FOLDED_FIELDS}
    return {name: dtype for name, dtype in documents.items() if name in made} | _EXTRA_COLUMNS


def _dates_of_distinct_texts(frame: pl.LazyFrame) -> pl.LazyFrame:
    """frame with a `_dates` struct, parsed once per distinct date_text and joined back in
    frame's order: a batch prints the same few thousand dates over and over."""
    dates = frame.select("date_text").unique().with_columns(parsed_dates(pl.col("date_text")).alias("_dates"))
    return frame.join(dates, on="date_text", how="left", nulls_equal=True, maintain_order="left")


def normalised(records: pl.LazyFrame) -> pl.LazyFrame:
    """The lazy query behind `normalise_records`, for callers that stay lazy."""
    schema = records.collect_schema()
    added, columns = _added_columns(), schema.names()
    texts = [name for name, dtype in schema.items() if dtype == pl.String]
    return (
        _dates_of_distinct_texts(records.with_columns(visible(pl.col(name)) for name in texts)
                                 .with_columns(folded(pl.col("date_text")).alias("date_text")))
        .with_columns(
            folded(pl.col("title")).alias("title"),
            folded(pl.col("summary")).alias("summary"),
            body_text(pl.col("text")).alias("text"),
            *[folded(pl.col(name)).alias(name) for name in _FOLDED_FIELDS],
            *[folded_items(pl.col(name)).alias(name) for name in _LIST_FIELDS],
            archive_reference(pl.col("source")).alias("archive_reference"),
            translators(pl.col("source")).alias("translators"),
            funders(pl.col("funders_text")).alias("funders"),
            record_id(pl.col("record_id"), pl.col("url")).alias("record_id"),
            iso_date(pl.col("uploaded_date_text")).alias("uploaded_date"),
        )
        .with_columns(
            title_key(pl.col("title")).alias("title_key"),
            document_type(pl.col("document_type"), pl.col("title")).alias("document_type"),
            reference_parts(pl.col("archive_reference")).alias("_reference"),
        )
        .unnest("_dates", "_reference")
        .with_columns(pl.col(name).cast(dtype) for name, dtype in added.items())
        .select(*columns, *[name for name in added if name not in columns])
    )


def normalise_records(records: pl.DataFrame) -> pl.DataFrame:
    """The records with normalised title, text and plain fields, and parsed dates, Source
    field, names, document type and record id: same rows in the same order, every input
    column kept (the normalised ones replaced), typed as schemas/documents.json says."""
    return normalised(records.lazy()).collect()
