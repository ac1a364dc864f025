from pathlib import Path

from etl.sources import list_source_files, read_capture


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
