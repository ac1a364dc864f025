from capture_cases import assert_case, extract_case

from etl.extract import article, extract_capture


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


NOTICE = "Text taken from Wikipedia under CC-BY-SA."
CLOSING = "Community content is available under CC-BY-SA unless otherwise noted."


def article_of(*paras: str) -> dict:
    """The article extracted from a page of the notice, these paragraphs and the closing line."""
    return article.extract("\n\n".join([NOTICE, *paras, CLOSING]) + "\n").article


def test_prose_that_mentions_a_licence_stays_in_the_text():
    found = article_of("Greyholm Light is an invented light.[1]",
                       "In 2004 the keepers' logs were scanned and put under a Creative Commons licence.",
                       "  1. Winter, A. Lights, 1990.")
    assert "Creative Commons licence" in found["text"]
    assert found["references"] == ["Winter, A. Lights, 1990."]


def test_reference_that_mentions_a_licence_stays_a_reference():
    drawings = "Lamp drawings, Creative Commons set of the Ivel Museum, retrieved May 2, 2011"
    found = article_of("Greyholm Light is an invented light.[1][2]",
                       "  \u2022 Winter, A. Lights, 1990.", f"  \u2022 {drawings}")
    assert found["references"] == ["Winter, A. Lights, 1990.", drawings]


def test_references_survive_a_footer_line_after_them():
    found = article_of("Greyholm Light is an invented light.[1][2]", "References",
                       "  1. Winter, A. Lights, 1990.", "  2. Holm, P. Ferries, 1999.",
                       "This page was last modified on 9 May 2019, at 08:40.")
    assert found["references"] == ["Winter, A. Lights, 1990.", "Holm, P. Ferries, 1999."]
    assert found["text"].startswith("Greyholm Light") and "Winter" not in found["text"]


def test_references_numbered_in_brackets():
    found = article_of("Greyholm Light is an invented light.[1][2]", "References",
                       "[1] Winter, A. (1990) Lights of the Coast.", "[2] Holm, P. (1999) Ferries.")
    assert found["references"] == ["Winter, A. (1990) Lights of the Coast.", "Holm, P. (1999) Ferries."]
    assert "Winter" not in found["text"]


def test_caret_and_star_references_lose_their_marks_and_backlink_letters():
    found = article_of("Greyholm Light is an invented light.[1][2][3]", "References",
                       "^ a b Winter, A. (1990). Lights of the Coast.", "^ Holm, P. Ferries",
                       "* Frey, A. Keeping the Light, 2001.")
    assert found["references"] == ["Winter, A. (1990). Lights of the Coast.", "Holm, P. Ferries",
                                   "Frey, A. Keeping the Light, 2001."]
    assert found["sections"] == ["References"]


def test_language_codes_of_any_wiki_form_split():
    found = article_of("Greyholm Light is an invented light.[1]", "  1. Winter, A. Lights, 1990.",
                       "sv:Greyholms fyr simple:Greyholm Light zh-min-nan:Greyholm teng-tha",
                       "be-x-old:Маяк Грэйгольм")
    assert found["language_links"] == ["sv:Greyholms fyr", "simple:Greyholm Light",
                                       "zh-min-nan:Greyholm teng-tha", "be-x-old:Маяк Грэйгольм"]


def test_edit_links_are_cut_from_headings():
    found = article_of("Greyholm Light is an invented light.[1]", "Keepers[edit]",
                       "Amund Frey kept the light.[2]", "See also[edit]", "  \u2022 Ivel Ferry",
                       "References [edit | edit source]", "  1. Winter, A. Lights, 1990.",
                       "  2. Holm, P. Ferries, 1999.")
    assert found["sections"] == ["Keepers", "See also", "References"]
    assert found["references"] == ["Winter, A. Lights, 1990.", "Holm, P. Ferries, 1999."]


def test_short_sentences_with_letter_or_word_marks_are_prose():
    found = article_of("Amund Frey (1901\u20131980) was an invented lighthouse keeper.[1]",
                       "Early life", "He was born in Ivel in 1901.[a]",
                       "He trained at sea.[citation needed]", "He wed in 1930.[note 2]",
                       "  1. Winter, A. Lights, 1990.")
    assert found["sections"] == ["Early life"]
    assert found["text"].split("\n\n")[1:] == [
        "He was born in Ivel in 1901.[a]", "He trained at sea.[citation needed]", "He wed in 1930.[note 2]"]


