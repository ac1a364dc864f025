from capture_cases import assert_case, extract_case

from etl.extract import doc_new, extract_capture


def test_document_information_block_gives_every_labelled_field():
    assert_case("document_new/full_metadata")


def test_empty_label_value_does_not_take_the_next_label():
    record = extract_case("document_new/full_metadata").records[0]
    assert record["language"] is None
    assert record["authors"] == ["Ministry of Beacons", "Frey, Amund"]


def test_rights_value_spans_two_paragraphs():
    rights = extract_case("document_new/full_metadata").records[0]["rights"]
    assert rights.count("\n\n") == 1 and rights.endswith("[email protected].")


def test_funder_line_gives_what_follows_support_from():
    record = extract_case("document_new/full_metadata").records[0]
    assert record["funders_text"] == "the Invented Lighthouse Foundation"
    assert "made possible" not in record["text"]


def test_summary_is_the_last_paragraph_before_the_metadata():
    record = extract_case("document_new/full_metadata").records[0]
    assert record["summary"].startswith("The ministry reviews")
    assert not record["text"].endswith("abroad.")


def test_labels_without_heading_and_without_chrome_are_the_metadata_block():
    assert_case("document_new/labels_without_heading")


def test_page_cut_in_the_body_keeps_the_complete_paragraphs():
    extraction = assert_case("document_new/truncated_body")
    assert extraction.message.startswith("looks truncated")


def test_page_cut_in_the_title_is_rejected():
    extraction = doc_new.extract("Skip to content\n\nApril 2, 1971\n\nRecord of a Conversa")
    assert extraction.records == []
    assert [(r.rule, r.field, r.value) for r in extraction.rejected] == [
        ("truncated", "title", "Record of a Conversa")]


def test_page_cut_in_a_metadata_value_drops_that_value():
    text = ("Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nBody.\n\nSummary.\n\n"
            "Document Information\n\nType\n\nMemo\n\nSource\n\nArchive of the Board, Fil")
    record = doc_new.extract(text).records[0]
    assert record["source"] is None and record["document_type"] == "Memo"


def test_html_page_with_h1_date_paragraph_and_definition_list():
    assert_case("document_new/page")


def test_html_page_record_id_comes_from_og_url_when_not_printed():
    assert_case("document_new/og_url_without_record_id")


def test_html_page_without_closing_tags_is_truncated():
    extraction = assert_case("document_new/unclosed")
    assert extraction.message.startswith("looks truncated")


def test_html_page_in_the_newer_site_blocks_with_inline_list_values():
    assert_case("document_new/site_blocks")


def test_labels_match_in_singular_plural_and_s_forms():
    assert [doc_new.label_of(p)[0] for p in ("Author(s)", "Authors", "Donor(s)", "Source:", "Sources")] == \
        ["author", "author", "donor", "source", "source"]


def test_page_cut_inside_a_label_keeps_the_value_before_it():
    text = ("Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nBody.\n\nSummary.\n\n"
            "Document Information\n\nSource\n\nArchive of the Board.\n\nType\n\nMemo\n\nRecord I")
    record = doc_new.extract(text).records[0]
    assert (record["source"], record["document_type"]) == ("Archive of the Board.", "Memo")


def test_related_documents_after_the_metadata_are_not_a_value():
    text = ("Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nBody.\n\nSummary.\n\n"
            "Document Information\n\nSource\n\nArchive of the Board.\n\nType\n\nMemo\n\n"
            "Associated Places\n\nGreyholm\n\nRelated Documents\n\nMay 2, 1970\n\nAnother Memo\n")
    assert doc_new.extract(text).records[0]["places"] == ["Greyholm"]


def test_title_line_printed_before_the_date_line_is_the_title():
    assert_case("document_new/title_before_date")


def test_leading_summary_sentence_then_title_then_date_without_chrome():
    record = assert_case("document_new/no_chrome_summary_first_title_before_date").records[0]
    assert "lamp oil" not in (record["text"] or "")


