import pytest

from etl.extract.html import parse_html_page


def test_blocks_become_lines_with_blank_lines_between_them():
    page = parse_html_page("<html><body><h2>Title</h2><p>One</p><div>Two</div></body></html>")
    assert page.text == "Title\n\nOne\n\nTwo\n"


def test_list_items_become_bullet_lines():
    page = parse_html_page("<html><body><ul><li>First</li><li><p>Second</p></li></ul></body></html>")
    assert page.text == "  \u2022 First\n\n  \u2022 Second\n"


def test_br_breaks_a_line_without_a_blank_line():
    assert parse_html_page("<html><body><p>One<br>Two</p></body></html>").text == "One\nTwo\n"


def test_script_style_nav_and_head_are_dropped():
    page = parse_html_page("<html><head><title>T</title><style>p{}</style></head><body>"
                           "<nav>Menu</nav><script>var a = '<p>x</p>';</script><p>Kept</p></body></html>")
    assert page.text == "Kept\n"


def test_entities_are_decoded():
    page = parse_html_page("<html><body><p>A &amp; B &ndash; C&nbsp;D &#8217;</p></body></html>")
    assert page.text == "A & B \u2013 C\u00a0D \u2019\n"


def test_links_canonical_and_first_heading_are_returned():
    page = parse_html_page('<html><head><link rel="canonical" href="/document/7"></head><body>'
                           '<h1>The  Title</h1><a href="/document/8">Other  one</a></body></html>')
    assert (page.canonical, page.heading, page.links) == ("/document/7", "The Title", [("/document/8", "Other one")])


def test_page_cut_inside_text_has_no_final_newline_and_is_incomplete():
    page = parse_html_page("<html><body><p>Complete.</p><p>Cut in the midd")
    assert page.text == "Complete.\n\nCut in the midd" and not page.complete


def test_page_cut_inside_a_tag_ends_with_a_complete_line():
    page = parse_html_page("<html><body><p>Complete.</p><p cla")
    assert page.text == "Complete.\n" and not page.complete


@pytest.mark.parametrize("cut", ["<dd>Harbour Archive, Fond 4, Op. ", "<dd>For permissions, write to <a href=\"/em",
                                 "<dd>For permissions, write to <b>"])
def test_page_cut_after_a_space_or_inside_a_link_in_a_value_stops_in_that_value(cut):
    page = parse_html_page("<html><body><dl><dt>Source</dt>" + cut)
    assert not page.text.endswith("\n") and page.text.endswith(" ")


def test_series_entries_sharing_a_title_each_take_their_own_link():
    from etl.extract import extract_capture

    page = """<!DOCTYPE html><html><body><ul>
<li><p>March 3, 1961</p><p><a href="/document/501">Report, Embassy of Poland to the Foreign Ministry</a></p></li>
<li><p>April 9, 1961</p><p><a href="/document/502">Report, Embassy of Poland to the Foreign Ministry</a></p></li>
</ul></body></html>
"""
    records = extract_capture(page, is_html=True).records
    assert [r["record_id"] for r in records] == ["501", "502"]


def test_end_of_a_definition_list_is_returned_as_a_paragraph_index():
    page = parse_html_page("<html><body><p>Head</p><dl><dt>Type</dt><dd>Memo</dd></dl><p>After</p></body></html>")
    assert page.list_ends == (3,) and page.text.split("\n\n")[3] == "After\n"


def test_br_inside_a_heading_is_a_space():
    page = parse_html_page("<html><body><h1>One<br>Two</h1><h3><a href='/document/5'>Three<br/>Four</a></h3></body></html>")
    assert (page.text, page.heading, page.links) == ("One Two\n\nThree Four\n", "One Two", [("/document/5", "Three Four")])


LOGO_PAGE = "<html><body>{logo}<main><p>May 1, 1985</p><h1>Note on the Tern</h1><h1>Later</h1></main></body></html>"


def test_heading_of_only_an_image_is_passed_over():
    page = parse_html_page(LOGO_PAGE.format(logo='<h1><a href="/"><img src="/logo.png" alt="Home"></a></h1>'))
    assert page.heading == "Note on the Tern"


def test_heading_inside_the_site_header_or_a_banner_is_passed_over_for_the_next_one():
    for logo in ('<header><div><h1><a href="/">Harbour Records</a></h1></div></header>',
                 '<div role="banner"><h1><img src="/l.png">Harbour Records</h1><div>Menu</div></div>',
                 '<header role="banner"><header><h1>Harbour Records</h1></header></header>'):
        page = parse_html_page(LOGO_PAGE.format(logo=logo))
        assert page.heading == "Note on the Tern", logo
        assert page.text.startswith("Harbour Records\n"), logo  # the text keeps the logo's words