def test_heading_above_the_language_links_is_no_section():
    found = article_of("Greyholm Light is an invented light.[1]", "References", "  1. Winter, A. Lights, 1990.",
                       "In other languages", "sv:Greyholms fyr no:Greyholm fyr")
    assert found["sections"] == ["References"]
    assert found["language_links"] == ["sv:Greyholms fyr", "no:Greyholm fyr"]


def test_wiki_markup_headings_lose_their_equals_signs():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "== History ==",
                       "The ferry ran from 1950.[2]", "=== Later years ===", "It closed in 1988.[3]")
    assert found["sections"] == ["History", "Later years"]


def test_numbered_headings_are_sections_without_their_numbers():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "1. History",
                       "The ferry ran from 1950.[2]", "1.1 Later years", "It closed in 1988.[3]",
                       "References", "  1. Winter, A. Ferries, 1990.", "  2. Holm, P. Rivers")
    assert found["sections"] == ["History", "Later years", "References"]
    assert found["text"].split("\n\n") == ["Tumen Ferry is an invented river crossing.[1]",
                                           "The ferry ran from 1950.[2]", "It closed in 1988.[3]"]
    assert found["references"] == ["Winter, A. Ferries, 1990.", "Holm, P. Rivers"]


def test_numbered_list_inside_the_prose_stays_in_the_text():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "It carried:",
                       "1. Passengers", "2. Mail", "Service ended in 1988.[2]")
    assert found["sections"] == []
    assert "1. Passengers" in found["text"] and "2. Mail" in found["text"]


def test_language_links_printed_as_list_items_are_no_references():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "References",
                       "  1. Winter, A. Ferries, 1990.", "  \u2022 ko:두만강 나루", "  \u2022 ru:Туманная переправа")
    assert found["references"] == ["Winter, A. Ferries, 1990."]
    assert found["language_links"] == ["ko:두만강 나루", "ru:Туманная переправа"]


def test_reference_that_is_a_doi_stays_a_reference():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "References",
                       "  \u2022 doi:10.1000/tumen.1990")
    assert found["references"] == ["doi:10.1000/tumen.1990"] and found["language_links"] == []


def test_first_sentence_with_no_subject_to_cut_gives_no_title():
    found = article_of("두만강 나루는 1950년부터 1988년까지 운영된 가상의 나루이다.[1] 나루는 도문에 있었다.[2]",
                       "  1. 김철수. 나루의 역사. 1990.")
    assert found["title"] is None


def test_line_holding_a_web_address_is_no_heading():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "References",
                       "  1. Winter, A. Ferries, 1990.", 'Retrieved from "https://wiki.example.org/wiki/Tumen_Ferry"')
    assert found["sections"] == ["References"]


def test_markdown_headings_lose_their_hash_marks_and_underlines_are_no_sections():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "## History",
                       "The ferry ran from 1950.[2]", "Later years", "-----------", "It closed in 1988.[3]",
                       "References", "==========", "  1. Winter, A. Ferries, 1990.")
    assert found["sections"] == ["History", "Later years", "References"]
    assert found["text"].split("\n\n") == ["Tumen Ferry is an invented river crossing.[1]",
                                           "The ferry ran from 1950.[2]", "It closed in 1988.[3]"]
    assert found["references"] == ["Winter, A. Ferries, 1990."]


def test_article_whose_licence_notice_only_closes_the_page_is_an_article():
    text = ("Greyholm Light\n\nGreyholm Light is an invented lighthouse on the north coast.[1]\n\nTimeline\n\n"
            "  \u2022 May 05, 1962\n\n    The light is switched to electricity.[2]\n\n"
            "References\n\n  \u2022 Winter, A. Lights of the Coast, 1990.\n\n"
            "Community content is available under CC-BY-SA unless otherwise noted.\n")
    extraction = extract_capture(text, is_html=False)
    assert (extraction.layout, extraction.records) == ("article", [])
    assert extraction.article["title"] == "Greyholm Light"
    assert extraction.article["license"] == "CC-BY-SA"
    assert extraction.article["references"] == ["Winter, A. Lights of the Coast, 1990."]


def test_list_under_a_section_that_is_no_references_heading_stays_in_the_text():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "Landings",
                       "  \u2022 Namyang", "  \u2022 Tumen town", "References",
                       "  1. Winter, A. Ferries, 1990.")
    assert found["references"] == ["Winter, A. Ferries, 1990."]
    assert "\u2022 Namyang" in found["text"] and "\u2022 Tumen town" in found["text"]