def test_page_cut_before_the_metadata_with_title_before_date_is_a_document():
    text = ("Skip to content\n\nRecord of a Talk between Keeper Frey and the Harbour Master\n\n"
            "April 2, 1971\n\nKeeper Frey asked for a new boat.\n\nThe harbour master said that the yard ag")
    assert doc_new.matches(text)
    record = doc_new.extract(text).records[0]
    assert (record["date_text"], record["title"], record["text"]) == (
        "April 2, 1971", "Record of a Talk between Keeper Frey and the Harbour Master",
        "Keeper Frey asked for a new boat.")


def test_title_before_the_date_below_the_chrome_may_end_in_a_period():
    text = ("Skip to content\n\nNote on a Visit of the Pilot Guild to the Harbour Board on 4.IV.1971.\n\n"
            "April 4, 1971\n\nThe guild came at noon.\n\nThe guild asks for lights.\n\n"
            "Document Information\n\nType\n\nNote\n\nRecord ID\n\n400781\n")
    record = doc_new.extract(text).records[0]
    assert (record["title"], record["text"], record["summary"]) == (
        "Note on a Visit of the Pilot Guild to the Harbour Board on 4.IV.1971.",
        "The guild came at noon.", "The guild asks for lights.")


def test_diary_cut_before_its_metadata_with_date_lines_in_the_body_is_a_document():
    text = ("Skip to content\n\nMay 1, 1971\n\nLog of the Keeper of the North Light, May 1971\n\n"
            "May 2, 1971\n\nRelit the lamp after the storm.\n\nMay 4, 1971\n\nThe supply boat came la")
    assert doc_new.matches(text)
    extraction = doc_new.extract(text)
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("May 1, 1971", "Log of the Keeper of the North Light, May 1971")]
    assert extraction.truncated


def test_one_result_search_page_is_not_a_document_head():
    text = "Skip to content\n\n1 - 1 of 1\n\nApril 2, 1971\n\nA Memo on Boats\n\nThe keeper asks for a boat.\n"
    assert not doc_new.matches(text)


def test_funder_line_between_title_and_date_is_neither_title_nor_body():
    text = ("Skip to content\n\nReport of the Harbour Board on the Ice\n\n"
            "This document was made possible with support from the Invented Tidewater Trust\n\n"
            "June 9, 1977\n\nThe channel froze.\n\nThe board reports that the channel froze.\n\n"
            "Document Information\n\nSource\n\nArchive of the Harbour Board.\n\nType\n\nReport\n\n"
            "Record ID\n\n400779\n")
    record = doc_new.extract(text).records[0]
    assert (record["title"], record["funders_text"], record["text"]) == (
        "Report of the Harbour Board on the Ice", "the Invented Tidewater Trust", "The channel froze.")


def test_html_definition_list_values_end_with_the_list():
    record = assert_case("document_new/definition_list_then_related_content").records[0]
    assert "Collection" not in record["language"] and "Museum" not in record["language"]


def test_html_title_broken_by_a_line_break_is_one_title():
    assert_case("document_new/title_with_line_break")


def test_date_line_with_a_weekday_is_the_date_and_the_title_follows_it():
    record = assert_case("document_new/weekday_date_line").records[0]
    assert record["text"].startswith("Friday, 3 October 1958")  # a day-first line stays in the body


def test_html_date_paragraph_with_a_weekday_and_a_final_period():
    assert_case("document_new/date_with_final_period")


def test_page_cut_before_its_metadata_is_known_by_a_weekday_date_line():
    text = "Skip to content\n\nFriday, October 3, 1958.\n\nLetter on Night Pilotage\n\nThe guild writes to the bo"
    assert doc_new.matches(text)
    assert doc_new.extract(text).records[0]["date_text"] == "Friday, October 3, 1958."


def test_day_first_date_with_a_weekday_is_no_page_head():
    assert not doc_new.matches("Skip to content\n\nFriday, 3 October 1958\n\nLetter on Night Pilotage\n\nThe gui")


def test_html_logo_heading_in_the_site_header_is_not_the_title():
    assert_case("document_new/logo_heading_in_site_header")


def test_html_heading_holding_only_the_sites_name_is_not_the_title():
    assert_case("document_new/site_name_heading_then_title_first")


