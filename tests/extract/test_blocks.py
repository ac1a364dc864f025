import pytest

from etl.extract.blocks import (
    cut_last_line, fold, funder_text, is_chrome, is_count_line, is_entry_date, new_record,
    page_lines, page_url, reads_as_prose, record_fields, record_id_from_url,
)


@pytest.mark.parametrize("text", ["ends with a newline\n", "ends in a digit 1960", "ends a sentence.",
                                  "ends in a bracket [email protected]", "ends in a quote\u201d"])
def test_complete_last_lines_are_not_cut(text):
    assert cut_last_line(text) is None


def test_last_line_stopping_mid_word_is_cut():
    assert cut_last_line("First line.\nThe keeper lists the repairs to the lant") == \
        "The keeper lists the repairs to the lant"


@pytest.mark.parametrize("last", ["Letter from O. T. ", "Report on the Lights, 1961.\t"])
def test_last_line_that_stops_after_a_space_is_cut_between_two_words(last):
    assert cut_last_line("Skip to content\n\n" + last) == last.strip()


@pytest.mark.parametrize("last", ["March 1", "  \u2022 March 06, 19", "Friday, March 6", "March 6,"])
def test_last_line_that_is_a_date_without_its_year_is_cut(last):
    assert cut_last_line("Skip to content\n\nA Title\n\n" + last) == last.strip()


@pytest.mark.parametrize("last", ["March 6, 1971", "March 1971", "Record ID 400781", "Room 12"])
def test_last_line_ending_in_a_complete_date_or_number_is_not_cut(last):
    assert cut_last_line("A Title\n\n" + last) is None


def test_prose_without_its_final_period_reads_as_prose_and_titles_do_not():
    assert reads_as_prose("The keepers ask the board for oil and for a second boat before winter")
    assert not reads_as_prose("Report of the Harbour Board on the Lamps of the Northern Coast")
    assert not reads_as_prose("Memo on boats")  # too few words to tell


@pytest.mark.parametrize("line", ["December 06, 1955", "December 6, 1955", "October, 1959", "June 1977",
                                  "1961", "1950's", "1961-1962", "  \u2022 May 05, 1962"])
def test_document_date_lines(line):
    assert is_entry_date(line)


@pytest.mark.parametrize("line", ["14 September 1960", "28.VIII.1962", "2014-07-31", "Memorandum"])
def test_day_first_and_iso_dates_are_not_document_date_lines(line):
    assert not is_entry_date(line)


@pytest.mark.parametrize("line", ["Friday, October 3, 1958", "FRIDAY October 03, 1958",
                                  "  \u2022 Friday, October 03, 1958", "October 3, 1958.", "October, 1958.",
                                  "Oct. 1958.", "Friday, October 3, 1958.", "  \u2022 October 03, 1958."])
def test_document_date_lines_with_a_weekday_or_a_final_period(line):
    assert is_entry_date(line)


@pytest.mark.parametrize("line", ["Friday, 3 October 1958", "3 October 1958.", "3.X.1958.", "Friday, 3.X.1958",
                                  "Friday, 3.X.1958.", "2014-07-31.", "Friday, 2014-07-31", "Friday, 1958",
                                  "Friday, October 1958", "Friday", "Friday, the harbour board meets"])
def test_day_first_iso_and_weekday_only_lines_are_not_document_date_lines(line):
    assert not is_entry_date(line)


def test_web_archive_addresses_stand_for_the_original_page():
    original = "http://archive.example.org/document/120001"
    for copy in ["https://web.archive.org/web/20150912083000/http://archive.example.org:80/document/120001",
                 "/web/20150912083000id_/http://archive.example.org/document/120001",
                 "https://wayback.archive-it.org/4321/20150912083000/http://archive.example.org/document/120001"]:
        assert page_url(copy, None) == original
    assert page_url("document/120001", "https://web.archive.org/web/20150912083000/http://archive.example.org/") \
        == original
    assert page_url("/document/7", "https://archive.example.org/x") == "/document/7"


def test_record_id_only_from_numeric_document_urls():
    assert record_id_from_url("https://digitalarchive.example.org/document/120001") == "120001"
    assert record_id_from_url("/node/55") is None
    assert record_id_from_url("/document/a-slug-title") is None


def test_lines_of_only_non_breaking_spaces_are_blank():
    assert page_lines("a\n\u00a0\u00a0\nb\r\n") == ["a", "", "b", ""]


def test_fold_turns_runs_of_spaces_and_nbsp_into_one_space():
    assert fold("  [email\u00a0protected]   here ") == "[email protected] here"


def test_funder_text_is_what_follows_support_from():
    assert funder_text("This document was made possible with support from the Invented Fund") == "the Invented Fund"


def test_chrome_lines():
    assert is_chrome("Skip to content") and is_chrome("[email\u00a0protected]") and is_count_line("1 - 20 of 1,204")
    assert not is_chrome("Report on the Lights")


def test_records_have_every_schema_field_and_never_empty_strings():
    record = new_record("listing_old", 1, title="A Title", summary="", authors=[])
    assert tuple(record) == record_fields() and "source_id" not in record
    assert record["summary"] is None and record["authors"] is None


def test_records_refuse_fields_the_schema_does_not_name():
    with pytest.raises(KeyError):
        new_record("listing_old", 1, title="A Title", colour="blue")


@pytest.mark.parametrize("line", ["1 2 3 \u2026 9 Next \u203a", "\u00ab First", "Load more", "Page 2"])
def test_pager_lines_are_chrome(line):
    assert is_chrome(line)


def test_a_year_alone_is_a_date_not_a_page_number():
    assert not is_chrome("1961") and is_entry_date("1961")


def test_result_counts_and_year_ranges_take_every_dash_a_date_range_takes():
    for dash in ("-", "\u2010", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"):
        assert is_count_line(f"1 {dash} 20 of 45") and is_count_line(f"Results: 1{dash}3 of 3"), dash
        assert is_entry_date(f"1959{dash}1962"), dash
    assert not is_count_line("1 / 20 of 45") and not is_count_line("1 = 20 of 45")
