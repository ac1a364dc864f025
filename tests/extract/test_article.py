from capture_cases import assert_case, extract_case

from etl.extract import article


def test_article_with_title_line_headings_references_and_language_links():
    extraction = assert_case("article/title_line")
    assert extraction.records == []


def test_wiki_template_leftovers_are_removed_and_reference_marks_kept():
    text = extract_case("article/title_line").article["text"]
    assert "Template:" not in text and "[4]" in text


def test_bulleted_and_numbered_references_both_count():
    assert len(extract_case("article/title_line").article["references"]) == 3


def test_language_links_split_on_code_prefixes():
    links = extract_case("article/title_line").article["language_links"]
    assert links == ["de:Leuchtturm Greyholm", "fr:Phare de Greyholm", "nn:Greyholm fyr"]


def test_title_named_in_the_notice():
    assert_case("article/title_in_notice")


def test_title_from_the_subject_of_the_first_sentence():
    assert_case("article/title_from_first_sentence")


def test_first_line_must_be_a_licence_notice():
    assert not article.matches("Greyholm Light\n\nContent under CC-BY-SA from Wikipedia.\n")


def test_article_cut_in_a_reference_drops_that_reference():
    text = ("Text from Wikipedia under CC-BY-SA.\n\nGreyholm Light is an invented light.[1]\n\n"
            "  1. Winter, A. Lights, 1990.\n  2. Holm, P. Ferries of the Co")
    extraction = article.extract(text)
    assert extraction.truncated and extraction.article["references"] == ["Winter, A. Lights, 1990."]
