import zipfile
from pathlib import Path

from etl.sources import decoded_text, list_source_files, read_capture, source_location, source_problem


def _write(root: Path, name: str, data: bytes) -> str:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)
    return name


def test_empty_file_is_reported_empty(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "a.txt", b""))
    assert (capture.status, capture.text) == ("empty", None)
    assert capture.message


def test_whitespace_only_file_is_empty(tmp_path):
    assert read_capture(tmp_path, _write(tmp_path, "a.txt", b" \n\t\n")).status == "empty"


def test_nul_bytes_mean_binary(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert capture.status == "binary"


def test_utf8_is_tried_first(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "a.txt", "Erdélyi “report”\n".encode()))
    assert (capture.encoding, capture.text) == ("utf-8", "Erdélyi “report”\n")


def test_cp1252_curly_quotes_decode_as_cp1252(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "a.txt", "“Cable,” 1961\r\n".encode("cp1252")))
    assert capture.encoding == "cp1252"
    assert capture.text == "“Cable,” 1961\n"


def test_utf8_capture_cut_inside_its_last_character_is_utf8_without_that_character(tmp_path):
    data = "Учителя просили учебников. 선생님들은 한국어 교과서를 요청했습니다".encode()
    for cut in (1, 2):
        capture = read_capture(tmp_path, _write(tmp_path, f"{cut}.txt", data[:-cut]))
        assert (capture.status, capture.encoding) == ("ok", "utf-8")
        assert capture.text == "Учителя просили учебников. 선생님들은 한국어 교과서를 요청했습니"


def test_bytes_cp1252_leaves_undefined_fall_back_to_latin1(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "a.txt", b"Gy\x81r text here and more text " * 20))
    assert capture.status == "undecodable"  # latin-1 reads \x81 as a C1 control in every line


def test_utf8_bom_and_utf16_are_read(tmp_path):
    assert read_capture(tmp_path, _write(tmp_path, "a.txt", "\ufeffHello".encode("utf-8"))).encoding == "utf-8-sig"
    utf16 = read_capture(tmp_path, _write(tmp_path, "b.txt", "Hello world".encode("utf-16")))
    assert (utf16.encoding, utf16.text) == ("utf-16", "Hello world")


def test_html_is_recognised_by_its_opening(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "page.txt", b"\n  <!DOCTYPE html><html></html>"))
    assert capture.format == "html"


def test_html_after_an_xml_prolog_or_a_saved_from_comment_is_html(tmp_path):
    for name, data in [("a.html", b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
                                  b' Strict//EN" "x"><html></html>'),
                       ("b.html", b"<!-- saved from url=(0040)https://example.org/document/1 -->\n<html></html>"),
                       ("c.txt", b"A page about <html> tags.\n")]:
        assert read_capture(tmp_path, _write(tmp_path, name, data)).format == ("text" if name == "c.txt" else "html")


def test_source_id_is_the_content_hash_prefix(tmp_path):
    one = read_capture(tmp_path, _write(tmp_path, "a/one.txt", b"same bytes"))
    two = read_capture(tmp_path, _write(tmp_path, "b/two.txt", b"same bytes"))
    assert one.source_id == two.source_id == one.sha256[:16]


def test_listing_is_sorted_relative_and_skips_links(tmp_path):
    _write(tmp_path, "z/deep/b.txt", b"x")
    _write(tmp_path, "a.txt", b"x")
    outside = tmp_path.parent / "outside-secret.txt"
    outside.write_bytes(b"secret")
    (tmp_path / "link.txt").symlink_to(outside)
    assert list_source_files(tmp_path) == ["a.txt", "z/deep/b.txt"]


def test_a_parser_failure_on_one_file_becomes_its_status(tmp_path, monkeypatch):
    from etl import pipeline

    _write(tmp_path, "good.txt", b"Some text that is no capture\n")
    _write(tmp_path, "odd.txt", b"Skip to content\n\nMarch 3, 1961\n\nA title\n")

    def brittle(text, is_html):
        if "Skip to content" in text:
            raise ValueError("unexpected shape")
        return real(text, is_html)

    real = pipeline.extract_capture
    monkeypatch.setattr(pipeline, "extract_capture", brittle)
    sources = pipeline.extract_batch(tmp_path, ["good.txt", "odd.txt"]).sources
    rows = dict(sources.select("path", "status").iter_rows())
    assert rows == {"good.txt": "unrecognised", "odd.txt": "parse_error"}
    assert "unexpected shape" in sources.filter(sources["path"] == "odd.txt")["message"].item()


def _folder_and_zip(tmp_path):
    folder = tmp_path / "captures"
    for name, data in {"a.txt": b"one\n", "deep/b.html": b"<html><body>two</body></html>",
                       "deep/er/c.txt": "caf\xe9\n".encode("cp1252")}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    archive = tmp_path / "captures.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            packed.write(path, f"inside/{path.relative_to(folder).as_posix()}")
    return folder, f"zip://inside::{archive}"


