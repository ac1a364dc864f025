import pytest
from capture_cases import all_cases, expected_of, extract_case

from etl.extract import LAYOUTS, extract_capture

LAYOUT_NAMES = {"listing_old", "listing_search", "document_new", "document_old", "article"}


def test_every_layout_module_has_the_same_three_names():
    assert {m.LAYOUT for m in LAYOUTS} == LAYOUT_NAMES
    assert all(callable(m.matches) and callable(m.extract) for m in LAYOUTS)


@pytest.mark.parametrize("case", all_cases())
def test_each_fixture_is_read_by_its_layout(case):
    assert extract_case(case, "cp1252" if "cp1252" in case else "utf-8").layout == expected_of(case)["layout"]


@pytest.mark.parametrize("case", all_cases())
def test_records_carry_position_layout_and_title_and_no_empty_strings(case):
    extraction = extract_case(case, "cp1252" if "cp1252" in case else "utf-8")
    for record in extraction.records:
        assert record["position"] >= 1 and record["layout"] == extraction.layout and record["title"]
        assert "" not in record.values() and [] not in record.values()


def test_unknown_text_gives_no_layout_and_quotes_its_first_line():
    extraction = extract_capture("\nWeather report for the harbour\nWind from the west.\n", False)
    assert extraction.layout is None and extraction.records == []
    assert extraction.message == 'no known layout: first line "Weather report for the harbour"'


def test_reason_quotes_at_most_sixty_characters():
    extraction = extract_capture("A very long first line " * 10 + "\n", False)
    assert len(extraction.message.split("first line ")[1]) <= 62


def test_one_enormous_line_matches_no_layout():
    text = "  \u2022 May 05, 1962 Title of a listing entry. " * 1000
    extraction = extract_capture(text, False)
    assert extraction.layout is None and "one line" in extraction.message
    assert not any(m.matches(text) for m in LAYOUTS)


def test_empty_text_matches_no_layout():
    assert extract_capture("", False).message == "no known layout: no text"
    assert extract_capture("<html><body></body></html>", True).layout is None


def test_html_page_cut_before_its_body_says_it_looks_truncated():
    extraction = extract_capture("<!DOCTYPE html><html><head><title>Report on the Ferr", True)
    assert extraction.layout is None
    assert extraction.message == "no known layout: no text; looks truncated: no closing </html> tag"


def test_html_article_below_the_sites_header_is_read_as_an_article():
    page = ('<html><body><header><a href="/">Harbour Wiki</a></header><main>'
            '<p>Content taken from Wikipedia under CC-BY-SA.</p><h1>Tumen Ferry</h1>'
            '<p>Tumen Ferry is an invented river crossing.[1]</p><ol><li>Winter, A. Ferries, 1990.</li></ol>'
            '</main></body></html>')
    extraction = extract_capture(page, True)
    assert extraction.layout == "article"
    assert (extraction.article["title"], extraction.article["references"]) == ("Tumen Ferry", ["Winter, A. Ferries, 1990."])


def test_text_article_below_a_site_name_line_is_not_guessed_at():
    text = "Harbour Wiki\n\nContent taken from Wikipedia under CC-BY-SA.\n\nTumen Ferry is an invented crossing.[1]\n"
    assert extract_capture(text, False).layout is None


def test_newer_site_results_saved_as_an_html_ordered_list_are_the_newer_listing():
    page = ('<!DOCTYPE html><html><body><a href="#main">Skip to content</a><main id="main">'
            "<p>Results:</p><p>1 - 2 of 2</p><h2>Documents</h2><ol>"
            '<li><p>March 3, 1959</p><h3><a href="/document/5501">Note on the Fishing Boats</a></h3>'
            "<p>The ministry asks for the boats back.</p></li>"
            '<li><p>May 1959</p><h3><a href="/document/5503">Telegram on Exit Permits</a></h3></li>'
            "</ol></main></body></html>")
    extraction = extract_capture(page, True)
    assert extraction.layout == "listing_search"
    assert [(r["layout"], r["title"], r["record_id"]) for r in extraction.records] == [
        ("listing_search", "Note on the Fishing Boats", "5501"), ("listing_search", "Telegram on Exit Permits", "5503")]


def test_older_site_results_saved_as_an_html_list_stay_the_older_listing():
    page = ("<!DOCTYPE html><html><body><p>Search in</p><p>Digital Archive International History Declassified</p>"
            "<p>1 - 1 of 1</p><ul>"
            '<li><p>March 03, 1959</p><h3><a href="/document/5501">Note on the Fishing Boats</a></h3></li>'
            "</ul></body></html>")
    assert extract_capture(page, True).layout == "listing_old"


def test_a_capture_cut_before_anything_tells_its_layout_says_it_looks_truncated():
    extraction = extract_capture("Skip to content\n\nMarch 3, 19", False)
    assert extraction.layout is None
    assert extraction.message.startswith('no known layout: first line "Skip to content"; looks truncated')
    assert "looks truncated" not in extract_capture("Weather report for the harbour\n", False).message
