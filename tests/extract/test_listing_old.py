from capture_cases import assert_case, extract_case

from etl.extract import listing_old


def test_collection_page_gives_the_collection_block_and_its_entries_in_order():
    extraction = assert_case("listing_old/collection")
    assert [r["position"] for r in extraction.records] == [1, 2, 3]
    assert extraction.collection["title"] == "Lighthouse Keepers of the Northern Coast"


def test_entry_without_summary_has_summary_none():
    first = extract_case("listing_old/collection").records[0]
    assert first["summary"] is None and first["title"].startswith("Logbook")


def test_month_only_and_year_only_dates_are_kept_as_printed():
    dates = [r["date_text"] for r in extract_case("listing_old/collection").records]
    assert dates == ["March 03, 1951", "October, 1952", "1953"]


def test_dash_separated_entries_without_header_are_read():
    assert_case("listing_old/dashes_no_header")


def test_entry_without_date_line_keeps_its_place_in_page_order():
    records = extract_case("listing_old/dashes_no_header").records
    assert [r["date_text"] is None for r in records] == [False, False, True, False]


def test_undated_first_entry_before_the_first_dash_rule_is_an_entry_not_a_header():
    records = assert_case("listing_old/dashes_undated_first_entry").records
    assert [r["position"] for r in records] == [1, 2, 3, 4]
    assert records[0]["date_text"] is None
    assert records[0]["title"] == "Report on the Closing of the Wreck Bay Signal Station"
    assert [r["date_text"] for r in records[1:]] == ["August 21, 1964", "November, 1965", "1967"]


def test_upper_cased_first_word_and_en_dash_stay_as_printed_in_titles():
    titles = [r["title"] for r in extract_case("listing_old/dashes_no_header").records]
    assert titles[0].startswith("TELEGRAM from") and "\u2013" in titles[1]


def test_single_newlines_nbsp_lines_and_masked_email_are_read():
    extraction = assert_case("listing_old/single_newlines_nbsp")
    assert "[email protected]" in extraction.records[1]["summary"]


def test_title_whitespace_runs_are_folded():
    title = extract_case("listing_old/single_newlines_nbsp").records[0]["title"]
    assert title == "Journal of Keeper Ilse Morrow for 9 May 1960"


def test_topic_page_ends_in_related_documents_and_footer_is_not_an_entry():
    extraction = assert_case("listing_old/topic_page_with_footer")
    assert extraction.collection is None
    assert "Harbour Road" not in (extraction.records[-1]["summary"] or "")


def test_cut_in_title_rejects_the_entry_as_truncated():
    extraction = assert_case("listing_old/truncated_in_title")
    assert extraction.message.startswith("looks truncated")


def test_cut_in_summary_keeps_date_and_title_with_summary_none():
    assert_case("listing_old/truncated_in_summary")


def test_cp1252_decoded_text_keeps_accents_and_curly_quotes():
    assert_case("listing_old/cp1252", encoding="cp1252")


def test_html_list_items_are_entries_with_their_links():
    assert_case("listing_old/list_items")


def test_document_pages_are_not_old_listings():
    text = "Skip to content\n\nFebruary 2, 1956\n\nA Title\n\nBody.\n"
    assert not listing_old.matches(text)
