import pytest

from capture_cases import assert_case, extract_case

from etl.extract import doc_old, extract_capture


def test_citation_gives_title_source_and_record_id_from_document_url():
    assert_case("document_old/citation_with_document_url")


def test_title_comes_from_the_citation_not_the_upper_cased_repeat():
    title = extract_case("document_old/citation_with_document_url").records[0]["title"]
    assert title == "Report on the Lantern Factory in Port Ivel"


def test_body_starts_after_english_html():
    text = extract_case("document_old/citation_with_document_url").records[0]["text"]
    assert text.startswith("The factory has four machines.")


def test_last_line_ending_in_a_digit_without_newline_is_complete():
    extraction = extract_case("document_old/citation_with_document_url")
    assert not extraction.truncated and extraction.records[0]["text"].endswith("12 October 1962")


def test_node_url_gives_no_record_id_and_body_follows_share_document():
    assert_case("document_old/no_chrome_node_url")


def test_slug_url_gives_no_record_id():
    assert_case("document_old/slug_url_upper_title_only")


def test_without_citation_the_title_line_is_used():
    text = ("Search in\n\nMay 1, 1970\n\nA Note on Lights\n\n  \u2022 Citation\n\n"
            "    The summary.\n\n  \u2022 share document\n\nBody.\n")
    record = doc_old.extract(text).records[0]
    assert (record["title"], record["summary"], record["text"]) == ("A Note on Lights", "The summary.", "Body.")


def test_page_cut_in_the_citation_after_the_quoted_title_keeps_title_and_summary():
    extraction = assert_case("document_old/cut_in_citation")
    assert extraction.message.startswith("looks truncated")


def test_date_line_with_a_final_period_is_the_date_not_the_citations():
    record = assert_case("document_old/date_line_with_final_period").records[0]
    assert record["text"].endswith("Friday, 17 October 1958.")


def test_page_cut_before_its_citation_is_known_by_a_weekday_date_line():
    extraction = assert_case("document_old/weekday_date_cut_before_citation")
    assert extraction.message.startswith("looks truncated")


def test_page_cut_before_its_citation_is_not_known_by_a_day_first_date_with_a_weekday():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nWednesday, 22 October 1958\n\n"
            "Note on the Gullrock Tender\n\n  \u2022 Citation\n\n    The engineer writes that the tender needs a boi")
    assert not doc_old.matches(text)


def test_weekday_date_in_the_citation_is_the_date_without_a_date_line():
    text = ("Search in\n\nA Note on Buoys\n\n  \u2022 Citation\n\n    The summary.\n"
            "    \"A Note on Buoys,\" Friday, October 3, 1958, History and Public Policy Program Digital Archive, "
            "Archive of the Skarvik Harbour Board, Fond 6, Opis 2, Delo 17.\n  \u2022 share document\n\nBody.\n")
    assert doc_old.extract(text).records[0]["date_text"] == "Friday, October 3, 1958"


def test_permanent_url_on_its_own_line_after_the_citation_gives_the_record_id():
    record = assert_case("document_old/url_line_after_citation").records[0]
    assert record["source"].endswith("Translated by Ada Winter.")  # the URL line is not part of the source


def test_permanent_url_line_with_a_final_slash_before_the_body_is_not_body_text():
    assert_case("document_old/no_chrome_url_line_then_body")


def test_node_url_on_its_own_line_after_the_citation_gives_no_record_id():
    assert_case("document_old/node_url_line_after_citation")


def test_document_url_at_the_start_of_the_body_is_not_the_pages_record_id():
    assert_case("document_old/body_url_line_is_not_the_record_id")


OWN_LINE_CITATION = ("Search in\n\nJune 3, 1971\n\n  \u2022 Citation\n\n    The keeper asks for oil.\n"
                     "    \"Request for Lamp Oil,\" June 3, 1971, History and Public Policy Program Digital Archive, "
                     "Greyholm Lighthouse Board Papers, File 40.{inline}\n{line}")


def test_slug_url_on_its_own_line_after_the_citation_gives_the_url_and_no_record_id():
    text = OWN_LINE_CITATION.format(inline="", line="    digitalarchive.wilsoncenter.org/document/request-for-lamp-oil\n"
                                    "  \u2022 share document\n\nBody.\n")
    record = doc_old.extract(text).records[0]
    assert (record["url"], record["record_id"]) == (
        "https://digitalarchive.wilsoncenter.org/document/request-for-lamp-oil", None)


