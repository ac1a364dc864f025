from capture_cases import assert_case, extract_case

from etl.extract import extract_capture, listing_search


def test_search_results_with_labels_give_entries_in_order():
    assert_case("listing_search/results")


def test_search_entry_without_summary_has_summary_none():
    second = extract_case("listing_search/results").records[1]
    assert second["summary"] is None and second["date_text"] == "March 18, 1971"


def test_count_line_alone_with_single_newlines_and_undated_entry():
    assert_case("listing_search/count_only_single_newlines")


def test_capture_without_chrome_starting_with_a_summary_line():
    extraction = assert_case("listing_search/no_chrome_summary_first")
    assert all("earlier report" not in (r["summary"] or "") for r in extraction.records)


def test_person_page_ending_in_related_documents():
    extraction = assert_case("listing_search/person_page")
    assert all("Ilse Morrow (1920" not in r["title"] for r in extraction.records)


def test_html_search_results_take_record_ids_from_title_links():
    assert_case("listing_search/result_blocks")


def test_bulleted_dates_are_not_search_results():
    text = "  \u2022 May 05, 1962\n\n    A Title\n\n  \u2022 May 06, 1962\n\n    Another Title\n"
    assert not listing_search.matches(text)


def test_one_dated_paragraph_is_not_a_listing():
    assert not listing_search.matches("Notes\n\nMay 5, 1962\n\nA Title\n\nSome body text.\n")


def test_person_page_with_one_related_document_is_a_listing():
    text = ("Skip to content\n\nAmund Frey\n\nAmund Frey kept the North Light from 1950 to 1971.\n\n"
            "Related Documents\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper.\n")
    assert listing_search.matches(text)
    assert [(r["date_text"], r["title"]) for r in listing_search.extract(text).records] == [
        ("May 5, 1962", "Letter of Amund Frey to the Ministry of Beacons")]


def test_summary_without_its_final_period_is_not_an_undated_entry():
    text = ("Skip to content\n\n1 - 2 of 2\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper and for oil for the winter months\n\n"
            "May 9, 1962\n\nReply of the Ministry of Beacons to Amund Frey\n")
    records = listing_search.extract(text).records
    assert [(r["date_text"], r["summary"]) for r in records] == [
        ("May 5, 1962", "Frey asks for a second keeper and for oil for the winter months"), ("May 9, 1962", None)]


def test_search_listing_cut_in_a_date_line_is_truncated():
    text = ("Skip to content\n\n1 - 2 of 2\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper.\n\nMay 1")
    extraction = listing_search.extract(text)
    assert extraction.truncated and len(extraction.records) == 1


def test_pager_after_the_last_entry_is_not_an_entry():
    text = ("1 - 2 of 40\n\nMay 1, 1970\n\nA Memo on Lights\n\nThe memo asks for lights.\n\n"
            "May 2, 1970\n\nA Second Memo\n\nThe second memo repeats the request.\n\n1 2 3 \u2026 20 Next \u203a\n")
    assert [r["title"] for r in listing_search.extract(text).records] == ["A Memo on Lights", "A Second Memo"]


def test_undated_first_entry_after_a_person_description_without_documents_heading():
    extraction = assert_case("listing_search/person_page_undated_first_entry_without_heading")
    assert [r["date_text"] for r in extraction.records] == [None, "February 14, 1949", "1952"]


def test_short_summary_sentence_before_an_undated_entry_stays_the_summary():
    records = assert_case("listing_search/short_summary_before_undated_entry").records
    assert [r["summary"] for r in records][0] == "The board refuses."


def test_undated_first_entry_after_a_leading_summary_line_without_chrome():
    records = assert_case("listing_search/no_chrome_summary_first_undated_entry").records
    assert records[0]["date_text"] is None and "lamp-room clerk" not in records[0]["title"]


def test_undated_entry_without_summary_before_a_date_line_is_not_the_previous_summary():
    records = assert_case("listing_search/undated_entry_without_summary_before_a_date").records
    assert [(r["date_text"], r["summary"]) for r in records[:2]] == [("October 3, 1969", None), (None, None)]


