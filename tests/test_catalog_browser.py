"""The catalog page in a real browser: output/index.html opened in headless Chromium (Debian's
`chromium` package, see tests/browser.py), served by a static HTTP server on loopback.

One Chromium and one page load for the module; each test reads what the page shows. Without
Chromium the tests fail (they are not skipped) and the message says how to install it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from browser import BrowserError, Chromium, png_colours, png_pixels, png_size
from etl import catalog, charts, pipeline, publish
from etl.sources import list_source_files

PACKAGE = "wilson-digital-archive-korea"
OLDER, NEWER = "2026.11.22", "2026.11.23"
WIDTH, HEIGHT = 1280, 900
CHARTS = ["documents-by-year", "documents-by-archive", "documents-by-type", "collections-by-size"]
BAR = tuple(int(charts.BAR_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
WHITE = (255, 255, 255)

# Scroll every chart into view (they load lazily) and wait until each has loaded or failed.
LOAD_IMAGES = """(async () => {
  for (const img of document.images) {
    img.scrollIntoView();
    if (!img.complete) {
      await new Promise(done => {
        img.addEventListener('load', done, {once: true});
        img.addEventListener('error', done, {once: true});
      });
    }
    await img.decode().catch(() => null);
  }
  window.scrollTo(0, 0);
  return document.images.length;
})()"""

# What the page shows, read from the rendered document. Boxes are in page coordinates.
READ_PAGE = """(() => {
  const text = el => el ? el.textContent.replace(/\\s+/g, ' ').trim() : null;
  const box = el => {
    const r = el.getBoundingClientRect();
    return {x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height};
  };
  const shown = el => {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const latest = [...document.querySelectorAll('main p')].find(p => text(p).startsWith('Latest release'));
  const top = el => el ? box(el).y : null;
  return {
    title: document.title,
    h1: text(document.querySelector('main h1')),
    latest: text(latest && latest.querySelector('strong')),
    counts: [...document.querySelectorAll('dl.counts > div')].map(d =>
      [text(d.querySelector('dt')), text(d.querySelector('dd')), shown(d)]),
    order: ['main h1', 'dl.counts', '#download', '#charts', '#fields', '#releases']
      .map(s => top(document.querySelector(s))),
    latestTop: top(latest),
    downloads: [...document.querySelectorAll('#download ~ .scroll table')].map(table =>
      [...table.tBodies[0].rows].map(row => ({
        what: text(row.cells[0]), href: row.querySelector('a') && row.querySelector('a').href,
        name: text(row.querySelector('a')), size: text(row.cells[2]), sha256: text(row.cells[3]),
        shown: shown(row)}))),
    releases: [...document.querySelectorAll('#releases ~ h3')].map(text),
    anchors: [...document.querySelectorAll('a[href]')].map(a => a.href),
    links: [...document.querySelectorAll('link[href]')].map(a => a.href),
    images: [...document.images].map(img => ({
      src: img.currentSrc, complete: img.complete, naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight, alt: img.alt, box: box(img), shown: shown(img),
      caption: text(img.closest('figure') && img.closest('figure').querySelector('figcaption'))})),
    fields: [...document.querySelectorAll('#fields ~ details')].map(d => ({
      name: text(d.querySelector('summary code')), rows: d.querySelectorAll('tbody tr').length,
      fields: [...d.querySelectorAll('tbody tr td:first-child code')].map(text)})),
  };
})()"""

# Open the first table of the field dictionary, as a reader clicking it: are its rows drawn?
OPEN_FIRST_DICTIONARY = """(() => {
  const details = document.querySelector('#fields ~ details');
  const rows = () => [...details.querySelectorAll('tbody tr')];
  const closed = rows().map(r => r.checkVisibility());
  details.querySelector('summary').click();
  const opened = rows().map(r => r.checkVisibility() && r.getBoundingClientRect().height > 0);
  details.open = false;
  return {closed, opened};
})()"""


class _Handler(SimpleHTTPRequestHandler):
    """A plain static file server that records each request's path and status."""

    def log_request(self, code="-", size="-"):
        self.server.requests.append((unquote(urlsplit(self.path).path), int(code)))

    def log_message(self, *args):
        pass


def _tables(source: Path, paths: list[str]) -> dict:
    extracted = pipeline.extract_batch(source, paths)
    return pipeline.assemble_release(pipeline.combine_batches([extracted])).tables


@pytest.fixture(scope="module")
def output(tmp_path_factory, samples_dir) -> Path:
    """Two releases and their catalog; the older one lacks the search listings, so counts differ."""
    out = tmp_path_factory.mktemp("output")
    every = list_source_files(samples_dir)
    publish.write_release(_tables(samples_dir, [p for p in every if "/search/" not in p]), out, OLDER)
    publish.write_release(_tables(samples_dir, every), out, NEWER)
    catalog.write_catalog(out)
    return out


@pytest.fixture(scope="module")
def server(output):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(output)))
    server.requests = []
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    """Chromium, started once; without it every test of the module fails, saying how to install it."""
    try:
        chromium, problem = Chromium(), None
    except BrowserError as err:
        chromium, problem = None, str(err)
    if problem:
        pytest.fail(problem, pytrace=False)
    with chromium:
        yield chromium