def test_html_heading_in_a_banner_is_not_the_title_when_another_heading_follows():
    assert_case("document_new/banner_heading_with_another_name")


def test_html_page_cut_before_its_metadata_with_banners_above_its_head_is_a_document():
    html = ('<html><body><a href="#main">Skip to content</a><div id="cookies"><p>This site uses cookies.</p>'
            '<button>Accept</button> <button>Decline</button></div><ol class="crumbs"><li>Home</li>'
            '<li>Documents</li></ol><p>May 5, 1971</p><h1>Letter of the Keeper of Greyholm Light</h1>'
            '<p>The keeper asks for oil.</p><p class="summ')
    extraction = extract_capture(html, is_html=True)
    assert extraction.layout == "document_new" and extraction.truncated
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("May 5, 1971", "Letter of the Keeper of Greyholm Light")]


def test_summary_heading_above_the_summary_is_not_in_the_text():
    text = ("Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nBody.\n\nSummary\n\nThe memo asks for lights.\n\n"
            "Document Information\n\nType\n\nMemo\n")
    record = doc_new.extract(text).records[0]
    assert (record["text"], record["summary"]) == ("Body.", "The memo asks for lights.")


def test_a_related_documents_block_after_the_pages_own_does_not_replace_it():
    text = ("Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nBody.\n\nThe memo asks for lights.\n\n"
            "Document Information\n\nSource\n\nArchive of the Board. Translated by Ann Petrova.\n\n"
            "Record ID\n\n400790\n\nRelated Documents\n\nMay 9, 1970\n\nA Reply on Lights\n\nThe board agrees.\n\n"
            "Document Information\n\nSource\n\nArchive of the Port. Translated by Bo Lindqvist.\n\n"
            "Record ID\n\n400791\n")
    record = doc_new.extract(text).records[0]
    assert (record["record_id"], record["source"], record["summary"], record["text"]) == (
        "400790", "Archive of the Board. Translated by Ann Petrova.", "The memo asks for lights.", "Body.")


def test_person_page_with_only_a_name_above_its_documents_is_no_document():
    text = ("Skip to content\n\nAmund Frey\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper.\n\nMay 9, 1962\n\nReply of the Ministry of Beacons to Amund Frey\n\n"
            "The ministry refuses.\n")
    assert not doc_new.matches(text)
    assert extract_capture(text, is_html=False).layout == "listing_search"


def test_page_cut_before_its_metadata_with_a_dated_letter_head_in_the_body_is_one_document():
    text = ("Skip to content\n\nJune 14, 1977\n\nLetter from the Residents' Union to the Red Cross\n\n"
            "To the International Committee of the Red Cross\n\nJune 12, 1977\n\n"
            "Letter of the Residents' Union in Osaka\n\nDear Sirs, we write to you again about the ships.\n")
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "document_new"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("June 14, 1977", "Letter from the Residents' Union to the Red Cross")]
    assert extraction.records[0]["text"].endswith("about the ships.")


def test_date_line_in_the_body_of_an_undated_page_is_neither_its_date_nor_after_its_title():
    text = ("Skip to content\n\nDiary of a Returnee from Niigata\n\nWe boarded the ship in the morning.\n\n"
            "December 15, 1959\n\nWe reached Chongjin at dawn.\n\nA returnee's diary of the first voyage.\n\n"
            "Document Information\n\nType\n\nJournal\n\nRecord ID\n\n300133\n")
    record = doc_new.extract(text).records[0]
    assert (record["date_text"], record["title"], record["summary"]) == (
        None, "Diary of a Returnee from Niigata", "A returnee's diary of the first voyage.")
    assert record["text"] == "We boarded the ship in the morning.\n\nDecember 15, 1959\n\nWe reached Chongjin at dawn."


def test_uploaded_date_is_one_line_so_an_unknown_label_after_it_is_not_its_value():
    text = ("Skip to content\n\nApril 9, 1961\n\nNote on Korean Students in Prague\n\nBody.\n\nSummary.\n\n"
            "Document Information\n\nOriginal Uploaded Date\n\n2017-10-20\n\nKeywords\n\nExiles\n\n"
            "Type\n\nNote\n\nRecord ID\n\n900103\n")
    record = doc_new.extract(text).records[0]
    assert (record["uploaded_date_text"], record["document_type"]) == ("2017-10-20", "Note")