def test_heading_that_is_the_sites_name_is_passed_over_for_the_next_one():
    for name in ("Wilson Center", "Wilson Center Digital Archive", "Digital Archive: International History Declassified"):
        assert parse_html_page(LOGO_PAGE.format(logo=f"<h1>{name}</h1>")).heading == "Note on the Tern", name


def test_only_heading_stays_the_heading_inside_the_site_header_or_as_the_sites_name():
    for logo, name in (("<header><h1>Harbour Records</h1></header>", "Harbour Records"),
                       ("<h1>Wilson Center</h1>", "Wilson Center")):
        page = parse_html_page(f"<html><body>{logo}<p>May 1, 1985</p><h2>Note on the Tern</h2></body></html>")
        assert page.heading == name


def test_heading_in_a_header_inside_main_or_an_article_is_the_documents_heading():
    for wrapper in ("main", "article", "section"):
        page = parse_html_page(f"<html><body><{wrapper}><header><h1>Note on the Tern</h1></header>"
                               f"<p>May 1, 1985</p><h1>Related notes</h1></{wrapper}></body></html>")
        assert page.heading == "Note on the Tern", wrapper


def test_heading_after_the_site_header_closes_is_no_banner_heading():
    page = parse_html_page("<html><body><header><a href='/'>Home</a></header><h1>Note on the Tern</h1>"
                           "<h1>Later</h1></body></html>")
    assert page.heading == "Note on the Tern"


def test_asides_and_elements_marked_as_footer_sidebar_or_menu_are_dropped():
    page = parse_html_page(
        '<html><body><p>Kept</p><aside><p>Related</p></aside><div id="sidebar"><div><p>Side</p></div>'
        '<p>Still side</p></div><div role="contentinfo"><p>Address</p></div>'
        '<div class="site-footer wide"><p>Phone</p></div><p>Also kept</p></body></html>')
    assert page.text == "Kept\n\nAlso kept\n"


def test_links_of_a_definition_value_with_only_separators_between_are_values_of_their_own():
    page = parse_html_page('<html><body><dl><dt>Subjects</dt><dd><a href="/a">Boats</a><a href="/b">Lights</a>'
                           '</dd><dt>Places</dt><dd><a href="/c">Ivel</a>, <a href="/d">Greyholm</a></dd>'
                           '<dt>Source</dt><dd>Letter of <a href="/e">Frey</a> and <a href="/f">Holm</a></dd>'
                           '</dl></body></html>')
    assert page.text == "Subjects\n\nBoats\nLights\n\nPlaces\n\nIvel\nGreyholm\n\nSource\n\nLetter of Frey and Holm\n"


def test_a_labelled_date_line_is_the_date_alone():
    page = parse_html_page('<html><body><div><span>Date:</span> <time>May 5, 1971</time></div>'
                           '<p>Date: of the boat</p></body></html>')
    assert page.text == "May 5, 1971\n\nDate: of the boat\n"


def test_a_web_archives_toolbar_and_banner_are_dropped():
    page = parse_html_page(
        "<html><body><!-- BEGIN WAYBACK TOOLBAR INSERT --><div><p>2014</p><p>12 captures</p><a href='/x'>Close</a>"
        "</div><!-- END WAYBACK TOOLBAR INSERT --><div id='wm-ipp-print'>The Wayback Machine</div>"
        "<div id='wm-ipp'><p>September 12, 2015</p></div><p>Skip to content</p><p>Kept</p></body></html>")
    assert page.text == "Skip to content\n\nKept\n" and page.links == []


def test_a_saving_tools_note_of_the_address_and_the_base_href_are_kept():
    page = parse_html_page('<html><head><meta name="savepage-url" content="https://example.org/document/9">'
                           '<base href="https://example.org/"></head><body><p>x</p></body></html>')
    assert (page.canonical, page.base) == ("https://example.org/document/9", "https://example.org/")


def test_og_title_comes_back_without_the_site_name_it_ends_in():
    page = parse_html_page('<html><head><meta property="og:title" content="Note on Students | Wilson Center Digital Archive">'
                           '</head><body><p>Text</p></body></html>')
    assert page.og_title == "Note on Students"


def test_element_of_a_label_class_inside_a_line_is_no_label_and_breaks_no_line():
    page = parse_html_page('<html><body><p>Zhou writes <span class="label">urgent</span> about the border.</p>'
                           '<div><span class="label">Source</span> <span>Invented Archive, File 40.</span></div></body></html>')
    assert (page.text, page.label_starts) == ("Zhou writes urgent about the border.\n\nSource\nInvented Archive, File 40.\n", (1,))
