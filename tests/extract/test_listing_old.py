import pytest

from capture_cases import assert_case, capture_path, extract_case

from etl.extract import extract_capture, listing_old


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


def entry_facts(records: list[dict]) -> list[tuple]:
    return [(r["position"], r["date_text"], r["title"], r["summary"]) for r in records]


def test_undated_first_entry_after_the_site_header_is_read_on_a_dash_listing():
    records = assert_case("listing_old/dashes_header_undated_first_entry").records
    assert entry_facts(records)[0] == (
        1, None, "Survey of the Tide Gauges at Marrow Sound",
        "The survey finds that two of the five tide gauges read low after the January floods.")
    assert [(r["position"], r["date_text"]) for r in records[1:]] == [
        (2, "March 11, 1958"), (3, "September, 1959"), (4, "1961")]


def test_undated_first_entry_after_the_site_header_is_read_with_single_newlines():
    records = assert_case("listing_old/single_newlines_undated_first_entry").records
    assert entry_facts(records) == [
        (1, None, "Note on the Oil Supply for the Brannoch Lamp",
         "A short note on the oil delivered to the lamp in the spring."),
        (2, "July 07, 1962", "Journal of Keeper Tomas Reile for 7 July 1962",
         "Keeper Reile records the visit of the inspector."),
        (3, "July 21, 1962", "Journal of Keeper Tomas Reile for 21 July 1962", None),
    ]


def test_topic_heading_is_not_an_entry_but_the_indented_undated_entry_after_it_is():
    extraction = assert_case("listing_old/topic_page_undated_first_entry")
    assert entry_facts(extraction.records) == [
        (1, None, "Notes by Tomas Reile on Ringing the Brannoch Fog Bell",
         "Undated notes on how the fog bell was rung in calm and in rough weather."),
        (2, "May 30, 1963", "Letter from Tomas Reile to the Board of Lights",
         "Reile asks the board for a relief keeper for the summer."),
    ]
    assert extraction.collection is None


def test_undated_first_entry_after_a_collection_block_is_not_its_description_on_a_dash_listing():
    extraction = assert_case("listing_old/collection_dashes_undated_first_entry")
    assert entry_facts(extraction.records)[0] == (
        1, None, "Petition of the Kessel Ferrymen for a Winter Allowance",
        "The ferrymen ask the strait authority for an allowance"
        " for the months the crossing is closed.")
    assert [r["position"] for r in extraction.records] == [1, 2, 3]
    assert "Petition" not in extraction.collection["description"]
    assert "allowance" not in extraction.collection["description"]


def test_undated_first_entry_after_a_collection_block_is_not_its_description_with_bullets():
    extraction = assert_case("listing_old/collection_undated_first_entry")
    assert entry_facts(extraction.records) == [
        (1, None, "Register of Signal Flags Held at Carrow Head",
         "The register lists the flags kept at the station and those sent away for repair."),
        (2, "April 04, 1955", "Letter from the Keeper at Carrow Head to the Signal Board",
         "The keeper asks the board for a second telescope."),
        (3, "June, 1956", "Report on the Closing of the Dunmore Signal Station", None),
        (4, "1958", "Inventory of the Stores at Carrow Head after the Fire",
         "The inventory lists what was saved from the store room."),
    ]
    assert "Register of Signal Flags" not in extraction.collection["description"]


def test_collection_page_cut_in_its_undated_first_entry_rejects_that_entry_as_truncated():
    extraction = assert_case("listing_old/collection_truncated_in_undated_first_title")
    assert extraction.records == [] and [r.position for r in extraction.rejected] == [1]
    assert "Petition" not in extraction.collection["description"]


def test_html_collection_page_reads_its_undated_first_list_item_as_an_entry():
    extraction = assert_case("listing_old/collection_list_items_undated_first_entry")
    dates = [(r["position"], r["date_text"]) for r in extraction.records]
    assert dates == [(1, None), (2, "May 02, 1949")]
    assert "Petition" not in extraction.collection["description"]


def test_flush_left_undated_first_entry_after_a_topic_description_is_an_entry():
    extraction = assert_case("listing_old/topic_page_flush_left_undated_first_entry")
    assert extraction.records[0]["title"] == "Pilot Book of Orla Vennick for the Outer Channel"
    assert all("Orla Vennick (1908" not in (r["summary"] or "") for r in extraction.records)


def test_undated_entry_in_the_middle_of_the_list_is_not_the_previous_entrys_summary():
    records = assert_case("listing_old/undated_entry_mid_list").records
    assert [(r["position"], r["date_text"]) for r in records] == [
        (1, "October 09, 1957"), (2, None), (3, "November, 1957"), (4, None), (5, "1958")]


def test_undated_entry_after_an_entry_without_summary_is_not_its_summary():
    records = assert_case("listing_old/undated_entry_after_entry_without_summary").records
    assert records[0]["summary"] is None and records[1]["date_text"] is None


def test_flush_left_undated_entry_between_bullets_is_read_with_single_newlines():
    assert_case("listing_old/topic_page_flush_left_single_newlines")


