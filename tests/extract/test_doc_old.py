from capture_cases import assert_case, extract_case

from etl.extract import doc_old


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
