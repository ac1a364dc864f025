from capture_cases import assert_case

from etl.extract import extract_capture


def test_paragraphs_a_text_browser_wrapped_over_lines_are_one_line_each():
    record = assert_case("document_new/lynx_dump").records[0]
    assert record["title"].endswith("Arrival of Returnees from the Kazakh SSR")
    assert "\n" not in record["summary"]


def test_numbered_link_marks_and_the_reference_list_are_no_text():
    record = assert_case("document_old/lynx_dump").records[0]
    assert "[" not in record["text"] and "References" not in record["text"]


def test_listing_entry_takes_the_address_of_its_numbered_title_link():
    assert_case("listing_search/lynx_dump")


def test_a_document_pages_links_to_other_documents_give_it_no_record_id():
    assert assert_case("document_new/w3m_dump_linking_other_documents").records[0]["record_id"] is None


def test_text_browser_bullets_and_indented_paragraphs_read_as_an_older_collection():
    assert_case("listing_old/lynx_dump_collection")


def test_asterisk_bullets_and_an_underlined_collection_title_read_as_an_older_collection():
    assert_case("listing_old/html2text_dump_collection")


def test_an_underlined_heading_and_tab_indented_values_read_as_document_information():
    assert_case("document_new/links_dump_underlined_tab_values")


def test_full_lines_that_each_end_a_paragraph_are_not_joined():
    text = ("Skip to content\n\nMay 4, 1961\n\nLetter from the Korean Residents' Association in Osaka "
            "to the Red Cross\nThe Association reports that six hundred families registered for the "
            "next ship to Chongjin.\nRecord of the Conversation with the Consul of the DPRK in Nakhodka\n")
    record = extract_capture(text, False).records[0]
    assert record["title"] == "Letter from the Korean Residents' Association in Osaka to the Red Cross"