def test_url_line_after_a_citation_that_holds_its_own_url_changes_nothing():
    text = OWN_LINE_CITATION.format(inline=" https://digitalarchive.example.org/document/301700",
                                    line="    https://digitalarchive.example.org/document/301701\n"
                                    "  \u2022 share document\n\nBody.\n")
    record = doc_old.extract(text).records[0]
    assert (record["url"], record["record_id"], record["text"]) == (
        "https://digitalarchive.example.org/document/301700", "301700", "Body.")


def test_url_line_after_share_document_is_body_text_not_the_record_id():
    text = OWN_LINE_CITATION.format(inline="", line="  \u2022 share document\n\n"
                                    "https://digitalarchive.example.org/document/301702\n\nBody.\n")
    record = doc_old.extract(text).records[0]
    assert (record["url"], record["record_id"]) == (None, None)
    assert record["text"] == "https://digitalarchive.example.org/document/301702\n\nBody."


def test_url_line_after_the_citation_of_an_html_page_wins_over_its_node_address():
    from etl.extract import extract_capture

    page = """<!DOCTYPE html><html><head><link rel="canonical" href="https://digitalarchive.example.org/node/91002">
</head><body><p>Search in</p><p>Digital Archive International History Declassified</p><p>June 3, 1971</p>
<ul><li>Citation<p>The keeper asks for oil.</p>
<p>"Request for Lamp Oil," June 3, 1971, History and Public Policy Program Digital Archive, Greyholm Lighthouse
Board Papers, File 40.</p><p><a href="/document/301703">https://digitalarchive.example.org/document/301703</a></p></li>
<li>share document</li></ul><p>English HTML</p><p>The keeper has oil for nine nights.</p></body></html>
"""
    extraction = extract_capture(page, is_html=True)
    record = extraction.records[0]
    assert extraction.layout == "document_old"
    assert (record["url"], record["record_id"], record["text"]) == (
        "https://digitalarchive.example.org/document/301703", "301703", "The keeper has oil for nine nights.")


def test_site_labels_repeated_at_the_start_of_the_body_are_not_body_text():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nMay 5, 1971\n\n"
            "  \u2022 Citation\n\n    The keeper asks for oil.\n\n"
            "    \u201cLetter of the Keeper of Greyholm Light,\u201d May 5, 1971, History and Public Policy Program "
            "Digital Archive, Archive of the Board.\n\n  \u2022 share document\n\nEnglish HTML\n\nEnglish HTML\n\n"
            "I ask for oil.\n")
    assert doc_old.extract(text).records[0]["text"] == "I ask for oil."


def test_citation_printed_over_several_lines_is_one_citation():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nMay 5, 1971\n\n"
            "  \u2022 Citation\n\n    The keeper asks for oil.\n"
            "    \u201cLetter of the Keeper of Greyholm\n    Light,\u201d May 5, 1971, History and Public Policy Program\n"
            "    Digital Archive, Archive of the Board, fond 3, opis 1,\n    delo 9. Translated by Ann Petrova.\n"
            "  \u2022 share document\n\nEnglish HTML\n\nI ask for oil.\n")
    record = doc_old.extract(text).records[0]
    assert (record["title"], record["source"], record["summary"], record["text"]) == (
        "Letter of the Keeper of Greyholm Light", "Archive of the Board, fond 3, opis 1, delo 9. Translated by Ann Petrova.",
        "The keeper asks for oil.", "I ask for oil.")


def test_page_with_a_two_line_site_header_cut_before_its_citation_is_a_document():
    text = ("Search in\n\nDigital Archive\n\nInternational History Declassified\n\nMay 5, 1971\n\n"
            "LETTER OF THE KEEPER OF GREYHOLM LIGHT\n\n  \u2022 Citat")
    assert doc_old.matches(text)
    assert doc_old.extract(text).records[0]["title"] == "LETTER OF THE KEEPER OF GREYHOLM LIGHT"