def test_leading_summary_without_its_final_period_is_no_title_without_chrome():
    text = ("The embassy reports on the return of Korean students from Moscow to Pyongyang\nMay 2, 1958\n"
            "Report on Korean Students Leaving Moscow\nThe students left by train.\nThe embassy counts them.\n"
            "Document Information\nSource\nInvented Archive, File 3.\nRecord ID\n900114\n")
    record = doc_new.extract(text).records[0]
    assert (record["title"], record["text"]) == ("Report on Korean Students Leaving Moscow", "The students left by train.")


def test_leading_summary_without_its_final_period_above_a_title_first_head():
    text = ("The embassy reports on the return of Korean students from Moscow to Pyongyang\n"
            "Report on Korean Students Leaving Moscow\nMay 2, 1958\nThe students left by train.\n"
            "The embassy counts them.\nDocument Information\nSource\nInvented Archive, File 3.\nRecord ID\n900114\n")
    record = doc_new.extract(text).records[0]
    assert (record["date_text"], record["title"]) == ("May 2, 1958", "Report on Korean Students Leaving Moscow")


def test_html_label_the_parser_does_not_know_ends_the_value_before_it():
    page = ('<html><body><a href="#main">Skip to content</a><main><p>April 9, 1961</p>'
            '<h1>Note on Korean Students in Prague</h1><p>The students asked to stay.</p><p>The embassy notes it.</p>'
            '<h2>Document Information</h2><dl><dt>Source</dt><dd>Invented Archive, File 33.</dd>'
            '<dt>Keywords</dt><dd>Exiles</dd><dt>Subjects Discussed</dt><dd>Students</dd>'
            '<dt>Collection</dt><dd>Korean Migration</dd></dl>'
            '<div><h3>Type</h3><div>Note</div></div><div><h3>Rights Note</h3><div>Free to reuse.</div></div>'
            '<div><h3>Record ID</h3><div>900120</div></div></main></body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["source"], record["subjects"], record["document_type"], record["record_id"]) == (
        "Invented Archive, File 33.", ["Students"], "Note", "900120")


def test_record_id_printed_in_full_width_digits_is_the_record_id():
    text = ("Skip to content\n\nJune 7, 1957\n\nTelegram on the Ship Krilion\n\nThe ship left on time.\n\n"
            "The embassy reports that the ship left with 200 returnees.\n\n\nDocument Information\n\n"
            "Source\n\nAVPRF fond 0102, opis 15, delo 23.\n\nRecord ID\n\n\uff19\uff13\uff10\uff10\uff10\uff14\n")
    assert doc_new.extract(text).records[0]["record_id"] == "930004"


def test_html_page_cut_before_its_definition_list_closes_drops_the_last_value():
    page = ("<html><body><p>May 1, 1970</p><h1>A Memo on Lights</h1><p>Body.</p><p>Summary.</p>"
            "<h2>Document Information</h2><dl><dt>Source</dt><dd>Archive of the Board.</dd>"
            "<dt>Rights</dt><dd>Reuse for research is allowed.</dd>\n<dd>Ask the board for")
    record = extract_capture(page[:page.rindex("\n")], is_html=True).records[0]
    assert (record["source"], record["rights"]) == ("Archive of the Board.", None)


def test_page_cut_before_its_metadata_keeps_the_summary_heading_out_of_the_text():
    head = "Skip to content\n\nMay 1, 1970\n\nA Memo on Lights\n\nThe keeper writes.\n\nSummary\n\n"
    after_summary = doc_new.extract(head + "The memo asks for lights.\n\nDocument Inf").records[0]
    in_summary = doc_new.extract(head + "The memo asks for li").records[0]
    assert (after_summary["text"], after_summary["summary"]) == ("The keeper writes.", "The memo asks for lights.")
    assert (in_summary["text"], in_summary["summary"]) == ("The keeper writes.", None)