@pytest.fixture(scope="module")
def page(browser, server):
    """index.html loaded, every chart scrolled to and loaded, the network quiet again."""
    page = browser.new_page(WIDTH, HEIGHT)
    page.goto(f"{server.origin}/index.html")
    page.evaluate(LOAD_IMAGES)
    page.wait_for_network_idle()
    page.requests_served = list(server.requests)    # before the tests fetch links themselves
    page.shown = page.evaluate(READ_PAGE)
    return page


@pytest.fixture(scope="module")
def index(output) -> dict:
    return json.loads((output / "index.json").read_text("utf-8"))


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))    # loopback: never through a proxy


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with _DIRECT.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_the_latest_release_comes_first_with_its_counts(page, index):
    shown = page.shown
    [package] = index["packages"]
    newer, older = package["releases"]
    assert newer["version"] == NEWER and newer["counts"] != older["counts"]
    assert shown["h1"] == package["title"] == shown["title"]
    assert shown["latest"] == NEWER
    assert shown["counts"] == [[name.replace("_", " "), f"{n:,}", True] for name, n in newer["counts"].items()]
    assert shown["latestTop"] < shown["order"][1]
    assert None not in shown["order"], "a section is missing"
    assert shown["order"] == sorted(shown["order"]), "the sections are not in page order"
    assert [h.split(",")[0] for h in shown["releases"]] == [NEWER, OLDER]


def test_the_download_table_offers_every_format_with_sizes_and_each_link_resolves(page, index, server):
    whole, tables = page.shown["downloads"]
    newer = index["packages"][0]["releases"][0]
    labels = [row["what"] for row in whole]
    assert "All tables, CSV (zip)" in labels and "All tables, SQLite" in labels
    resources = list(newer["counts"])
    assert [row["what"] for row in tables] == [f"{r} ({kind})" for r in resources for kind in ("Parquet", "CSV")]
    files = {f"{server.origin}/{f['url']}": f for f in newer["files"]}
    for row in whole + tables:
        assert row["shown"], row
        entry = files[row["href"]]
        status, body = _fetch(row["href"])
        assert status == 200, row["href"]
        assert len(body) == entry["bytes"] and row["size"] == catalog.human_size(len(body)), row
        assert row["sha256"] == hashlib.sha256(body).hexdigest() == entry["hash"].removeprefix("sha256:"), row
        assert row["name"] == Path(unquote(urlsplit(row["href"]).path)).name
    suffixes = {Path(urlsplit(row["href"]).path).suffix for row in whole + tables}
    assert {".parquet", ".csv", ".zip", ".sqlite"} <= suffixes