def test_related_documents_after_the_body_are_not_its_text():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nMay 5, 1971\n\n"
            "  \u2022 Citation\n\n    The keeper asks for oil.\n\n"
            "    \u201cLetter of the Keeper of Greyholm Light,\u201d May 5, 1971, History and Public Policy Program "
            "Digital Archive, Archive of the Board.\n\n  \u2022 share document\n\nEnglish HTML\n\nI ask for oil.\n\n"
            "Related Documents\n\n  \u2022 May 9, 1971\n\n    Reply of the Board on Oil\n")
    assert doc_old.extract(text).records[0]["text"] == "I ask for oil."


def test_citation_broken_inside_its_archival_reference_keeps_the_whole_reference():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nMay 5, 1971\n\n"
            "  \u2022 Citation\n\n    The keeper asks for oil.\n"
            "    \u201cLetter of the Keeper of Greyholm Light,\u201d May 5, 1971, History and Public Policy\n"
            "    Program Digital Archive, RGANI\n    Fond 3, Opis 1, Delo 9. Translated by Ann Petrova.\n"
            "    https://digitalarchive.wilsoncenter.org/document/4417\n"
            "  \u2022 share document\n\nEnglish HTML\n\nI ask for oil.\n")
    record = doc_old.extract(text).records[0]
    assert (record["source"], record["record_id"], record["text"]) == (
        "RGANI Fond 3, Opis 1, Delo 9. Translated by Ann Petrova.", "4417", "I ask for oil.")


def test_comma_the_citation_sets_inside_a_quoted_sub_title_is_no_part_of_the_title():
    text = ("Search in\n\n  \u2022 Citation\n\n    The embassy reports on orphans sent abroad.\n"
            "    \"Report, Embassy of Poland, 'On the Korean Orphans,'\" October 1953, History and Public Policy "
            "Program Digital Archive, AAN, MSZ, sygn. 12/44. Translated by Ewa Lis.\n"
            "  \u2022 share document\n\nBody.\n")
    curly = text.replace("'On", "\u2018On").replace(",'\"", ",\u2019\u201d").replace("\"Report", "\u201cReport")
    assert [doc_old.extract(t).records[0]["title"] for t in (text, curly)] == [
        "Report, Embassy of Poland, 'On the Korean Orphans'", "Report, Embassy of Poland, \u2018On the Korean Orphans\u2019"]


def test_translator_sentence_on_a_line_of_its_own_after_the_citation_is_part_of_its_source():
    quote = ("    \"Instructions to the Red Cross on the Lists of Returnees,\"{} March 11, 1959, History and Public "
             "Policy Program Digital Archive, RGANI Fond 5, Opis 49, Delo 133.\n")
    pages = [("Search in\n\nMarch 11, 1959\n\n  \u2022 Citation\n\n    The ministry instructs the Red Cross.\n"
              + quote.format(split) + "    Translated by Gary Holt.\n"
              "    https://digitalarchive.wilsoncenter.org/document/300215\n"
              "  \u2022 share document\n\nEnglish HTML\n\nThe lists shall be sent to Geneva.\n") for split in ("", "\n")]
    records = [doc_old.extract(page).records[0] for page in pages]
    assert [(r["source"], r["record_id"], r["text"]) for r in records] == 2 * [
        ("RGANI Fond 5, Opis 49, Delo 133. Translated by Gary Holt.", "300215", "The lists shall be sent to Geneva.")]


def test_citation_label_saved_without_its_bullet_still_holds_the_summary():
    text = ("August 2, 1957\nJOURNAL OF AMBASSADOR IVANOV FOR 2 AUGUST 1957\nCitation\nget citation\n"
            "Ambassador Ivanov discusses the citizenship of Sakhalin Koreans.\n"
            "\"Journal of Ambassador Ivanov for 2 August 1957,\" August 2, 1957, History and Public Policy Program "
            "Digital Archive, AVPRF fond 0102, opis 13, delo 6, p.22-40. Translated by Gary Holt.\n"
            "share document\nEnglish HTML\nI received Nam Il at his request.\n")
    record = doc_old.extract(text).records[0]
    assert (record["title"], record["summary"], record["text"]) == (
        "Journal of Ambassador Ivanov for 2 August 1957",
        "Ambassador Ivanov discusses the citizenship of Sakhalin Koreans.", "I received Nam Il at his request.")