def test_without_a_known_references_heading_only_the_last_sections_items_are_references():
    found = article_of("두만강 나루는 가상의 나루이다.[1]", "경과", "  \u2022 1950년 – 개통.", "  \u2022 1988년 – 폐쇄.",
                       "각주", "  1. 김철수. 나루의 역사. 1990.")
    assert found["references"] == ["김철수. 나루의 역사. 1990."]
    assert "\u2022 1950년 – 개통." in found["text"]


def test_see_also_further_reading_and_external_links_lists_are_neither_text_nor_references():
    found = article_of("Tumen Ferry is an invented river crossing.[1]", "See also", "  \u2022 Namyang Bridge",
                       "References", "  1. Winter, A. Ferries, 1990.", "Further reading",
                       "  \u2022 Holm, P. Rivers of the North, 2001.", "External links",
                       "  \u2022 Tumen Ferry Society – http://www.example.org/tumen")
    assert found["references"] == ["Winter, A. Ferries, 1990."]
    assert found["text"] == "Tumen Ferry is an invented river crossing.[1]"
    assert found["sections"] == ["See also", "References", "Further reading", "External links"]


def test_reference_wrapped_onto_an_indented_line_is_one_reference():
    text = (f"{NOTICE}\n\nTumen Ferry is an invented river crossing.[1][2]\n\nReferences\n\n"
            "  1. Winter, A. (1990). Ferries of the Tumen.\n     doi:10.1234/tumen.1990.\n"
            "  2. Holm, P. Rivers\n\n{CLOSING}\n".replace("{CLOSING}", CLOSING))
    found = article.extract(text).article
    assert found["references"] == ["Winter, A. (1990). Ferries of the Tumen. doi:10.1234/tumen.1990.",
                                   "Holm, P. Rivers"]
    assert found["text"] == "Tumen Ferry is an invented river crossing.[1][2]"


def test_licence_spelled_out_keeps_its_kind_and_version():
    def licence_of(notice: str) -> str:
        return article.extract(f"{notice}\n\nTumen Ferry is an invented river crossing.[1]\n\n{CLOSING}\n").article["license"]

    assert licence_of('This article uses material from the Wikipedia article "Tumen Ferry", which is released '
                      "under the Creative Commons Attribution-Share-Alike License 3.0.") == "CC-BY-SA 3.0"
    assert licence_of("Text from Wikipedia under the Creative Commons Attribution-NonCommercial-ShareAlike "
                      "licence, version 2.5.") == "CC-BY-NC-SA 2.5"


def test_lettered_notes_with_a_backlink_are_references():
    found = article_of("Tumen Ferry is an invented river crossing.[1][a]", "Notes",
                       "  a. ^ Some sources give 1951.", "  b. ^ Local usage.", "References",
                       "  1. ^ Winter, A. Ferries, 1990.")
    assert found["references"] == ["Some sources give 1951.", "Local usage.", "Winter, A. Ferries, 1990."]
    assert found["text"] == "Tumen Ferry is an invented river crossing.[1][a]"


def test_arrow_and_jump_up_backlinks_are_cut_from_references():
    found = article_of("Туманная переправа — вымышленная переправа.[1][2][3]", "Примечания",
                       "  1. \u2191 Винтер А. Переправы. — М., 1990.", "  2. \u2191 1 2 Холм П. Реки. — Л., 1999.",
                       "  3. Jump up ^ Frey, A. Keeping the Ferry, 2001.")
    assert found["references"] == ["Винтер А. Переправы. — М., 1990.", "Холм П. Реки. — Л., 1999.",
                                   "Frey, A. Keeping the Ferry, 2001."]


def test_title_quoted_in_a_notice_in_another_language():
    found = article.extract('이 문서는 위키백과의 "두만강 나루" 문서를 CC BY-SA 3.0 라이선스에 따라 사용합니다.\n\n'
                            "두만강 나루는 1950년부터 운영된 가상의 나루이다.[1]\n\n  1. 김철수. 나루의 역사. 1990.\n").article
    assert found["title"] == "두만강 나루"


def test_article_cut_in_a_paragraph_keeps_its_complete_sentences():
    text = (f"{NOTICE}\n\nTumen Ferry is an invented river crossing.[1]\n\n"
            "The ferry ran from 1950.[2] It closed in Septem")
    extraction = article.extract(text)
    assert extraction.truncated
    assert extraction.article["text"].split("\n\n") == ["Tumen Ferry is an invented river crossing.[1]",
                                                        "The ferry ran from 1950.[2]"]