def test_flush_left_undated_entries_after_indented_entries_are_entries_not_footer():
    extraction = assert_case("listing_old/topic_page_flush_left_undated_entries_with_footer")
    assert all("Quay Lane" not in (r["summary"] or "") + r["title"] for r in extraction.records)


def test_capture_cut_in_an_undated_entry_after_a_short_summary_rejects_that_entry():
    extraction = assert_case("listing_old/truncated_in_undated_title_after_short_summary")
    assert extraction.records[0]["summary"] == "The memo asks for lights."


def test_leading_summary_of_a_related_document_is_no_entry_on_a_dash_listing():
    records = assert_case("listing_old/no_chrome_dashes_summary_first").records
    assert all("lamp-room clerk" not in r["title"] for r in records)


def test_undated_first_entry_after_a_leading_summary_line_on_a_dash_listing():
    assert_case("listing_old/no_chrome_dashes_summary_first_undated_entry")


def test_undated_first_entry_after_a_leading_summary_line_before_bullets():
    assert_case("listing_old/no_chrome_summary_first_undated_entry")


def test_flush_left_undated_first_entry_under_a_related_documents_heading():
    assert_case("listing_old/related_documents_heading_undated_first_entry")


def test_undated_entry_without_summary_before_a_bullet_is_not_the_previous_summary():
    records = assert_case("listing_old/undated_entry_without_summary_before_a_bullet").records
    assert [(r["date_text"], r["summary"]) for r in records[:2]] == [("July 14, 1958", None), (None, None)]


def test_undated_first_title_ending_in_a_date_and_a_period_is_a_title_on_a_dash_listing():
    records = assert_case("listing_old/dashes_undated_first_title_ending_in_a_date").records
    assert records[0]["title"].endswith("3 February 1958.") and records[1]["position"] == 2


def test_bulleted_dates_with_a_weekday_or_a_final_period_are_entry_dates():
    records = assert_case("listing_old/weekday_and_final_period_dates").records
    assert records[2]["title"].endswith("Friday, 24 October 1958")


def test_dash_listing_with_weekday_and_final_period_dates_is_an_old_listing():
    assert listing_old.matches(capture_path("listing_old/dashes_weekday_dates").read_text("utf-8"))
    assert_case("listing_old/dashes_weekday_dates")


def test_a_day_first_date_with_a_weekday_after_a_dash_rule_is_no_entry_date():
    text = ("Friday, 3 October 1958\nLetter on Night Pilotage\n----------\n"
            "Friday, 10 October 1958.\nMinutes of the Buoy Committee\n")
    assert not listing_old.matches(text)


def test_listing_cut_in_a_date_line_rejects_that_entry_and_is_truncated():
    text = ("Search in\n\nDigital Archive International History Declassified\n\n"
            "  \u2022 May 02, 1966\n\n    Report of the Keeper of Skerry Point on the Fog Horn\n\n"
            "  \u2022 May 1")
    extraction = listing_old.extract(text)
    assert [r["title"] for r in extraction.records] == ["Report of the Keeper of Skerry Point on the Fog Horn"]
    assert [(r.rule, r.field, r.value) for r in extraction.rejected] == [("truncated", "date_text", "May 1")]
    assert extraction.truncated


def test_summary_without_its_final_period_under_a_bullet_stays_the_summary():
    text = ("Search in\n\nDigital Archive International History Declassified\n\n"
            "  \u2022 May 02, 1966\n\n    Report of the Keeper of Skerry Point on the Fog Horn\n\n"
            "    The keeper says the horn failed twice in the storm and asks for a new valve\n\n"
            "  \u2022 May 09, 1966\n\n    Reply of the Ministry of Beacons on the Fog Horn\n")
    records = listing_old.extract(text).records
    assert [(r["date_text"], r["summary"] is not None) for r in records] == [
        ("May 02, 1966", True), ("May 09, 1966", False)]


def test_footer_after_flush_left_entries_is_not_an_entry():
    text = ("Search in\n\nDigital Archive International History Declassified\n"
            "\u2022 May 02, 1966\nReport of the Keeper of Skerry Point on the Fog Horn\n"
            "The keeper asks for a new valve for the horn.\n"
            "\u2022 May 09, 1966\nReply of the Ministry of Beacons on the Fog Horn\n"
            "The ministry sends the valve by the next boat.\n"
            "Invented Institute of Lighthouse History\n12 Harbour Row, Port Ivel 4410\n")
    records = listing_old.extract(text).records
    assert [r["date_text"] for r in records] == ["May 02, 1966", "May 09, 1966"]
    assert records[-1]["summary"] == "The ministry sends the valve by the next boat."


def test_short_summary_of_the_last_html_list_item_is_kept():
    html = ('<html><body><ul><li>May 02, 1966<br><a href="/document/1">Report on the Fog Horn</a><br>'
            'The horn is mended.</li><li>May 09, 1966<br><a href="/document/2">Reply on the Fog Horn</a><br>'
            'Oil is sent.</li></ul></body></html>')
    records = extract_capture(html, is_html=True).records
    assert [r["summary"] for r in records] == ["The horn is mended.", "Oil is sent."]