def test_person_page_with_a_lifespan_line_and_one_related_document_is_no_document():
    text = ("Skip to content\n\nAmund Frey\n\n1901-1980\n\nAmund Frey was the keeper of the north light for forty years.\n\n"
            "Related Documents\n\nMay 5, 1962\n\nLetter of Amund Frey to the Ministry of Beacons\n\n"
            "Frey asks for a second keeper.\n")
    assert not doc_new.matches(text)
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "listing_search"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("May 5, 1962", "Letter of Amund Frey to the Ministry of Beacons")]


def test_html_person_page_with_a_lifespan_under_its_heading_is_no_document():
    page = ("<html><body><main><h1>Amund Frey</h1><p>1901-1980</p>"
            "<p>Amund Frey was the keeper of the north light for forty years.</p><h2>Related Documents</h2>"
            '<div><p>May 5, 1962</p><h3><a href="/document/400801">Letter of Amund Frey to the Ministry of Beacons</a>'
            "</h3><p>Frey asks for a second keeper.</p></div></main></body></html>")
    extraction = extract_capture(page, is_html=True)
    assert extraction.layout == "listing_search"
    assert [(r["date_text"], r["title"], r["record_id"]) for r in extraction.records] == [
        ("May 5, 1962", "Letter of Amund Frey to the Ministry of Beacons", "400801")]


def test_result_count_quoted_in_the_body_below_the_head_is_body_text():
    text = ("Skip to content\n\nApril 2, 1971\n\nTally of the Ferry Registers for the Spring\n\n"
            "The clerk printed the tally as the register shows it.\n\nResults:\n\n1 - 3 of 3\n\n"
            "Registers checked at the north quay, the south quay and the ferry office.\n")
    extraction = extract_capture(text, is_html=False)
    assert extraction.layout == "document_new"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("April 2, 1971", "Tally of the Ferry Registers for the Spring")]
    assert "1 - 3 of 3" in extraction.records[0]["text"]


def test_html_page_cut_before_its_metadata_with_a_result_count_in_the_body_is_a_document():
    page = ("<html><body><main><p>April 2, 1971</p><h1>Tally of the Ferry Registers for the Spring</h1>"
            "<p>The clerk printed the tally as the register shows it.</p><p>1 - 3 of 3</p>"
            "<p>Registers checked at the north quay, the south quay and the ferry office.</p></main></body></html>")
    extraction = extract_capture(page, is_html=True)
    assert extraction.layout == "document_new"
    assert [(r["date_text"], r["title"]) for r in extraction.records] == [
        ("April 2, 1971", "Tally of the Ferry Registers for the Spring")]


def test_html_table_header_cell_the_parser_does_not_know_ends_the_value_before_it():
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2><table><tr><th>Source</th><td>Invented Archive, File 33.</td></tr>'
            '<tr><th>Type</th><td>Note</td></tr><tr><th>Keywords</th><td>Exiles</td></tr>'
            '<tr><th>Language</th><td>Czech</td></tr><tr><th>Record ID</th><td>900121</td></tr></table></body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["document_type"], record["language"], record["record_id"]) == ("Note", "Czech", "900121")


def test_html_field_label_the_parser_does_not_know_ends_the_value_before_it():
    fields = [("Source", "Invented Archive, File 34."), ("Type", "Note"), ("Keywords", "Exiles"),
              ("Language", "Czech"), ("Record ID", "900122")]
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2>' + "".join(
                f'<div class="field"><div class="field-label">{label}:&nbsp;</div>'
                f'<div class="field-items"><div class="field-item">{value}</div></div></div>' for label, value in fields)
            + '</body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["document_type"], record["language"], record["record_id"]) == ("Note", "Czech", "900122")


def test_html_inline_label_element_is_a_line_of_its_own():
    fields = [("Source", "Invented Archive, File 35."), ("Type", "Note"), ("Language", "Czech"), ("Record ID", "900123")]
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2>' + "".join(
                f'<div class="views-field"><span class="views-label">{label}</span> '
                f'<span class="field-content">{value}</span></div>' for label, value in fields) + '</body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["source"], record["document_type"], record["language"], record["record_id"]) == (
        "Invented Archive, File 35.", "Note", "Czech", "900123")