def test_last_line_that_ends_no_sentence_stays_the_summary_of_a_cut_capture():
    text = ("1 - 2 of 2\n\nMay 1, 1970\n\nA Memo on Lights\n\nThe memo asks for lights.\n\n"
            "May 2, 1970\n\nA Second Memo\n\nThe second memo repeats the requ")
    extraction = listing_search.extract(text)
    assert [(r["title"], r["summary"]) for r in extraction.records] == [
        ("A Memo on Lights", "The memo asks for lights."), ("A Second Memo", None)]
    assert extraction.rejected == []


def test_search_results_with_weekday_and_final_period_dates():
    records = assert_case("listing_search/weekday_and_final_period_dates").records
    assert records[-1]["summary"] == "Friday, 24 October 1958."  # a day-first line starts no entry


def test_unbulleted_weekday_and_final_period_dates_without_count_are_search_results():
    text = ("Friday, October 3, 1958\n\nLetter on Night Pilotage\n\nThe guild refuses night work.\n\n"
            "Tuesday, November 11, 1958.\n\nMinutes of the Buoy Committee\n")
    assert listing_search.matches(text)
    assert [r["date_text"] for r in listing_search.extract(text).records] == \
        ["Friday, October 3, 1958", "Tuesday, November 11, 1958."]


def test_day_first_dates_with_a_weekday_or_a_final_period_make_no_search_listing():
    text = ("Friday, 3 October 1958\n\nLetter on Night Pilotage\n\n"
            "11.XI.1958.\n\nMinutes of the Buoy Committee\n")
    assert not listing_search.matches(text)


def test_results_label_and_count_on_one_line():
    text = ("Skip to content\n\nResults: 1 - 2 of 2\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper.\n\nMay 9, 1962\n\nReply of the Ministry of Beacons to Amund Frey\n")
    assert extract_capture(text, is_html=False).layout == "listing_search"
    assert [r["date_text"] for r in listing_search.extract(text).records] == ["May 5, 1962", "May 9, 1962"]


def test_last_line_of_a_complete_capture_that_reads_as_a_title_is_an_undated_entry():
    text = ("1 - 3 of 3\n\nMarch 3, 1957\n\nReport on Korean Families Leaving Sakhalin\n\n"
            "The consulate counts the families.\n\nMarch 9, 1957\n\nList of Korean Families for Nakhodka\n\n"
            "Note of the Sakhalin Passport Office on Stateless Koreans\n")
    records = listing_search.extract(text).records
    assert [(r["date_text"], r["title"], r["summary"]) for r in records[1:]] == [
        ("March 9, 1957", "List of Korean Families for Nakhodka", None),
        (None, "Note of the Sakhalin Passport Office on Stateless Koreans", None)]


def test_undated_title_ending_in_a_period_after_an_entry_without_summary_is_not_its_summary():
    text = ("1 - 3 of 3\n\nAugust 28, 1962\n\nReport of the Consulate in Chongjin on Returnees from Sakhalin\n\n"
            "Notes from a Conversation between Comrade Rybak of the Polish Embassy and Deputy Minister Pak, "
            "on 3.IX.1962.\n\nThe embassy records what Pak said about returnees from Sakhalin.\n\n"
            "September 10, 1962\n\nTelegram on the Passport Office at Yuzhno-Sakhalinsk\n")
    records = listing_search.extract(text).records
    assert [(r["date_text"], r["title"][:21], r["summary"]) for r in records] == [
        ("August 28, 1962", "Report of the Consula", None),
        (None, "Notes from a Conversa", "The embassy records what Pak said about returnees from Sakhalin."),
        ("September 10, 1962", "Telegram on the Passp", None)]


def test_invisible_characters_in_a_date_line_and_a_byte_order_mark_mid_file_are_not_read():
    # Two result pages saved into one file (a BOM opens each) with zero-width spaces and
    # soft hyphens in the date lines: each entry keeps its date, the chrome is no entry.
    page = ("\ufeffSkip to content\n\n1 - 1 of 2\n\nMarch\u200b 3, 1957\n\nReport on Returnees from Chongjin\n\n"
            "The consul describes the housing of the returnees.\n")
    text = page + page.replace("March\u200b 3", "Ap\u00adril 9\u200b") \
        .replace("1 - 1", "2 - 2").replace("Chongjin", "Hamhung")
    records = extract_capture(text, is_html=False).records
    assert [(r["date_text"], r["title"]) for r in records] == [
        ("March 3, 1957", "Report on Returnees from Chongjin"), ("April 9, 1957", "Report on Returnees from Hamhung")]
