"""The catalog: index.json, index.html, releases.atom and the charts, derived from real releases."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl
import pytest

from etl import catalog, charts, pipeline, publish
from etl.sources import list_source_files

PACKAGE = "wilson-digital-archive-korea"
OLDER, NEWER = "2026.11.22", "2026.11.23"
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"


def _tables(source: Path, paths: list[str]) -> dict:
    extracted = pipeline.extract_batch(source, paths)
    return pipeline.assemble_release(pipeline.combine_batches([extracted])).tables


@pytest.fixture(scope="module")
def newer_tables(samples_dir):
    return _tables(samples_dir, list_source_files(samples_dir))


@pytest.fixture(scope="module")
def output(tmp_path_factory, samples_dir, newer_tables) -> Path:
    """Two releases: the older one built without the search listings, so the counts move."""
    out = tmp_path_factory.mktemp("output")
    fewer = [p for p in list_source_files(samples_dir) if "/search/" not in p]
    publish.write_release(_tables(samples_dir, fewer), out, OLDER)
    publish.write_release(newer_tables, out, NEWER)
    catalog.write_catalog(out)
    return out


@pytest.fixture
def own_output(output, tmp_path) -> Path:
    """A copy of the output folder that a test may change."""
    return Path(shutil.copytree(output, tmp_path / "output"))


def _index(output: Path) -> dict:
    return json.loads((output / "index.json").read_text("utf-8"))


def _catalog_bytes(output: Path) -> dict[str, bytes]:
    files = [output / "index.json", output / "index.html", output / "releases.atom",
             *sorted((output / "charts").rglob("*.svg"))]
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in files}


def _is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [value for name, value in attrs if name in ("href", "src")]


def _page_links(output: Path) -> _Links:
    parser = _Links()
    parser.feed((output / "index.html").read_text("utf-8"))
    return parser


def test_index_lists_every_release_newest_first_with_relative_urls_sizes_and_hashes(output):
    index = _index(output)
    [package] = index["packages"]
    assert package["name"] == PACKAGE and package["latest"] == NEWER
    assert [r["version"] for r in package["releases"]] == [NEWER, OLDER]
    assert index["updated"] == "2026-11-23T00:00:00Z"
    for release in package["releases"]:
        folder = output / PACKAGE / release["version"]
        assert release["created"] == json.loads((folder / "datapackage.json").read_text("utf-8"))["created"]
        kinds = [f["kind"] for f in release["files"]]
        assert kinds[:5] == ["datapackage", "readme", "checksums", "zip", "sqlite"]
        assert kinds.count("parquet") == kinds.count("csv") == 9
        for entry in release["files"]:
            assert _is_relative(entry["url"])
            data = (output / unquote(entry["url"])).read_bytes()
            assert entry["bytes"] == len(data)
            assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert release["bytes"] == sum(f["bytes"] for f in release["files"])


def test_counts_and_their_differences_come_from_the_datapackages(output):
    newer, older = _index(output)["packages"][0]["releases"]
    for release in (newer, older):
        descriptor = json.loads((output / PACKAGE / release["version"] / "datapackage.json").read_text("utf-8"))
        assert release["counts"] == {r["name"]: r["rowCount"] for r in descriptor["resources"]}
    assert newer["changes"]["previous"] == OLDER and older["changes"]["previous"] is None
    assert newer["changes"]["counts"] == {k: newer["counts"][k] - older["counts"][k] for k in newer["counts"]}
    assert newer["changes"]["counts"]["documents"] > 0
    assert f"documents {newer['counts']['documents']} (+{newer['changes']['counts']['documents']})" \
        in newer["changes"]["summary"]
    assert older["changes"]["summary"].startswith("First release: documents ")


def test_every_link_and_image_on_the_page_resolves_to_a_file_under_output(output):
    links = _page_links(output)
    assert "script" not in links.tags
    assert len(links.urls) > 30
    for url in links.urls:
        assert _is_relative(url), url
        assert (output / unquote(urlsplit(url).path)).is_file(), url


def test_page_shows_the_latest_release_first_with_downloads_charts_fields_and_changes(output):
    page = (output / "index.html").read_text("utf-8")
    newer = _index(output)["packages"][0]["releases"][0]
    zip_entry = next(f for f in newer["files"] if f["kind"] == "zip")
    assert page.index(f"<strong>{NEWER}</strong>") < page.index(f">{OLDER},")
    assert zip_entry["hash"].removeprefix("sha256:") in page
    assert catalog.human_size(zip_entry["bytes"]) in page and " KiB" in page
    assert page.count('.svg"') == 5 and '<link rel="icon" type="image/svg+xml" href="favicon.svg">' in page
    assert (output / "favicon.svg").read_text("utf-8").startswith("<svg")
    for field in ("document_id", "date_start", "archive_reference"):   # fields of the documents schema
        assert f"<code>{field}</code>" in page
    assert newer["changes"]["summary"] in page
    assert '<meta name="viewport"' in page


def test_every_chart_is_a_well_formed_svg_with_title_description_and_bars(output):
    urls = [c["url"] for c in _index(output)["packages"][0]["charts"]]
    assert [Path(u).name for u in urls] == [
        "documents-by-year.svg", "documents-by-archive.svg", "documents-by-type.svg", "collections-by-size.svg"]
    for url in urls:
        path = output / unquote(url)
        assert path.parent.name == NEWER and path.stat().st_size > 0
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
        bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
        assert bars and all(float(b.get("width")) > 0 and float(b.get("height")) > 0 for b in bars)


def test_chart_bars_add_up_to_the_latest_release(output):
    release = output / PACKAGE / NEWER
    documents = pl.read_parquet(release / "data" / "documents.parquet")
    by_name = {c.name: c for c in charts.release_charts(release)}
    assert sum(n for _, n in by_name["documents-by-archive"].bars) == documents.height
    assert sum(n for _, n in by_name["documents-by-type"].bars) == documents.height
    assert sum(n for _, n in by_name["documents-by-year"].bars) == documents.get_column("date_start").count()
    years = [int(label) for label, _ in by_name["documents-by-year"].bars]
    assert years == list(range(years[0], years[-1] + 1))
    collections = pl.read_parquet(release / "data" / "collections.parquet")
    assert by_name["collections-by-size"].bars == list(collections.select("title", "document_count").iter_rows())


def test_the_feed_is_atom_with_one_entry_per_release_dated_by_created(output):
    root = ET.parse(output / "releases.atom").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}updated").text == "2026-11-23T00:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert [e.find(f"{ATOM}updated").text for e in entries] == ["2026-11-23T00:00:00Z", "2026-11-22T00:00:00Z"]
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 2
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert entry.find(f"{ATOM}title").text and entry.find(f"{ATOM}summary").text
        for link in entry.findall(f"{ATOM}link"):
            assert _is_relative(link.get("href")) and (output / unquote(link.get("href"))).is_file()
    assert "Compared with 2026.11.22: documents" in entries[0].find(f"{ATOM}summary").text


def test_rewriting_the_catalog_gives_identical_bytes_wherever_the_folder_is(output, own_output):
    before = _catalog_bytes(output)
    catalog.write_catalog(own_output)
    assert _catalog_bytes(own_output) == before
    catalog.write_catalog(own_output)
    assert _catalog_bytes(own_output) == before
    assert not [p for p in own_output.rglob(".*tmp*")]


def test_a_release_change_list_is_shown_before_its_counts(own_output):
    (own_output / PACKAGE / NEWER / "changes.json").write_text(
        json.dumps({"summary": ["Corrected the dates of 3 telegrams."]}), encoding="utf-8")
    catalog.write_catalog(own_output)
    newer = _index(own_output)["packages"][0]["releases"][0]
    assert newer["changes"]["notes"] == ["Corrected the dates of 3 telegrams."]
    assert newer["changes"]["summary"].startswith("Corrected the dates of 3 telegrams. Compared with")
    assert "Corrected the dates of 3 telegrams." in (own_output / "releases.atom").read_text("utf-8")


def test_a_half_written_release_folder_is_not_listed(own_output):
    hidden = own_output / PACKAGE / f".2026.11.24.partial-99"
    shutil.copytree(own_output / PACKAGE / NEWER, hidden)
    catalog.write_catalog(own_output)
    assert [r["version"] for r in _index(own_output)["packages"][0]["releases"]] == [NEWER, OLDER]


def test_a_new_release_moves_the_charts_and_removes_the_old_ones(own_output, newer_tables):
    publish.write_release(newer_tables, own_output, "2026.11.24")
    catalog.write_catalog(own_output)
    assert [p.name for p in (own_output / "charts" / PACKAGE).iterdir()] == ["2026.11.24"]
    newest = _index(own_output)["packages"][0]["releases"][0]
    assert newest["version"] == "2026.11.24"
    assert "no table changed size" in newest["changes"]["summary"]
    for url in _page_links(own_output).urls:
        assert (own_output / unquote(url)).is_file(), url


def test_an_output_folder_without_releases_is_refused(tmp_path):
    with pytest.raises(catalog.CatalogError, match="no releases"):
        catalog.write_catalog(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_etl_catalog_rewrites_the_catalog_without_starting_prefect(own_output):
    (own_output / "index.html").unlink()
    code = ("import sys; from etl.cli import main; rc = main(['catalog', '--output', sys.argv[1]]); "
            "assert 'prefect' not in sys.modules, 'prefect was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(own_output)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote index.json, index.html, releases.atom, favicon.svg and 4 charts")
    assert (own_output / "index.html").is_file()