def test_a_url_source_lists_and_reads_the_same_files_as_its_folder(tmp_path):
    folder, zipped = _folder_and_zip(tmp_path)
    expected = ["a.txt", "deep/b.html", "deep/er/c.txt"]
    for source in (folder, folder.as_uri(), zipped):
        assert list_source_files(source) == expected, source
        captures = [read_capture(source, p) for p in expected]
        assert [(c.sha256, c.format, c.encoding, c.text) for c in captures] == \
            [(c.sha256, c.format, c.encoding, c.text) for c in (read_capture(folder, p) for p in expected)]


def test_a_missing_file_at_a_url_is_unreadable_not_an_error(tmp_path):
    _, zipped = _folder_and_zip(tmp_path)
    capture = read_capture(zipped, "gone.txt")
    assert capture.status == "unreadable" and "could not read" in capture.message


def test_url_sources_are_kept_and_paths_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert source_location("s3://bucket/captures") == "s3://bucket/captures"
    assert source_location("captures") == tmp_path / "captures"


def test_a_source_that_cannot_be_read_says_why(tmp_path):
    folder, zipped = _folder_and_zip(tmp_path)
    assert source_problem(folder) is None and source_problem(zipped) is None
    assert "does not exist" in source_problem(tmp_path / "nowhere")
    assert "Protocol not known" in source_problem("nosuchprotocol://x")
    assert "No such file" in source_problem(f"zip://inside::{tmp_path / 'missing.zip'}")
    assert "not a folder" in source_problem(f"{zipped.split('::')[0]}/a.txt::{zipped.split('::')[1]}")


def test_copies_of_a_capture_are_duplicates_and_copies_of_an_empty_file_are_empty(tmp_path):
    from etl.pipeline import combine_batches, extract_batch

    listing = "Skip to content\n\n1 - 1 of 1\n\nMay 5, 1962\n\nLetter of the Keeper\n\nHe asks for oil.\n"
    names = [_write(tmp_path, name, data) for name, data in [
        ("a/list.txt", listing.encode()), ("b/list.txt", listing.encode()), ("a/none.txt", b""), ("b/none.txt", b"")]]
    sources = combine_batches([extract_batch(tmp_path, names)]).sources.sort("path")
    assert sources.select("path", "status").rows() == [
        ("a/list.txt", "ok"), ("a/none.txt", "empty"), ("b/list.txt", "duplicate"), ("b/none.txt", "empty")]


def test_nul_bytes_past_the_first_kilobytes_still_mean_binary(tmp_path):
    data = b"Skip to content\n\nMarch 3, 1961\n\n" + b"The ship left Niigata. " * 1000 + b"\x00" * 64 + b"\nMore.\n"
    assert read_capture(tmp_path, _write(tmp_path, "a.txt", data)).status == "binary"


def test_text_padded_with_nul_bytes_to_its_end_is_read_as_truncated(tmp_path):
    capture = read_capture(tmp_path, _write(tmp_path, "a.txt", b"March 3, 1961\n\nNote on Retur" + b"\x00" * 4096))
    assert (capture.status, capture.text) == ("truncated", "March 3, 1961\n\nNote on Retur")
    assert "4,096 NUL bytes" in capture.message


def test_a_file_of_only_nul_bytes_is_binary(tmp_path):
    assert read_capture(tmp_path, _write(tmp_path, "a.txt", b"\x00" * 100)).status == "binary"


def test_a_charset_declared_in_a_meta_tag_is_tried_before_cp1252(tmp_path):
    page = '<html><head><meta charset="euc-kr"></head><body><p>이산가족 편지</p></body></html>'
    capture = read_capture(tmp_path, _write(tmp_path, "a.html", page.encode("cp949")))
    assert (capture.encoding, capture.text) == ("cp949", page)


def test_a_declared_charset_that_the_bytes_do_not_fit_falls_back_to_cp1252(tmp_path):
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>' \
           '<body><p>\u201cReturn\u201d</p></body></html>'
    capture = read_capture(tmp_path, _write(tmp_path, "a.html", page.encode("cp1252")))
    assert (capture.encoding, capture.text) == ("cp1252", page)


def test_a_declared_charset_the_sources_table_does_not_record_is_not_used(tmp_path):
    page = '<html><head><meta charset="utf-16"></head><body><p>Note</p></body></html>'
    assert read_capture(tmp_path, _write(tmp_path, "a.html", page.encode())).encoding == "utf-8"
    page = '<html><head><meta charset="iso-8859-7"></head><body><p>\u201cNote\u201d</p></body></html>'
    assert read_capture(tmp_path, _write(tmp_path, "b.html", page.encode("cp1252"))).encoding == "cp1252"


def test_ascii_text_ending_in_one_windows_1252_letter_is_windows_1252_not_cut_utf8():
    assert decoded_text("The harbour caf\u00e9".encode("cp1252")) == ("The harbour caf\u00e9", "cp1252")
