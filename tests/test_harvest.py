"""`etl harvest`: gathering captures into the raw store, against a real site on loopback.

One flow run harvests the site of `archive_site.py` (module fixture `first`); the tests
read what it left: the manifest, objects/, current/ and the site's request log. Tests of a
second run, of a folder, and of the run limit use sites of their own.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from archive_site import REVISED_SUMMARY, ArchiveSite, LoopbackSite, search_path

from etl import rawstore
from etl.harvest import (
    HarvestError, HarvestOptions, HarvestSummary, RateLimiter, check_harvest, harvest, plan_round,
)
from etl.pipeline import extract_batch
from etl.rawstore import url_snapshot_path
from etl.sources import list_source_files
from flows.harvest import harvest as harvest_flow

COLLECTION = "/collection/31/island-ferries"
OPTIONS = HarvestOptions(contact="https://example.org/harvest-contact", rate=500.0, timeout=1.0,
                         retries=3, retry_delay=0.01)


def start_urls(site: ArchiveSite) -> list[str]:
    return [site.url(search_path(1)), site.url(COLLECTION)]


def rows_of(raw: Path) -> list[dict]:
    return rawstore.manifest_rows(raw)


def row_for(rows: list[dict], site: ArchiveSite, path: str) -> dict:
    [row] = [r for r in rows if r["url"] == site.url(path)]
    return row


def objects_in(raw: Path) -> set[str]:
    return {p.name for p in (raw / "objects").rglob("*") if p.is_file()}


def snapshot(raw: Path, site: ArchiveSite, path: str) -> Path:
    return raw / "current" / url_snapshot_path(site.url(path))


@dataclass
class FirstRun:
    site: ArchiveSite
    raw: Path
    summary: HarvestSummary
    rows: list[dict]
    task_runs: int


@pytest.fixture(scope="module")
def first(prefect_server, tmp_path_factory) -> FirstRun:
    raw = tmp_path_factory.mktemp("harvest") / "raw"
    with ArchiveSite() as site:
        state = harvest_flow(start_urls(site), raw, OPTIONS, return_state=True)
        yield FirstRun(site, raw, state.result(), rows_of(raw), task_run_count(state.state_details.flow_run_id))


def task_run_count(flow_run_id) -> int:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                     sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
    return len(runs)


# --- one harvest ------------------------------------------------------------------------------

def test_first_harvest_stores_every_reachable_page_with_a_manifest_row(first):
    s = first.summary
    # 3 search pages + the collection + 9 document pages (4108 under two URLs, 4107 by redirect)
    assert (s.fetched, s.new, s.changed, s.not_modified) == (13, 13, 0, 0)
    assert (s.client_errors, s.gave_up, s.robots_skipped, s.redirects) == (1, 1, 1, 1)
    assert len(first.rows) == 16 and {r["run"] for r in first.rows} == {s.run_id}
    stored = [r for r in first.rows if r["sha256"]]
    assert all(r["status"] == 200 and r["fetched_at"] and r["bytes"] and r["last_modified"] for r in stored)
    assert all(r["etag"] for r in stored if "/collection/" not in r["url"])
    assert all((first.raw / "current" / r["path"]).read_bytes() ==
               rawstore.object_path(first.raw, r["sha256"]).read_bytes() for r in stored)
    assert len(list_source_files(first.raw / "current")) == 13


def test_pagination_and_document_links_are_followed(first):
    for page in (2, 3):
        assert row_for(first.rows, first.site, search_path(page))["outcome"] == "new"
    assert row_for(first.rows, first.site, "/document/4104")["outcome"] == "new"


def test_robots_disallowed_page_is_never_requested(first):
    assert first.site.requests_for("/document/private-4190") == []
    assert row_for(first.rows, first.site, "/document/private-4190")["outcome"] == "robots"


def test_client_error_is_recorded_and_not_retried(first):
    assert len(first.site.requests_for("/document/4199")) == 1
    row = row_for(first.rows, first.site, "/document/4199")
    assert (row["status"], row["outcome"], row["sha256"]) == (404, "client-error", None)
    assert not snapshot(first.raw, first.site, "/document/4199").exists()


def test_server_error_is_retried_until_the_page_comes(first):
    assert len(first.site.requests_for("/document/4105")) == 3      # 500, 500, then the page
    assert row_for(first.rows, first.site, "/document/4105")["outcome"] == "new"
    assert b"Harbour Master at Vestby" in snapshot(first.raw, first.site, "/document/4105").read_bytes()


def test_slow_page_is_retried_after_the_timeout(first):
    assert len(first.site.requests_for("/document/4106")) == 2
    assert row_for(first.rows, first.site, "/document/4106")["outcome"] == "new"


def test_page_failing_every_retry_is_recorded_as_gave_up(first):
    assert len(first.site.requests_for("/document/4198")) == OPTIONS.retries + 1
    row = row_for(first.rows, first.site, "/document/4198")
    assert (row["status"], row["outcome"]) == (503, "gave-up")


def test_redirect_is_followed_and_kept_under_its_final_url(first):
    row = row_for(first.rows, first.site, "/document/moved-4107")
    assert (row["final_url"], row["redirects"]) == (first.site.url("/document/4107"), 1)
    assert snapshot(first.raw, first.site, "/document/4107").is_file()
    assert not snapshot(first.raw, first.site, "/document/moved-4107").exists()


def test_same_bytes_under_two_urls_are_stored_once(first):
    a = row_for(first.rows, first.site, "/document/4108")
    b = row_for(first.rows, first.site, "/document/4108?from=collection")
    assert a["sha256"] == b["sha256"] and a["path"] != b["path"]
    assert [a["stored"], b["stored"]].count(True) == 1
    assert first.summary.objects_stored == 12 == len(objects_in(first.raw))


def test_links_to_other_hosts_are_not_followed(first):
    assert all(r["url"].startswith(first.site.base) for r in first.rows)


def test_every_request_names_the_project_and_a_contact(first):
    agents = {headers.get("User-Agent") for _, headers in first.site.requests}
    assert len(agents) == 1 and agents.pop().startswith("wilson-archive-etl/")
    assert all(OPTIONS.contact in headers["User-Agent"] for _, headers in first.site.requests)


def test_a_harvest_takes_tens_of_task_runs_not_one_per_url(first):
    # open_crawl, one batch per start URL, then the documents in at most `batches` batches
    assert first.task_runs <= 1 + 2 + OPTIONS.batches


def test_harvested_snapshot_is_read_by_the_extractors(first):
    current = first.raw / "current"
    extracted = extract_batch(current, list_source_files(current))
    layouts = dict(zip(extracted.sources["path"], extracted.sources["layout"]))
    assert layouts[url_snapshot_path(first.site.url(COLLECTION))] == "listing_old"
    assert layouts[url_snapshot_path(first.site.url(search_path(2)))] == "listing_search"
    assert layouts[url_snapshot_path(first.site.url("/document/4101"))] == "document_new"
    assert set(extracted.sources["status"]) == {"ok"}
    documents = extracted.records.filter(extracted.records["layout"] == "document_new")
    assert sorted(documents["record_id"]) == ["4101", "4102", "4103", "4104", "4105", "4106", "4107",
                                              "4108", "4108"]
    assert extracted.collections["title"].to_list() == ["Island Ferries"]


# --- a second run --------------------------------------------------------------------------------

def test_second_run_asks_conditionally_and_stores_only_the_changed_page(prefect_server, tmp_path):
    raw = tmp_path / "raw"
    with ArchiveSite() as site:
        harvest_flow(start_urls(site), raw, OPTIONS)
        objects_before = objects_in(raw)
        old_text = snapshot(raw, site, "/document/4102").read_bytes()
        site.revise()
        site.requests.clear()
        second = harvest_flow(start_urls(site), raw, OPTIONS)
    assert (second.fetched, second.changed, second.not_modified, second.objects_stored) == (1, 1, 12, 1)
    assert site.requests_for("/document/4101")[0]["If-None-Match"]
    assert site.requests_for(COLLECTION)[0]["If-Modified-Since"] == "Mon, 02 Mar 2026 09:00:00 GMT"
    assert len(objects_in(raw) - objects_before) == 1
    assert REVISED_SUMMARY.encode() in snapshot(raw, site, "/document/4102").read_bytes()
    assert old_text.decode() != snapshot(raw, site, "/document/4102").read_text()
    assert len(list_source_files(raw / "current")) == 13     # the new version replaced the old
    changed = [r for r in rows_of(raw) if r["run"] == second.run_id and r["outcome"] == "changed"]
    assert [r["url"] for r in changed] == [site.url("/document/4102")]


# --- from a directory --------------------------------------------------------------------------

def test_directory_harvest_copies_new_and_changed_files_only(prefect_server, tmp_path):
    source, raw = tmp_path / "captures", tmp_path / "raw"
    (source / "pages").mkdir(parents=True)
    (source / "pages" / "a.html").write_text("<!DOCTYPE html><p>first page</p>")
    (source / "b.txt").write_text("a second capture")
    (source / "pages" / "copy-of-b.txt").write_text("a second capture")
    first = harvest_flow([str(source)], raw)
    assert (first.copied, first.objects_stored, first.unchanged) == (3, 2, 0)
    (source / "b.txt").write_text("the second capture, corrected")
    (source / "c.txt").write_text("a third capture")
    second = harvest_flow([str(source)], raw)
    assert (second.copied, second.changed, second.new, second.unchanged, second.objects_stored) == (2, 1, 1, 2, 2)
    assert (raw / "current" / "b.txt").read_text() == "the second capture, corrected"
    assert sorted(list_source_files(raw / "current")) == ["b.txt", "c.txt", "pages/a.html", "pages/copy-of-b.txt"]
    assert harvest(source, raw).copied == 0          # nothing new: nothing copied


# --- limits and bad input (no Prefect) --------------------------------------------------------------

def test_run_stops_at_max_pages(tmp_path):
    with ArchiveSite() as site:
        summary = harvest(start_urls(site), tmp_path / "raw", HarvestOptions(**{**vars(OPTIONS), "max_pages": 5}))
        asked = [path for path, _ in site.requests if path != "/robots.txt"]
    assert len(asked) == 5 and summary.fetched <= 5 and summary.over_limit > 0


@pytest.mark.parametrize("source, message", [
    ("http:///document/1", "no host"),
    ("ftp://example.org/search", "neither an http"),
    ("no/such/folder", "neither an http"),
])
def test_bad_source_raises_a_one_line_harvest_error(tmp_path, source, message):
    with pytest.raises(HarvestError, match=message) as raised:
        harvest(source, tmp_path / "raw", OPTIONS)
    assert "\n" not in str(raised.value)


def test_a_file_is_not_a_folder_to_harvest(tmp_path):
    (tmp_path / "capture.txt").write_text("text")
    with pytest.raises(HarvestError, match="is not a folder"):
        harvest(tmp_path / "capture.txt", tmp_path / "raw")


def unused_port() -> int:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return unused.getsockname()[1]


def test_unreachable_host_raises_harvest_error(tmp_path):
    url = f"http://127.0.0.1:{unused_port()}/search"
    assert check_harvest(url, tmp_path / "raw", OPTIONS) == "web"     # no network asked
    with pytest.raises(HarvestError, match=f"cannot reach {url.removesuffix('/search')}"):
        check_harvest(url, tmp_path / "raw", OPTIONS, reach=True)
    with pytest.raises(HarvestError, match="cannot reach"):
        harvest(url, tmp_path / "raw", OPTIONS)
    assert not (tmp_path / "raw").exists()


def test_unreachable_host_ends_the_flow_with_harvest_error(prefect_server, tmp_path):
    with pytest.raises(HarvestError, match="cannot reach"):
        harvest_flow([f"http://127.0.0.1:{unused_port()}/search"], tmp_path / "raw", OPTIONS)
    assert not (tmp_path / "raw").exists()


def test_a_web_harvest_needs_a_contact(tmp_path):
    with pytest.raises(HarvestError, match="needs a contact"):
        harvest("http://127.0.0.1:9/search", tmp_path / "raw", HarvestOptions())


def test_raw_store_inside_the_source_folder_is_refused(tmp_path):
    with pytest.raises(HarvestError, match="must not contain one another"):
        harvest(tmp_path, tmp_path / "raw")


# --- the store's parts ---------------------------------------------------------------------------

@pytest.mark.parametrize("url, path", [
    ("https://digitalarchive.example.org/document/123", "digitalarchive.example.org/document/123.html"),
    ("https://digitalarchive.example.org/search?q=korea&page=2",
     "digitalarchive.example.org/search@q=korea&page=2.html"),
    ("https://digitalarchive.example.org/document/x@y", "digitalarchive.example.org/document/x%40y.html"),
    ("https://digitalarchive.example.org/collection/5/", "digitalarchive.example.org/collection/5/index.html"),
    ("http://127.0.0.1:8000/document/a%2Fb", "127.0.0.1_8000/document/a%2Fb.html"),
    ("https://digitalarchive.example.org/a/../../b", "digitalarchive.example.org/a/%2E%2E/%2E%2E/b.html"),
])
def test_each_url_has_its_own_snapshot_file_inside_its_host_folder(url, path):
    assert url_snapshot_path(url) == path


def test_manifest_reading_skips_a_line_cut_by_a_crash(tmp_path):
    rawstore.append_manifest_row(tmp_path, {"url": "u1", "sha256": "a" * 64})
    with (tmp_path / rawstore.MANIFEST).open("ab") as fh:
        fh.write(b'{"url": "u2", "sha')
    assert [r["url"] for r in rawstore.manifest_rows(tmp_path)] == ["u1"]


def test_stored_objects_are_read_only_and_written_once(tmp_path):
    rawstore.prepare_store(tmp_path)
    sha256, new = rawstore.store_bytes(tmp_path, b"same bytes")
    assert new and rawstore.store_bytes(tmp_path, b"same bytes") == (sha256, False)
    assert rawstore.object_path(tmp_path, sha256).stat().st_mode & 0o222 == 0
    assert list((tmp_path / rawstore.TMP).iterdir()) == []


def test_round_is_split_into_a_few_batches_within_the_budget():
    frontier = [(f"u{i}", "document") for i in range(10)]
    batches, dropped = plan_round(frontier, 8, 3)
    assert [len(b.pages) for b in batches] == [3, 3, 2] and dropped == 2
    assert sum(b.budget for b in batches) <= 8


def test_rate_limiter_spaces_requests():
    limiter = RateLimiter(50.0)
    began = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - began >= 5 / 50.0 * 0.9


def test_summary_is_plain_data(first):
    assert json.loads(json.dumps(first.summary.as_dict()))["fetched"] == 13


# --- odd and hostile sites (no Prefect) -------------------------------------------------------------

class RouteSite(LoopbackSite):
    """A loopback site of hand-written answers: `routes` maps a path (with its query, or
    without it) to a function of the request handler that answers it; the rest is 404."""

    def __init__(self, routes: dict):
        self.routes, self.requests = routes, []
        super().__init__(RouteHandler)

    def asked(self, path: str) -> list[tuple[float, dict]]:
        """(monotonic time, headers) of each request for `path`."""
        return [(at, headers) for asked, at, headers in self.requests if asked == path]


class RouteHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site = self.server.site
        site.requests.append((self.path, time.monotonic(), dict(self.headers.items())))
        route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
        if route is None:
            self.reply(404, b"no such page")
        else:
            route(self)

    def reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/html", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def page(body: str, status: int = 200, **headers: str):
    """A route answering `body` with `status` and headers (underscores in names become dashes)."""
    return lambda handler: handler.reply(status, body.encode(), {k.replace("_", "-"): v for k, v in headers.items()})


def listing_of(*links: str):
    return page("".join(f'<a href="{link}">a link</a>' for link in links))


def harvest_site(site: RouteSite, raw: Path, *starts: str, **options) -> HarvestSummary:
    return harvest([site.url(s) for s in starts or ("/list",)], raw, HarvestOptions(**{**vars(OPTIONS), **options}))


def test_a_manifest_line_cut_by_a_crash_does_not_swallow_the_next_runs_first_row(tmp_path):
    raw = tmp_path / "raw"
    with RouteSite({"/list": listing_of("/document/1"), "/document/1": page("one")}) as site:
        harvest_site(site, raw)
        with (raw / rawstore.MANIFEST).open("ab") as manifest:
            manifest.write(b'{"run": "killed", "url": "http://127.0.0.1/do')
        second = harvest_site(site, raw)
    assert [r["url"] for r in rows_of(raw) if r["run"] == second.run_id] == [site.url("/list"), site.url("/document/1")]


def test_validators_of_a_page_are_sent_only_to_that_page_not_to_a_new_redirect_target(tmp_path):
    raw, moved = tmp_path / "raw", {"now": False}

    def old_address(handler):
        if moved["now"]:
            handler.reply(302, headers={"Location": "/document/new"})
        else:
            handler.reply(200, b"the old page", {"ETag": '"old"', "Last-Modified": "Tue, 03 Mar 2026 09:00:00 GMT"})

    def new_address(handler):   # older than the old page: any If-Modified-Since gets a 304
        if handler.headers.get("If-None-Match") or handler.headers.get("If-Modified-Since"):
            handler.reply(304)
        else:
            handler.reply(200, b"the new page", {"Last-Modified": "Mon, 02 Mar 2026 09:00:00 GMT"})

    with RouteSite({"/list": listing_of("/document/old"), "/document/old": old_address,
                    "/document/new": new_address}) as site:
        harvest_site(site, raw)
        moved["now"] = True
        harvest_site(site, raw)
    row = rows_of(raw)[-1]
    assert (row["final_url"], row["outcome"], row["path"]) == (site.url("/document/new"), "changed",
                                                                url_snapshot_path(site.url("/document/new")))
    assert (raw / "current" / row["path"]).read_bytes() == b"the new page"


def test_a_page_trickling_in_slower_than_the_timeout_allows_is_given_up(tmp_path):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "200")
        handler.end_headers()
        for _ in range(200):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)

    with RouteSite({"/list": listing_of("/document/slow"), "/document/slow": trickle}) as site:
        began = time.monotonic()
        harvest_site(site, tmp_path / "raw", timeout=0.3, retries=0)
        took = time.monotonic() - began
    row = rows_of(tmp_path / "raw")[-1]
    assert (row["outcome"], row["sha256"]) == ("gave-up", None) and "in time" in row["error"]
    assert took < 4


def test_a_gzip_encoded_page_is_stored_decoded_and_its_links_followed(tmp_path):
    listing = gzip.compress(b'<p>Results</p><a href="/document/1">one</a>')
    with RouteSite({"/list": lambda h: h.reply(200, listing, {"Content-Encoding": "gzip"}),
                    "/document/1": page("one")}) as site:
        summary = harvest_site(site, tmp_path / "raw")
    assert summary.new == 2
    row = row_for(rows_of(tmp_path / "raw"), site, "/list")
    assert (tmp_path / "raw" / "current" / row["path"]).read_bytes().startswith(b"<p>Results</p>")


def test_retry_after_of_a_429_is_waited_before_the_site_is_asked_again(tmp_path):
    answers = iter([(429, {"Retry-After": "1"}), (200, {})])

    def busy(handler):
        status, headers = next(answers, (200, {}))
        handler.reply(status, b"a page", headers)

    with RouteSite({"/list": listing_of("/document/1"), "/document/1": busy}) as site:
        harvest_site(site, tmp_path / "raw")
        (first, _), (second, _) = site.asked("/document/1")
    assert second - first >= 0.95
    assert rows_of(tmp_path / "raw")[-1]["outcome"] == "new"


def test_robots_txt_most_specific_rule_decides_and_its_wildcards_are_read(tmp_path):
    robots = ("User-agent: otherbot\nDisallow: /document/public\n\n"
              "User-agent: *\nAllow: /\nDisallow: /document/private-\nDisallow: /*?print=\n"
              "Allow: /document/private-but-public$\n")
    links = ("/document/private-1", "/document/1?print=yes", "/document/private-but-public", "/document/public")
    with RouteSite({"/robots.txt": page(robots, Content_Type="text/plain"), "/list": listing_of(*links),
                    **{link.split("?")[0]: page("a page") for link in links}}) as site:
        harvest_site(site, tmp_path / "raw")
        asked = {path for path, _, _ in site.requests}
    assert asked == {"/robots.txt", "/list", "/document/private-but-public", "/document/public"}
    outcomes = {r["url"].removeprefix(site.base): r["outcome"] for r in rows_of(tmp_path / "raw")}
    assert outcomes["/document/private-1"] == outcomes["/document/1?print=yes"] == "robots"


def test_robots_txt_crawl_delay_in_fractions_of_a_second_slows_the_crawl(tmp_path):
    with RouteSite({"/robots.txt": page("User-agent: *\nCrawl-delay: 0.5\n", Content_Type="text/plain"),
                    "/list": listing_of("/document/1"), "/document/1": page("one")}) as site:
        harvest_site(site, tmp_path / "raw")
        [(listed, _)], [(fetched, _)] = site.asked("/list"), site.asked("/document/1")
    assert fetched - listed >= 0.45


def test_another_port_of_the_start_host_is_another_site_and_not_followed(tmp_path):
    with RouteSite({"/document/1": page("another server's page")}) as other:
        with RouteSite({"/list": listing_of(other.url("/document/1"), "/document/moved"),
                        "/document/moved": page("", 301, Location=other.url("/document/1"))}) as site:
            harvest_site(site, tmp_path / "raw")
        assert other.asked("/document/1") == []
    assert row_for(rows_of(tmp_path / "raw"), site, "/document/moved")["outcome"] == "off-host"


def test_links_with_spaces_or_non_ascii_letters_are_fetched_percent_encoded(tmp_path):
    with RouteSite({"/list": listing_of("/document/Ülle Ots", "/document/%C3%9Clle%20Ots"),
                    "/document/%C3%9Clle%20Ots": page("a page")}) as site:
        summary = harvest_site(site, tmp_path / "raw")
    assert summary.new == 2 and summary.client_errors == 0
    assert len(site.asked("/document/%C3%9Clle%20Ots")) == 1      # both spellings are one URL


def test_start_pages_of_one_listing_share_a_batch_so_its_pages_are_fetched_once(tmp_path):
    pager = listing_of("/search?q=x&page=1", "/search?q=x&page=2", "/search?q=x&page=3")
    with RouteSite({"/search": pager}) as site:
        harvest_site(site, tmp_path / "raw", "/search?q=x&page=1", "/search?q=x&page=2")
        asked = [path for path, _, _ in site.requests if path != "/robots.txt"]
    assert sorted(asked) == ["/search?q=x&page=1", "/search?q=x&page=2", "/search?q=x&page=3"]
    assert len(rows_of(tmp_path / "raw")) == 3