def test_last_indented_line_of_a_complete_capture_that_reads_as_a_title_is_an_undated_entry():
    text = ("Search in\n\nDigital Archive International History Declassified\n\n"
            "  \u2022 March 03, 1957\n\n    Report on Korean Families Leaving Sakhalin\n\n"
            "    The consulate counts the families.\n\n"
            "  \u2022 March 09, 1957\n\n    List of Korean Families for Nakhodka\n\n"
            "    Note of the Sakhalin Passport Office on Stateless Koreans\n")
    records = listing_old.extract(text).records
    assert [(r["date_text"], r["title"], r["summary"]) for r in records[1:]] == [
        ("March 09, 1957", "List of Korean Families for Nakhodka", None),
        (None, "Note of the Sakhalin Passport Office on Stateless Koreans", None)]


def test_undated_title_ending_in_a_period_after_an_entry_without_summary_is_not_its_summary():
    text = ("Search in\n\nDigital Archive International History Declassified\n\n"
            "  \u2022 August 28, 1962\n\n    Report of the Consulate in Chongjin on Returnees from Sakhalin\n\n"
            "    Notes from a Conversation between Comrade Rybak of the Polish Embassy and Deputy Minister Pak, "
            "on 3.IX.1962.\n\n    The embassy records what Pak said about returnees from Sakhalin.\n\n"
            "  \u2022 September 10, 1962\n\n    Telegram on the Passport Office at Yuzhno-Sakhalinsk\n")
    records = listing_old.extract(text).records
    assert [(r["date_text"], r["title"][:21], r["summary"]) for r in records] == [
        ("August 28, 1962", "Report of the Consula", None),
        (None, "Notes from a Conversa", "The embassy records what Pak said about returnees from Sakhalin."),
        ("September 10, 1962", "Telegram on the Passp", None)]


@pytest.mark.parametrize("rule", ["\u2015" * 10, "\u2500" * 12, "\u2012" * 8, "\u2212 " * 6, "\u2501" * 9])
def test_entries_separated_by_rules_of_any_dash_or_box_drawing_line_are_read(rule):
    text = (f"June 30, 1957\n\nReport on the Border Crossings at Namyang\n\nThe guards list the crossings.\n\n"
            f"{rule}\n\nJuly 2, 1957\n\nReport on the Border Crossings at Sinuiju\n\n{rule}\n\n"
            f"July 9, 1957\n\nReport on the Ferries at Hyesan\n\n")
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "listing_old"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("June 30, 1957", "Report on the Border Crossings at Namyang"),
        ("July 2, 1957", "Report on the Border Crossings at Sinuiju"), ("July 9, 1957", "Report on the Ferries at Hyesan")]


def test_dash_listing_cut_after_the_last_entrys_date_line_keeps_the_entries_before_it():
    text = ("May 02, 1966\n\nReport of the Keeper of Skerry Point on the Fog Horn\n\n"
            "----------------------------------------\n\n"
            "May 09, 1966\n\nReply of the Ministry of Beacons on the Fog Horn\n\n"
            "The ministry sends the valve by the next boat.\n\n"
            "----------------------------------------\n\nDecember 1966\n")
    records = listing_old.extract(text).records
    assert [r["title"] for r in records] == ["Report of the Keeper of Skerry Point on the Fog Horn",
                                              "Reply of the Ministry of Beacons on the Fog Horn"]


def test_a_collection_title_that_reads_as_a_date_is_the_title_not_an_entry_date():
    extraction = assert_case("listing_old/collection_title_like_a_date")
    assert extraction.collection["title"] == "August 1945"


def test_flush_left_paragraphs_before_indented_entries_are_all_the_collection_description():
    extraction = assert_case("listing_old/collection_description_in_two_paragraphs")
    assert extraction.collection["description"].count("\n\n") == 1


@pytest.mark.parametrize("case", ["collection_description_wrapped_over_lines",
                                  "collection_description_wrapped_over_lines_dashes"])
def test_a_collection_description_wrapped_over_several_lines_is_one_paragraph(case):
    extraction = assert_case(f"listing_old/{case}")
    assert "\n" not in extraction.collection["description"]


def test_collection_description_that_opens_with_a_quote_and_names_the_digital_archive_is_no_citation():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nNo image found.\n\n"
            "Ferries of the North Coast\n\n"
            "\u201cThe last crossing,\u201d as the keepers called it in May 1962, closed the ferry for good. This "
            "collection, part of the Wilson Center Digital Archive, gathers the board's letters of 1958 to 1962.\n\n"
            "  \u2022 May 05, 1962\n\n    Letter of the Harbour Board on the Last Crossing\n\n"
            "  \u2022 May 09, 1962\n\n    Reply of the Ministry of Beacons to the Harbour Board\n")
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "listing_old"
    assert extraction.collection["title"] == "Ferries of the North Coast"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("May 05, 1962", "Letter of the Harbour Board on the Last Crossing"),
        ("May 09, 1962", "Reply of the Ministry of Beacons to the Harbour Board")]