def test_every_link_on_the_page_resolves_on_the_server(page, server, index):
    anchors = {urldefrag(url).url for url in page.shown["anchors"]}
    newer, older = index["packages"][0]["releases"]
    expected = {"index.json", "releases.atom", *(f["url"] for f in newer["files"]),
                *(f["url"] for f in older["files"] if f["kind"] in ("readme", "datapackage", "checksums"))}
    assert sorted(anchors) == sorted(f"{server.origin}/{url}" for url in expected)
    assert f"{server.origin}/releases.atom" in page.shown["links"]
    for url in sorted(anchors | {urldefrag(url).url for url in page.shown["links"]}):
        assert url.startswith(server.origin + "/"), f"{url} leaves the server"
        assert _fetch(url)[0] == 200, url


def test_every_chart_is_drawn_with_bars(page, server):
    images = page.shown["images"]
    assert [Path(urlsplit(i["src"]).path).stem for i in images] == CHARTS
    for image in images:
        assert image["src"].startswith(server.origin + "/"), image["src"]
        assert image["complete"] and image["naturalWidth"] > 0 and image["naturalHeight"] > 0, image["src"]
        assert image["shown"] and image["box"]["width"] > 100 and image["box"]["height"] > 50, image
        assert image["alt"].startswith(image["caption"] + "."), image
        png = page.screenshot(clip=image["box"])
        width, height = png_size(png)
        assert abs(width - image["box"]["width"]) <= 1 and abs(height - image["box"]["height"]) <= 1
        bar = sum(1 for row in png_pixels(png) for pixel in row
                  if all(abs(a - b) <= 4 for a, b in zip(pixel, BAR)))
        assert bar > 200, f"{image['src']}: {bar} pixels of the bar colour on screen"
    assert [i["caption"] for i in images] == [
        "Documents per year", "Documents by archive", "Documents by document type", "Documents per collection"]


def test_the_field_dictionary_lists_every_table_and_opens(page, output):
    descriptor = json.loads((output / PACKAGE / NEWER / "datapackage.json").read_text("utf-8"))
    fields = page.shown["fields"]
    assert [f["name"] for f in fields] == [r["name"] for r in descriptor["resources"]]
    for shown, resource in zip(fields, descriptor["resources"]):
        assert shown["fields"] == [f["name"] for f in resource["schema"]["fields"]]
    rows = page.evaluate(OPEN_FIRST_DICTIONARY)
    assert not any(rows["closed"]) and len(rows["opened"]) == fields[0]["rows"] and all(rows["opened"])


def test_a_screenshot_of_the_page_is_not_blank(page, tmp_path_factory):
    path = tmp_path_factory.mktemp("screenshots") / "index.png"
    path.write_bytes(page.screenshot())
    png = path.read_bytes()
    assert png_size(png) == (WIDTH, HEIGHT)
    colours = png_colours(png, enough=16)
    assert WHITE in colours and len(colours) >= 16, f"{path}: only {len(colours)} colours"


def test_no_console_errors_and_no_request_leaves_the_server(page, server):
    errors = [f"{e['params']['entry']['text']} ({e['params']['entry'].get('url', '')})"
              for e in page.events("Log.entryAdded") if e["params"]["entry"]["level"] == "error"]
    errors += [" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"]["args"])
               for e in page.events("Runtime.consoleAPICalled") if e["params"]["type"] in ("error", "assert")]
    errors += [e["params"]["exceptionDetails"]["text"] for e in page.events("Runtime.exceptionThrown")]
    assert errors == []
    requested = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert [url for url in requested if not url.startswith(server.origin + "/")] == []
    assert [e["params"]["errorText"] for e in page.events("Network.loadingFailed")] == []
    assert [(e["params"]["response"]["url"], e["params"]["response"]["status"])
            for e in page.events("Network.responseReceived") if e["params"]["response"]["status"] != 200] == []
    paths = [path for path, _ in page.requests_served]
    assert paths[0] == "/index.html" and {Path(p).stem for p in paths if p.endswith(".svg")} >= set(CHARTS)
    assert [(path, status) for path, status in page.requests_served if status != 200] == []
