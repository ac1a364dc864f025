"""The normalising stage: one test per rule, on values written for these tests."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from etl import normalise as nz
from etl.dates import DATE_PATTERNS, is_date_text
from etl.schema import empty_table, load_schema, polars_schema

RECORDS = polars_schema(load_schema("records"))


def one(expr_builder, value, dtype=pl.String):
    """expr_builder applied to a one-row column holding `value`."""
    return many(expr_builder, [value], dtype)[0]


def many(expr_builder, values, dtype=pl.String):
    frame = pl.DataFrame({"v": values}, schema={"v": dtype})
    return frame.select(expr_builder(pl.col("v"))).to_series().to_list()


def dates(text):
    return one(nz.parsed_dates, text)


def parts(reference):
    return one(nz.reference_parts, reference)


def records(*rows: dict) -> pl.DataFrame:
    base = {"source_id": "0123456789abcdef", "layout": "document_new", "title": "Letter to a Ministry"}
    return pl.DataFrame([base | {"position": i} | row for i, row in enumerate(rows, 1)], schema=RECORDS)


# --- titles and text ------------------------------------------------------------------

def test_title_whitespace_runs_and_non_breaking_spaces_fold_to_one_space():
    assert one(nz.folded, "  Cable\u00a0from  the\tEmbassy \n to the Ministry ") == \
        "Cable from the Embassy to the Ministry"


def test_title_is_unicode_nfc():
    assert one(nz.folded, "Re\u0301sume\u0301 of Talks") == "R\u00e9sum\u00e9 of Talks"


def test_title_keeps_its_quotes_dashes_and_case():
    title = "Embassy, \u2018Report on Sino\u2013Korean Trade\u2019 \u2014 PART ONE"
    assert one(nz.folded, title) == title


def test_title_key_ignores_quote_style_case_and_trailing_spaces():
    curly = "Diary of the Envoy for 3 May 1958, \u201cA Talk\u201d"
    straight = 'DIARY OF THE ENVOY FOR 3 MAY 1958, "A Talk"  '
    assert one(nz.title_key, curly) == one(nz.title_key, straight) == "diary of the envoy for 3 may 1958, a talk"


def test_title_key_removes_accents():
    assert one(nz.title_key, "Letter from J\u00e1nos Kov\u00e1cs") == one(nz.title_key, "Letter from Janos Kovacs")


def test_title_key_unifies_dashes_and_drops_spaces_around_them():
    keys = many(nz.title_key, ["Soviet-Korean Talks", "Soviet \u2013 Korean Talks", "Soviet\u2014Korean Talks",
                               "Soviet \u2212 Korean Talks"])
    assert set(keys) == {"soviet-korean talks"}


def test_title_key_strips_trailing_punctuation():
    assert many(nz.title_key, ["Note on Talks.", "Note on Talks ;", "Note on Talks:"]) == ["note on talks"] * 3


def test_title_key_ignores_how_an_e_mail_address_was_masked_or_printed():
    keys = many(nz.title_key, ["Note to [email\u00a0protected] on Visas", "Note to [email protected] on Visas",
                               "Note to desk.officer@ministry.example on Visas"])
    assert set(keys) == {"note to [email] on visas"}


def test_title_key_ignores_invisible_characters():
    keys = many(nz.title_key, ["Note on Vi\u00adsas", "Note\u200b on Visas", "\ufeffNote on Visas"])
    assert set(keys) == {"note on visas"}


def test_title_key_keeps_numbered_titles_apart():
    first, second = many(nz.title_key, ["Weekly Bulletin No. 11", "Weekly Bulletin No. 12"])
    assert first != second


def test_summary_whitespace_folds_and_blank_is_null():
    assert many(nz.folded, ["The envoy\u00a0 reports\non talks. ", " \u00a0 "]) == \
        ["The envoy reports on talks.", None]


def test_text_keeps_paragraph_breaks_and_strips_lines():
    assert one(nz.body_text, "  First  line \n second line\r\n\r\nNext   paragraph  ") == \
        "First line\nsecond line\n\nNext paragraph"


def test_text_line_of_only_a_non_breaking_space_is_blank():
    assert one(nz.body_text, "One\n\u00a0\nTwo") == "One\n\nTwo"


def test_text_three_or_more_line_breaks_collapse_to_one_blank_line():
    assert one(nz.body_text, "One\n\n\n\n \n\nTwo") == "One\n\nTwo"


def test_nfc_composes_decomposed_letters_and_hangul_jamo():
    assert many(nz.nfc, ["Pe\u0301ter", "\u1112\u1161\u11ab"]) == ["P\u00e9ter", "\ud55c"]


def test_nfc_leaves_composed_text_as_it_is():
    text = "\u201cK\u00f6zl\u00e9s\u201d \u2014 \u0414\u0435\u043b\u043e \u2116 5, \ud55c\uad6d"
    assert one(nz.nfc, text) == text


# --- dates ----------------------------------------------------------------------------

def test_zero_padded_and_plain_day_dates_parse_alike():
    padded, plain = dates("March 04, 1957"), dates("March 4, 1957")
    assert padded == plain
    assert (padded["date"], padded["date_precision"], padded["date_start"]) == \
        ("1957-03-04", "day", date(1957, 3, 4))


def test_month_only_date_spans_the_whole_month():
    parsed = dates("November, 1958")
    assert (parsed["date"], parsed["date_precision"]) == ("1958-11", "month")
    assert (parsed["date_start"], parsed["date_end"]) == (date(1958, 11, 1), date(1958, 11, 30))


def test_month_without_comma_is_a_month():
    assert dates("April 1949")["date"] == "1949-04"


def test_february_of_a_leap_year_ends_on_the_29th():
    assert [dates(f"February {year}")["date_end"] for year in (1952, 1953, 1900, 2000)] == \
        [date(1952, 2, 29), date(1953, 2, 28), date(1900, 2, 28), date(2000, 2, 29)]


def test_year_only_date_spans_the_whole_year():
    parsed = dates("1953")
    assert (parsed["date"], parsed["date_precision"]) == ("1953", "year")
    assert (parsed["date_start"], parsed["date_end"]) == (date(1953, 1, 1), date(1953, 12, 31))


def test_roman_month_date_is_a_day():
    assert dates("3.XI.1956")["date"] == "1956-11-03"


def test_day_first_date_is_a_day():
    assert dates("21 March 1950")["date"] == "1950-03-21"


def test_day_range_with_slash_is_a_range_of_days():
    parsed = dates("9/10 June 1954")
    assert (parsed["date"], parsed["date_precision"]) == ("1954-06-09/1954-06-10", "range")
    assert (parsed["date_start"], parsed["date_end"]) == (date(1954, 6, 9), date(1954, 6, 10))


def test_day_range_month_first_is_a_range_of_days():
    assert dates("June 9-10, 1954")["date"] == "1954-06-09/1954-06-10"


def test_day_range_across_months_is_a_range_of_days():
    assert dates("June 30 - July 2, 1954")["date"] == "1954-06-30/1954-07-02"


def test_month_range_is_a_range_of_months():
    parsed = dates("March-April 1951")
    assert (parsed["date"], parsed["date_start"], parsed["date_end"]) == \
        ("1951-03/1951-04", date(1951, 3, 1), date(1951, 4, 30))


def test_year_range_is_a_range_of_years():
    parsed = dates("1949-1950")
    assert (parsed["date"], parsed["date_start"], parsed["date_end"]) == \
        ("1949/1950", date(1949, 1, 1), date(1950, 12, 31))


def test_decade_is_a_range_of_ten_years():
    parsed = dates("1970s")
    assert (parsed["date"], parsed["date_precision"], parsed["date_end"]) == \
        ("1970/1979", "range", date(1979, 12, 31))


def test_iso_date_is_a_day():
    assert dates("2009-11-05")["date"] == "2009-11-05"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_missing_date_is_unknown_without_error(text):
    assert dates(text) == {"date": None, "date_precision": "unknown", "date_start": None,
                           "date_end": None, "date_error": None}


def test_impossible_day_is_unknown_with_error():
    parsed = dates("April 31, 1960")
    assert (parsed["date"], parsed["date_precision"], parsed["date_start"]) == (None, "unknown", None)
    assert parsed["date_error"] == "no such day: April 31, 1960"


def test_month_13_is_unknown_with_error():
    assert dates("1960-13-01")["date_error"] == "no such month: 1960-13-01"


def test_date_in_no_known_form_is_unknown_with_error():
    parsed = dates("sometime after the war")
    assert (parsed["date_precision"], parsed["date_error"]) == \
        ("unknown", "not a date in a known form: sometime after the war")


@pytest.mark.parametrize("text", ["August 9,1958", "August 9 , 1958", "August 09 ,1958"])
def test_stray_spaces_around_the_comma_before_the_year_still_give_the_day(text):
    assert dates(text)["date"] == "1958-08-09"


@pytest.mark.parametrize("text", ["March , 1957", "March,1957"])
def test_stray_spaces_around_the_comma_of_a_month_only_date_still_give_the_month(text):
    assert (dates(text)["date"], dates(text)["date_precision"]) == ("1957-03", "month")


def test_decade_with_a_curly_apostrophe_is_a_decade():
    assert dates("1950\u2019s")["date"] == "1950/1959"


@pytest.mark.parametrize("text", ["0000", "March 0000"])
def test_year_zero_is_unknown_with_error_not_year_one(text):
    parsed = dates(text)
    assert (parsed["date"], parsed["date_precision"]) == (None, "unknown")
    assert parsed["date_error"] == f"no such year: {text}"


def test_range_ending_before_it_starts_is_an_error():
    assert dates("June 10-9, 1954")["date_error"] == "range ends before it starts: June 10-9, 1954"


DATE_EXAMPLES = {
    "iso_day": ("1961-05-02", "1961-05-02"),
    "iso_month": ("1961-05", "1961-05"),
    "month_day_year": ("Sept. 2nd, 1961", "1961-09-02"),
    "day_month_year": ("2 Sep 1961", "1961-09-02"),
    "roman_month": ("2. IX. 1961.", "1961-09-02"),
    "month_year": ("Sep, 1961", "1961-09"),
    "year": ("circa 1961", "1961"),
    "day_range_day_first": ("2\u20133 September 1961", "1961-09-02/1961-09-03"),
    "day_range_month_first": ("September 2 / 3, 1961", "1961-09-02/1961-09-03"),
    "day_range_across_months_day_first": ("31 August - 2 September 1961", "1961-08-31/1961-09-02"),
    "day_range_across_months_month_first": ("August 31-September 2, 1961", "1961-08-31/1961-09-02"),
    "month_range": ("Aug.\u2014Sept. 1961", "1961-08/1961-09"),
    "month_range_across_years": ("December 1961 - January 1962", "1961-12/1962-01"),
    "year_range": ("1961 \u2013 1962", "1961/1962"),
    "decade": ("1960's", "1960/1969"),
}


def test_every_grammar_pattern_has_an_example_here():
    assert set(DATE_EXAMPLES) == set(DATE_PATTERNS)


@pytest.mark.parametrize("name", list(DATE_EXAMPLES))
def test_every_grammar_pattern_is_a_date_line_and_parses(name):
    text, expected = DATE_EXAMPLES[name]
    assert is_date_text(text)
    assert dates(text)["date"] == expected


def test_prose_is_not_a_date_line():
    assert not is_date_text("Report on the border, 1961")


@pytest.mark.parametrize("text", ["Friday, October 3, 1958", "friday October 3, 1958", "Friday ,October 03, 1958",
                                  "Friday, 3 October 1958", "Friday, 3.X.1958"])
def test_weekday_before_a_date_of_one_day_is_not_part_of_the_date(text):
    parsed = dates(text)
    assert is_date_text(text)
    assert (parsed["date"], parsed["date_precision"], parsed["date_error"]) == ("1958-10-03", "day", None)


@pytest.mark.parametrize("text, expected, precision", [
    ("October 3, 1958.", "1958-10-03", "day"), ("October, 1958.", "1958-10", "month"),
    ("Friday, October 3, 1958.", "1958-10-03", "day"), ("3.X.1958.", "1958-10-03", "day"),
    ("Sept. 1958.", "1958-09", "month"), ("1958.", "1958", "year"),
    ("October 3-4, 1958.", "1958-10-03/1958-10-04", "range"),
])
def test_final_period_after_a_date_is_not_part_of_the_date(text, expected, precision):
    assert is_date_text(text)
    assert (dates(text)["date"], dates(text)["date_precision"]) == (expected, precision)


@pytest.mark.parametrize("text", ["Friday, October 1958", "Friday, 1958", "Friday, October 3-4, 1958",
                                  "October 3, 1958..", "Fridays, October 3, 1958"])
def test_weekday_only_before_a_date_of_one_day_and_one_final_period(text):
    assert not is_date_text(text)
    assert dates(text)["date_error"] == f"not a date in a known form: {text}"


# --- record id ------------------------------------------------------------------------

def record_ids(*pairs):
    frame = pl.DataFrame(pairs, schema={"record_id": pl.String, "url": pl.String}, orient="row")
    return frame.select(nz.record_id(pl.col("record_id"), pl.col("url"))).to_series().to_list()


def test_record_id_field_wins_over_the_address():
    assert record_ids(("4021", "https://digitalarchive.wilsoncenter.org/document/99")) == [4021]


def test_record_id_from_numeric_document_address():
    addresses = [(None, "https://digitalarchive.wilsoncenter.org/document/7714"), (None, "/document/7714/")]
    assert record_ids(*addresses) == [7714, 7714]


def test_node_address_gives_no_record_id():
    assert record_ids((None, "https://digitalarchive.wilsoncenter.org/node/7714")) == [None]


def test_slug_address_gives_no_record_id():
    assert record_ids((None, "https://digitalarchive.wilsoncenter.org/document/letter-to-the-ministry")) == [None]


# --- Source field ---------------------------------------------------------------------

def test_archive_reference_drops_translator_sentence_and_final_period():
    assert one(nz.archive_reference, "GARF Fond 9401, Opis 2, Delo 65. Translated by Ann Petrova.") == \
        "GARF Fond 9401, Opis 2, Delo 65"


@pytest.mark.parametrize("sentence", ["Obtained by the Project.", "Contributed by Ann Petrova.",
                                      "Donated by a Reader."])
def test_archive_reference_drops_obtained_contributed_donated_sentences(sentence):
    assert one(nz.archive_reference, f"RGASPI fond 17, opis 3, delo 11. {sentence}") == \
        "RGASPI fond 17, opis 3, delo 11"


def test_source_with_only_a_translator_sentence_has_no_reference():
    assert one(nz.archive_reference, "Translated by Ann Petrova.") is None


def test_long_form_parts_are_parsed():
    assert parts("AVPRF fond 0059, opis 5, delo 11, p.40-47") == {
        "archive": "AVPRF", "fond": "0059", "opis": "5", "delo": "11", "papka": None,
        "pages": "40-47", "file_number": None}


def test_papka_before_delo_is_not_pages():
    found = parts("AVPRF F. 0059, Op. 5, P. 18, Delo 11, Listy 40-47")
    assert (found["fond"], found["opis"], found["papka"], found["delo"], found["pages"]) == \
        ("0059", "5", "18", "11", "40-47")


@pytest.mark.parametrize("reference, pages", [
    ("RGASPI f. 17, op. 3, d. 11, l. 5", "5"),
    ("RGASPI f. 17, op. 3, d. 11, ll. 5-9", "5-9"),
    ("RGASPI f. 17, op. 3, d. 11, list 5", "5"),
    ("RGASPI f. 17, op. 3, d. 11, listy 5-9", "5-9"),
    ("RGASPI f. 17, op. 3, d. 11, pp. 5-9", "5-9"),
])
def test_abbreviated_parts_are_parsed(reference, pages):
    found = parts(reference)
    assert (found["archive"], found["fond"], found["opis"], found["delo"], found["pages"]) == \
        ("RGASPI", "17", "3", "11", pages)


def test_part_values_keep_leading_zeros_and_letters():
    found = parts("GARF f. R-0546, op. 01, d. 007")
    assert (found["fond"], found["opis"], found["delo"]) == ("R-0546", "01", "007")


def test_archive_is_the_parenthesised_acronym_when_named_in_full():
    assert parts("Russian State Archive of Social and Political History (RGASPI), f. 17, op. 3")["archive"] == \
        "RGASPI"


@pytest.mark.parametrize("reference, archive", [
    ("APRF, fond 3, opis 65", "APRF"),
    ("RGVA fond 4, opis 14", "RGVA"),
    ("Polish Central Archives 1234/5", "Polish Central Archives"),
])
def test_archive_is_the_leading_name_before_comma_keyword_or_number(reference, archive):
    assert parts(reference)["archive"] == archive


@pytest.mark.parametrize("reference", ["PRC FMA No. 118-00452-09", "PRC FMA no.118-00452-09",
                                       "PRC FMA \u2116 118-00452-09", "PRC FMA Nr 118-00452-09"])
def test_a_number_label_before_the_number_is_not_part_of_the_archive(reference):
    found = parts(reference)
    assert (found["archive"], found["file_number"]) == ("PRC FMA", "118-00452-09")


@pytest.mark.parametrize("reference", ["RGASPI. F. 17. Op. 3. D. 11. L. 5-9",
                                       "\u0420\u0413\u0410\u0421\u041f\u0418. \u0424. 17. \u041e\u043f. 3. "
                                       "\u0414. 11. \u041b. 5-9"])
def test_parts_separated_by_periods_are_parsed_and_the_period_is_no_part_of_the_archive(reference):
    found = parts(reference)
    assert (found["archive"], found["fond"], found["opis"], found["delo"], found["pages"]) == \
        (reference.split(".")[0], "17", "3", "11", "5-9")


def test_reference_without_an_archive_name_has_no_archive():
    assert parts("Fond 3, Opis 65, Delo 9")["archive"] is None


def test_prc_foreign_ministry_number_is_the_file_number():
    found = parts("PRC FMA 118-00452-09")
    assert (found["archive"], found["file_number"], found["fond"]) == ("PRC FMA", "118-00452-09", None)


def test_prc_foreign_ministry_sub_number_after_a_space_is_kept_like_one_printed_without_it():
    spaced, unspaced = parts("PRC FMA 109-03311-07 (2)"), parts("PRC FMA 109-03311-07(2)")
    assert spaced["file_number"] == unspaced["file_number"] == "109-03311-07(2)"
    assert spaced["archive"] == "PRC FMA"


def test_prc_foreign_ministry_number_followed_by_a_year_in_parentheses_has_no_sub_number():
    assert parts("PRC FMA 109-03311-07 (1958)")["file_number"] == "109-03311-07"


@pytest.mark.parametrize("reference, pages", [
    ("PRC FMA 118-00452-09, 12-15", "12-15"),
    ("PRC FMA 118-00452-09(1), 3", "3"),
    ("PRC FMA 118-00452-09 (1), 3-5, 8", "3-5, 8"),
])
def test_pages_after_a_prc_foreign_ministry_number_without_a_label_are_read(reference, pages):
    assert parts(reference)["pages"] == pages


@pytest.mark.parametrize("reference", ["PRC FMA 118-00452-09, 1958", "PRC FMA 118-00452-09, Beijing"])
def test_a_year_or_words_after_a_prc_foreign_ministry_number_are_not_pages(reference):
    assert parts(reference)["pages"] is None


def test_hungarian_record_group_is_the_fond():
    found = parts("MOL, XIX-J-1-k Japan, 1971, 12. doboz, 4/bc, 00123/1971")
    assert (found["archive"], found["fond"]) == ("MOL", "XIX-J-1-k")


def test_hungarian_record_group_without_commas_is_the_fond_not_part_of_the_archive():
    found = parts("MOL XIX-J-1-k Japan 1971 12. doboz")
    assert (found["archive"], found["fond"]) == ("MOL", "XIX-J-1-k")


@pytest.mark.parametrize("reference", [
    "AVPRF fond 0059, opis 5, delo 11, p.40-47", "avprf FOND 0059 OPIS 5 DELO 11 P. 40-47",
    "AVPRF f.0059,op.5,d.11,ll.40-47", "AVPRF  F. 0059,  Op. 5,  D. 11,  L. 40-47",
])
def test_spelling_variants_of_one_reference_give_the_same_parts(reference):
    found = parts(reference)
    assert (found["fond"], found["opis"], found["delo"], found["pages"]) == ("0059", "5", "11", "40-47")


@pytest.mark.parametrize("reference, pages", [
    ("AVPRF fond 0317, opis 21, delo 44, p. 61 - 88", "61-88"),
    ("AVPRF fond 0317, opis 21, delo 44, p.61 -88", "61-88"),
    ("AVPRF fond 0317, opis 21, delo 44, pp. 61- 88", "61-88"),
    ("AVPRF F. 0317, Op. 21, P. 53, Delo 44, Listy 61 \u2013 88", "61\u201388"),
    ("AVPRF F. 0317, Op. 21, D. 44, ll. 61  -  88", "61-88"),
    ("AVPRF F. 0317, Op. 21, D. 44, l. 61 - 88ob", "61-88ob"),
])
def test_page_range_with_spaces_around_its_dash_is_kept_whole_like_an_unspaced_one(reference, pages):
    found = parts(reference)
    assert (found["fond"], found["opis"], found["delo"], found["pages"]) == ("0317", "21", "44", pages)
    assert parts(re.sub(r"\s*([-\u2013])\s*(?=\d)", r"\1", reference))["pages"] == pages


def test_spaced_page_range_keeps_the_papka_before_the_delo():
    found = parts("AVPRF F. 0317, Op. 21, P. 53, Delo 44, Listy 61 \u2013 88")
    assert (found["papka"], found["pages"]) == ("53", "61\u201388")


def test_bare_p_after_the_delo_or_alone_takes_a_spaced_range():
    assert parts("RGANI Fond 5, Opis 30, Delo 118, P. 7 - 12")["pages"] == "7-12"
    assert parts("Archive of the Harbour Board, p. 7 - 12")["pages"] == "7-12"


def test_a_dash_after_the_pages_not_followed_by_a_number_ends_them():
    assert parts("AVPRF fond 0317, opis 21, delo 44, l. 61 - copy")["pages"] == "61"


@pytest.mark.parametrize("reference, pages", [
    ("RGASPI f. 17, op. 3, d. 11, ll. 1, 3-5", "1, 3-5"),
    ("RGASPI fond 17, opis 3, delo 11, pp. 40-42, 47-49", "40-42, 47-49"),
    ("RGASPI fond 17, opis 3, delo 11, p.40-42,47", "40-42, 47"),
    ("RGASPI F. 17, Op. 3, D. 11, Listy 40 \u2013 42; 47", "40\u201342; 47"),
    ("\u0420\u0413\u0410\u0421\u041f\u0418, \u0444. 17, \u043e\u043f. 3, \u0434. 11, \u043b. 12, 14-15", "12, 14-15"),
])
def test_a_list_of_pages_that_ends_the_reference_is_kept_whole(reference, pages):
    assert parts(reference)["pages"] == pages


def test_numbers_after_the_pages_that_do_not_end_the_reference_are_not_pages():
    assert parts("RGASPI f. 17, op. 3, d. 11, l. 5, 12 copies")["pages"] == "5"


def test_cyrillic_reference_parts_are_parsed():
    found = parts("\u0410\u041f\u0420\u0424, \u0444. 3, \u043e\u043f. 65, \u0434. 9, \u043b. 12-14")
    assert (found["archive"], found["fond"], found["opis"], found["delo"], found["pages"]) == \
        ("\u0410\u041f\u0420\u0424", "3", "65", "9", "12-14")


# --- translators and funders ----------------------------------------------------------

def test_translator_sentence_gives_one_name():
    assert one(nz.translators, "APRF, fond 3. Translated by Ann Petrova.") == ["Ann Petrova"]


def test_translated_for_a_project_by_gives_the_name():
    assert one(nz.translators, "APRF, fond 3. Translated for the Project by Ann Petrova.") == ["Ann Petrova"]


def test_additional_translator_is_a_translator_and_an_editor_is_not():
    assert many(nz.translators, ["Translated by Ann Petrova, edited by Bo Lindqvist.",
                                 "Translated by Ann Petrova; edited by Bo Lindqvist.",
                                 "Translated by Ann Petrova and edited by Bo Lindqvist.",
                                 "Translated by Ann Petrova, with additional translation by Cai Wen."]) == [
        ["Ann Petrova"], ["Ann Petrova"], ["Ann Petrova"], ["Ann Petrova", "Cai Wen"]]


def test_a_suffix_after_a_comma_stays_in_its_name():
    assert many(nz.translators, ["Translated by Amund Frey, Jr. and Bo Lindqvist.",
                                 "Translated by Ann Petrova and Amund Frey, Sr."]) == [
        ["Amund Frey, Jr.", "Bo Lindqvist"], ["Ann Petrova", "Amund Frey, Sr."]]


def test_two_translators_joined_by_and_are_two_names():
    assert one(nz.translators, "Translated by Ann Petrova and Bo Lindqvist.") == ["Ann Petrova", "Bo Lindqvist"]


def test_initials_are_not_sentence_ends():
    assert one(nz.translators, "RGVA. Translated by K. L. Moss, T. Ueda and R. Ng. Obtained by the Project.") == \
        ["K. L. Moss", "T. Ueda", "R. Ng"]


def test_two_letter_initials_of_russian_names_are_not_sentence_ends():
    assert many(nz.translators, ["Translated by A. Ya. Rudenko.", "Translated by Yu. Vanin and B. Kh. Orlova.",
                                 "Translated by Ann Petrova, Zh. Ivanova and Cai Wen."]) == [
        ["A. Ya. Rudenko"], ["Yu. Vanin", "B. Kh. Orlova"], ["Ann Petrova", "Zh. Ivanova", "Cai Wen"]]


def test_a_two_letter_surname_at_a_sentence_end_ends_the_sentence():
    assert one(nz.translators, "Translated by Lee Yu. Edited by Bo Lindqvist.") == ["Lee Yu"]


def test_an_initial_that_ends_a_name_before_the_next_sentence_ends_the_sentence():
    assert many(nz.translators, ["Translated by Ann P. Obtained by the Project.",
                                 "Translated by Bo Lindqvist and Ann P. Edited by Cai Wen."]) == [
        ["Ann P."], ["Bo Lindqvist", "Ann P."]]


def test_three_translators_with_commas_and_and_are_three_names():
    assert many(nz.translators, ["Translated by Ann Petrova, Bo Lindqvist and Cai Wen.",
                                 "Translated by Ann Petrova, Bo Lindqvist, and Cai Wen."]) == \
        [["Ann Petrova", "Bo Lindqvist", "Cai Wen"]] * 2


@pytest.mark.parametrize("source", [
    "MOL, XIX-J-1-j Burma, 1958, 3. doboz. Obtained and translated for the Project by Ann Petrova.",
    "GARF f. 5, op. 2. Contributed by Bo Lindqvist and translated by Ann Petrova.",
])
def test_translator_named_in_an_obtained_and_translated_sentence(source):
    assert one(nz.translators, source) == ["Ann Petrova"]


def test_colon_after_translated_by_is_not_part_of_the_name():
    assert one(nz.translators, "GARF f. 5. Translated by: Ann Petrova.") == ["Ann Petrova"]


def test_a_title_before_a_translator_name_is_not_a_sentence_end():
    assert one(nz.translators, "Translated by Dr. Ann Petrova and Prof. Bo Lindqvist.") == \
        ["Dr. Ann Petrova", "Prof. Bo Lindqvist"]


def test_no_translator_sentence_gives_an_empty_list():
    assert many(nz.translators, ["APRF, fond 3, opis 65", None]) == [[], []]


def test_funder_loses_leading_the():
    assert one(nz.funders, "the Harbour Foundation") == ["Harbour Foundation"]


def test_several_funders_split_at_commas_and_and_the():
    assert one(nz.funders, "the Harbour Foundation, the Ridge Trust and the Office of Culture") == \
        ["Harbour Foundation", "Ridge Trust", "Office of Culture"]


def test_funder_trailing_period_is_dropped():
    assert one(nz.funders, "the Harbour Foundation.") == ["Harbour Foundation"]


@pytest.mark.parametrize("text", ["the Harbour Foundation; the Ridge Trust", "the Harbour Foundation & the Ridge Trust"])
def test_funders_split_at_semicolons_and_ampersand_the(text):
    assert one(nz.funders, text) == ["Harbour Foundation", "Ridge Trust"]


def test_an_ampersand_after_the_last_comma_is_no_part_of_the_last_funder():
    assert one(nz.funders, "the Harbour Foundation, the Ridge Trust, & the Office of Culture") == \
        ["Harbour Foundation", "Ridge Trust", "Office of Culture"]


def test_and_inside_a_funder_name_does_not_split_it():
    assert one(nz.funders, "the Ministry of Science and Technology") == ["Ministry of Science and Technology"]


def test_no_funders_gives_an_empty_list():
    assert many(nz.funders, [None, ""]) == [[], []]


# --- document type --------------------------------------------------------------------

def doc_types(*pairs):
    frame = pl.DataFrame(pairs, schema={"type": pl.String, "title": pl.String}, orient="row")
    return frame.select(nz.document_type(pl.col("type"), pl.col("title"))).to_series().to_list()


def test_type_field_wins_over_the_title_and_is_folded():
    assert doc_types((" Meeting \u00a0Minutes ", "Cable from the Embassy")) == ["Meeting Minutes"]


@pytest.mark.parametrize("title, expected", [
    ("Journal of the Envoy for 4 May 1958", "Journal"),
    ("Diary of the Envoy", "Journal"),
    ("Cable from the Consulate", "Cable"),
    ("Telegram to the Ministry", "Telegram"),
    ("Memorandum of Conversation with the Premier", "Memorandum of Conversation"),
    ("Memo of a Conversation with the Premier", "Memorandum of Conversation"),
    ("Memorandum on Border Crossings", "Memorandum"),
    ("Memo to the Secretary", "Memorandum"),
    ("Record of Conversation with the Premier", "Record of Conversation"),
    ("Record of the Second Conversation with the Premier", "Record of Conversation"),
    ("Notes from a Conversation with the Premier", "Record of Conversation"),
    ("Minutes of Conversation with the Premier", "Record of Conversation"),
    ("Report on the Harvest", "Report"),
    ("Information Report on the Harvest", "Report"),
    ("Situation Report No. 4", "Report"),
    ("Letter to the Premier", "Letter"),
    ("Minutes of the Plenum", "Minutes"),
    ("Protocol on Border Trade", "Protocol"),
    ("Instructions to the Delegation", "Instructions"),
    ("Resolution of the Presidium", "Resolution"),
    ("Decree on Citizenship", "Decree"),
    ("Speech at the Rally", "Speech"),
    ("Note to the Embassy", "Note"),
    ("News Briefing No. 3", "News Briefing"),
    ("Transcript of the Talks", "Transcript"),
    ("Agreement on Fisheries", "Agreement"),
])
def test_type_from_the_start_of_the_title(title, expected):
    assert doc_types((None, title)) == [expected]


def test_type_from_a_quoted_sub_title():
    assert doc_types((None, "Provincial Office, 'Situation Report No. 2: Crossings'"),
                     (None, "Provincial Office, \u201cNews Briefing No. 9\u201d")) == ["Report", "News Briefing"]


def test_title_start_wins_over_a_quoted_sub_title():
    assert doc_types((None, "Cable from the Office, 'Report on Crossings'")) == ["Cable"]


def test_qualifying_words_keep_the_type_of_the_form():
    assert doc_types((None, "Ciphered Telegram, Legation to the Ministry"), (None, "Draft Decree on Exit Permits"),
                     (None, "Party Office, 'Urgent Report No. 3'")) == ["Telegram", "Decree", "Report"]


def test_upper_cased_title_gives_its_type():
    assert doc_types((None, "TELEGRAM FROM THE LEGATION")) == ["Telegram"]


def test_title_of_no_known_form_has_no_type():
    assert doc_types((None, "Opinions on the Border Question"), (None, "The Ministry's Report")) == [None, None]


def test_document_types_table_is_ordered_longest_form_first():
    names = list(nz.DOCUMENT_TYPES)
    assert names.index("Memorandum of Conversation") < names.index("Memorandum")
    assert names.index("Record of Conversation") < names.index("Minutes") < names.index("Note")


# --- the stage ------------------------------------------------------------------------

def test_rows_keep_their_order_and_every_input_column():
    batch = records({"position": 3, "date_text": "1955"}, {"position": 1, "date_text": "May 1955"},
                    {"position": 2, "date_text": "1955"})
    out = nz.normalise_records(batch)
    assert out.select("source_id", "position").equals(batch.select("source_id", "position"))
    assert out.columns[: batch.width] == batch.columns
    assert out.get_column("date").to_list() == ["1955", "1955-05", "1955"]


def test_output_types_follow_the_documents_schema():
    documents = polars_schema(load_schema("documents"))
    out = nz.normalise_records(records({"date_text": "May 1955"}))
    shared = {name: dtype for name, dtype in documents.items() if name in out.columns}
    assert {name: out.schema[name] for name in shared} == shared
    assert {"date_start", "date_end", "uploaded_date", "translators", "funders", "archive", "pages"} <= set(shared)
    assert (out.schema["title_key"], out.schema["date_error"]) == (pl.String, pl.String)


def test_every_normalised_field_is_filled_from_one_record():
    out = nz.normalise_records(records({
        "date_text": "June 5, 1956", "title": "Record of Conversation  with the Envoy",
        "summary": "The envoy\u00a0talks.", "text": "One\n\n\n\nTwo",
        "source": "AVPRF F. 0102, Op. 12, P. 68, Delo 5, Listy 1-4. Translated by Ann Petrova.",
        "url": "/document/5512", "language": " Russian ", "rights": "Reuse  welcome.",
        "uploaded_date_text": "2015-01-20", "funders_text": "the Harbour Foundation",
        "original_archive": "", "classification": "Top  Secret",
    })).row(0, named=True)
    expected = {
        "title": "Record of Conversation with the Envoy", "title_key": "record of conversation with the envoy",
        "summary": "The envoy talks.", "text": "One\n\nTwo", "record_id": 5512,
        "document_type": "Record of Conversation", "date": "1956-06-05", "date_precision": "day",
        "date_start": date(1956, 6, 5), "date_end": date(1956, 6, 5), "date_error": None,
        "archive": "AVPRF", "archive_reference": "AVPRF F. 0102, Op. 12, P. 68, Delo 5, Listy 1-4",
        "fond": "0102", "opis": "12", "papka": "68", "delo": "5", "pages": "1-4", "file_number": None,
        "translators": ["Ann Petrova"], "funders": ["Harbour Foundation"], "uploaded_date": date(2015, 1, 20),
        "language": "Russian", "rights": "Reuse welcome.", "original_archive": None,
        "classification": "Top Secret",
    }
    assert {name: out[name] for name in expected} == expected


def test_weekday_date_spaced_page_range_and_spaced_sub_number_through_the_stage():
    out = nz.normalise_records(records(
        {"date_text": "Friday, October 3, 1958.", "source": "PRC FMA 109-03311-07 (2). Translated by Ida Marsh."},
        {"date_text": "October 3, 1958.",
         "source": "AVPRF fond 0317, opis 21, delo 44, p. 61 - 88. Translated by Ida Marsh."},
    ))
    assert out.get_column("date").to_list() == ["1958-10-03", "1958-10-03"]
    assert out.get_column("date_error").to_list() == [None, None]
    assert out.get_column("archive_reference").to_list() == \
        ["PRC FMA 109-03311-07 (2)", "AVPRF fond 0317, opis 21, delo 44, p. 61 - 88"]
    assert out.get_column("file_number").to_list() == ["109-03311-07(2)", None]
    assert out.get_column("pages").to_list() == [None, "61-88"]


def test_bad_dates_set_date_error_for_quarantine():
    out = nz.normalise_records(records({"date_text": "February 30, 1956"}, {"date_text": "1956"}))
    assert out.get_column("date_error").to_list() == ["no such day: February 30, 1956", None]
    assert out.get_column("date_precision").to_list() == ["unknown", "year"]


def test_empty_batch_normalises_to_an_empty_table():
    out = nz.normalise_records(empty_table(load_schema("records")))
    assert out.height == 0 and {"title_key", "date_start", "translators"} <= set(out.columns)


# --- found by captures written to break the normaliser ------------------------------------

@pytest.mark.parametrize("text", ["28.XIII.1962", "28.IIII.1962", "28.VV.1962"])
def test_a_roman_month_that_names_no_month_is_no_date(text):
    parsed = dates(text)
    assert (parsed["date"], parsed["date_precision"]) == (None, "unknown")
    assert parsed["date_error"].startswith("no such month")


def test_an_acronym_after_a_part_names_the_part_not_the_archive():
    assert parts("RGASPI, f. 17 (CC CPSU), op. 3, d. 1090")["archive"] == "RGASPI"
    assert parts("RGANI, fond 5, opis 30, delo 89 (TsKhSD)")["archive"] == "RGANI"


def test_ranks_and_affiliations_in_translator_names():
    assert many(nz.translators, ["Translated by Lt. Col. Amund Frey.", "Translated by Ann Petrova (NKIDP).",
                                 "Translation by Bo Lindqvist."]) == [
        ["Lt. Col. Amund Frey"], ["Ann Petrova"], ["Bo Lindqvist"]]


@pytest.mark.parametrize("sentence", ["; translated by Ann Petrova", ". Translation by Ann Petrova.",
                                      ". Included in the reader for the conference on the war."])
def test_archive_reference_drops_other_added_sentences(sentence):
    assert one(nz.archive_reference, f"RGASPI fond 17, opis 3, delo 11{sentence}") == "RGASPI fond 17, opis 3, delo 11"


def test_a_quoted_word_inside_a_title_names_no_type():
    assert doc_types((None, "Discussion of the 'Note' of the Harbour Board"),
                     (None, "Board of Beacons, 'Report on the Lamps'")) == [None, "Report"]


def test_list_items_fold_like_fields_and_blank_items_are_dropped():
    """A contributed table's lists arrive as written (a capture's are folded when extracted)."""
    out = nz.normalise_records(records({
        "authors": ["", "  Kim\u00a0 Il-bok ", "\u00a0"], "places": ["Sakhalin", "Seoul,\n South Korea"],
        "subjects": ["Repatriation", "Citizenship"],
    })).row(0, named=True)
    assert (out["authors"], out["places"], out["subjects"]) == (
        ["Kim Il-bok"], ["Sakhalin", "Seoul, South Korea"], ["Repatriation", "Citizenship"])


def test_published_fields_lose_the_invisible_characters_a_page_holds():
    out = nz.normalise_records(records({
        "date_text": "\ufeffJune\u200b 5, 1956", "title": "Report on the Re\u00adpatriation\u200b of Koreans",
        "summary": "The consul\u200d lists the ships.", "text": "First\u2060 line\n\nSecond line\u00ad",
        "source": "AVPRF fond 0102, opis 1\u00ad6, delo 7. Translated by Min\u00adji Kang.",
        "funders_text": "the Harbour\u200b Foundation",
    })).row(0, named=True)
    assert {name: out[name] for name in ("title", "summary", "text", "archive_reference", "opis",
                                         "translators", "funders", "date", "title_key")} == {
        "title": "Report on the Repatriation of Koreans", "summary": "The consul lists the ships.",
        "text": "First line\n\nSecond line", "archive_reference": "AVPRF fond 0102, opis 16, delo 7",
        "opis": "16", "translators": ["Minji Kang"], "funders": ["Harbour Foundation"], "date": "1956-06-05",
        "title_key": "report on the repatriation of koreans",
    }


@pytest.mark.parametrize("text, expected", [
    ("May \uff15, \uff11\uff19\uff16\uff12", "1962-05-05"),  # full-width digits
    ("May 5\uff0c1962", "1962-05-05"),  # a full-width comma
    ("October\uff0c 1959", "1959-10"),
])
def test_a_date_printed_in_full_width_characters_is_read(text, expected):
    assert (dates(text)["date"], dates(text)["date_error"]) == (expected, None)


def test_a_date_in_digits_of_another_script_is_a_date_error_not_a_failed_run():
    found = many(nz.parsed_dates, ["May \u0665, \u0661\u0669\u0666\u0662", "June 1, 1962"])
    assert [(d["date"], d["date_error"] is None) for d in found] == [(None, False), ("1962-06-01", True)]


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2015", "\u2212"])
def test_a_date_range_printed_with_any_dash_is_a_range(dash):
    assert dates(f"May 5{dash}6, 1962")["date"] == "1962-05-05/1962-05-06"
    assert dates(f"1961{dash}1962")["date"] == "1961/1962"
    assert is_date_text(f"May 5{dash}6, 1962")


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2212", "\uff0d"])
def test_a_page_range_printed_with_a_hyphen_like_dash_keeps_its_last_page(dash):
    assert parts(f"AVPRF fond 0102, opis 14, delo 9, p.21{dash}30")["pages"] == f"21{dash}30"
    assert parts(f"AVPRF F. 0102, Op. 13, P. 72, Delo 5, Listy 165 {dash} 192")["pages"] == f"165{dash}192"


def test_published_date_text_folds_non_breaking_and_narrow_spaces():
    out = nz.normalise_records(records({"date_text": "August\u00a012,\u202f1959 "}, {"date_text": "May \uff11\uff12, 1960"}))
    assert out.get_column("date_text").to_list() == ["August 12, 1959", "May \uff11\uff12, 1960"]
    assert out.get_column("date").to_list() == ["1959-08-12", "1960-05-12"]