def test_page_without_chrome_or_bullets_is_known_by_a_citation_printed_over_several_lines():
    text = ("June, 1977\nREPORT ON THE MEETINGS IN OSAKA\nCitation\nThe consulate reports on meetings in Osaka.\n"
            "\u201cReport on the Meetings in Osaka,\u201d\nJune, 1977, History and Public Policy Program Digital Archive,\n"
            "RGANI Fond 5, Opis 73, Delo 410.\nshare document\nEnglish HTML\nThe meetings lasted until midnight.\n")
    assert doc_old.matches(text)
    record = doc_old.extract(text).records[0]
    assert (record["title"], record["source"], record["text"]) == (
        "Report on the Meetings in Osaka", "RGANI Fond 5, Opis 73, Delo 410.", "The meetings lasted until midnight.")


@pytest.mark.parametrize("opening, closing", [("\u201e", "\u201c"), ("\u201e", "\u201d"), ("\u00ab", "\u00bb"),
                                              ("\u00bb", "\u00ab")])
def test_citation_quoted_with_low_nine_quotes_or_guillemets_gives_the_title_and_source(opening, closing):
    text = ("Search in\n\nDigital Archive International History Declassified\n\nMarch 4, 1958\n\n"
            "REPORT ON THE LISTS OF RETURNEES IN P\u00c9CS\n\n  \u2022 Citation\n\n    get citation\n\n"
            "    The consul sends the lists of returnees.\n"
            f"    {opening}Report on the Lists of Returnees in P\u00e9cs,{closing} March 4, 1958, History and Public "
            "Policy Program Digital Archive, MOL, XIX-J-1-j Korea, 3. doboz. Translated by Ilona Varga. "
            "https://digitalarchive.wilsoncenter.org/document/930011\n"
            "  \u2022 share document\n\n\nEnglish HTML\n\n\nThe lists were sent.\n")
    record = doc_old.extract(text).records[0]
    assert (record["title"], record["summary"], record["record_id"]) == (
        "Report on the Lists of Returnees in P\u00e9cs", "The consul sends the lists of returnees.", "930011")
    assert record["source"].startswith("MOL, XIX-J-1-j Korea")


WRAPPED_CITATION_HEAD = (
    "Search in\n\nDigital Archive International History Declassified\n\nMarch 11, 1958\n\n"
    "  \u2022 Citation\n\n    The pilots ask the harbour master for a second pilot boat.\n"
    "    \"Petition of the Kessel Strait Pilots to the Harbour Master,\" March 11, 1958,\n"
    "    History and Public Policy Program Digital Archive, Kessel Harbour Archive, Fond 4,\n")


@pytest.mark.parametrize("rest", ["    Opis 2, Delo 7. Translated by Per Ho", "    Opis 2, Delo 7, pp. 10-12\n"])
def test_page_cut_in_a_citation_printed_over_several_lines_keeps_no_part_of_its_reference(rest):
    record = doc_old.extract(WRAPPED_CITATION_HEAD + rest).records[0]
    assert (record["title"], record["summary"], record["source"]) == (
        "Petition of the Kessel Strait Pilots to the Harbour Master",
        "The pilots ask the harbour master for a second pilot boat.", None)


def test_search_result_page_under_the_older_sites_header_is_no_document_head():
    text = ("Search in\n\nDigital Archive International History Declassified\n\nResults:\n\n1 - 1 of 1\n\n"
            "April 2, 1971\n\nA Memo on Boats for the Ferry Station\n\nThe keeper asks for a boat.\n")
    assert not doc_old.matches(text)
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "listing_search"
    assert [(r["date_text"], r["title"], r["summary"]) for r in extraction.records] == [
        ("April 2, 1971", "A Memo on Boats for the Ferry Station", "The keeper asks for a boat.")]


def test_page_cut_before_its_citation_with_a_stale_skip_link_above_the_older_header_is_a_document():
    text = ("Skip to content\n\nSearch in\n\nDigital Archive International History Declassified\n\nMay 5, 1971\n\n"
            "LETTER OF THE KEEPER OF GREYHOLM LIGHT\n\n"
            "This document was made possible with support from the Harbour Trust\n")
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "document_old"
    record = extraction.records[0]
    assert (record["date_text"], record["title"], record["funders_text"]) == (
        "May 5, 1971", "LETTER OF THE KEEPER OF GREYHOLM LIGHT", "the Harbour Trust")