def test_html_links_in_a_table_or_field_value_are_values_of_their_own():
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2><table><tr><th>Source</th><td>Invented Archive, File 36.</td></tr>'
            '<tr><th>Associated Places</th><td><a href="/p/1">Czechoslovakia</a>, <a href="/p/2">Korea</a></td></tr>'
            '<tr><th>Record ID</th><td>900124</td></tr></table>'
            '<div class="field"><div class="field-label">Subjects Discussed</div><div class="field-items">'
            '<div class="field-item"><a href="/s/1">Students</a> | <a href="/s/2">Exiles</a></div></div></div>'
            '</body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["places"], record["subjects"]) == (["Czechoslovakia", "Korea"], ["Students", "Exiles"])


def test_html_bold_lead_ending_in_a_colon_the_parser_does_not_know_ends_the_value_before_it():
    fields = [("Source", "Invented Archive, File 37."), ("Type", "Note"), ("Keywords", "Exiles"),
              ("Language", "Czech"), ("Record ID", "900125")]
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2>' + "".join(f'<p><strong>{label}:</strong> {value}</p>' for label, value in fields)
            + '</body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["document_type"], record["language"], record["record_id"]) == ("Note", "Czech", "900125")


def test_html_title_printed_only_in_the_pages_og_title_is_the_title():
    page = ('<html><head><meta property="og:title" content="Note on Korean Students in Prague"></head><body>'
            '<p>Skip to content</p><p>April 9, 1961</p><p>The students asked to stay.</p><p>The embassy notes it.</p>'
            '<h2>Document Information</h2><dl><dt>Source</dt><dd>Invented Archive, File 38.</dd>'
            '<dt>Type</dt><dd>Note</dd><dt>Record ID</dt><dd>900126</dd></dl></body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["title"], record["date_text"], record["text"], record["summary"]) == (
        "Note on Korean Students in Prague", "April 9, 1961", "The students asked to stay.", "The embassy notes it.")


def test_html_title_printed_without_a_heading_is_found_though_og_title_names_the_site():
    page = ('<html><head><meta property="og:title" content="Note on Korean Students in Prague - Wilson Center">'
            '</head><body><p>Skip to content</p><p>April 9, 1961</p><div>Note on Korean Students in Prague</div>'
            '<p>The students asked to stay.</p><p>The embassy notes it.</p><h2>Document Information</h2><dl>'
            '<dt>Source</dt><dd>Invented Archive, File 39.</dd><dt>Type</dt><dd>Note</dd><dt>Record ID</dt><dd>900127</dd>'
            '</dl></body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["title"], record["text"]) == ("Note on Korean Students in Prague", "The students asked to stay.")


def test_html_bold_lead_followed_by_a_colon_the_parser_does_not_know_ends_the_value_before_it():
    fields = [("Source", "Invented Archive, File 41."), ("Type", "Note"), ("Keywords", "Exiles"),
              ("Language", "Czech"), ("Record ID", "900128")]
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2>' + "".join(f'<p><b>{label}</b>: {value}</p>' for label, value in fields)
            + '</body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["document_type"], record["language"], record["record_id"]) == ("Note", "Czech", "900128")


def test_html_first_of_two_table_cells_the_parser_does_not_know_ends_the_value_before_it():
    fields = [("Source", "Invented Archive, File 42."), ("Type", "Note"), ("Keywords", "Exiles"),
              ("Language", "Czech"), ("Record ID", "900129")]
    page = ('<html><body><p>April 9, 1961</p><h1>Note on Korean Students in Prague</h1><p>The embassy notes it.</p>'
            '<h2>Document Information</h2><table>' + "".join(f'<tr><td>{label}</td><td>{value}</td></tr>'
                                                             for label, value in fields) + '</table></body></html>')
    record = extract_capture(page, True).records[0]
    assert (record["document_type"], record["language"], record["record_id"]) == ("Note", "Czech", "900129")
