"""A small Digital Archive on loopback, for harvest tests: a real ThreadingHTTPServer in a thread.

Every title and sentence is invented here. The site serves:

    /robots.txt                       disallows /document/private-
    /search?q=ferries[&page=2|3]      newer-site search results, four to a page ("1 - 4 of 10")
    /collection/31/island-ferries     older-site collection listing (bulleted entries); sends
                                      Last-Modified only, so it is asked for with If-Modified-Since
    /document/<record id>             newer-site HTML document pages (h1, date, dl with Record ID)
    /document/moved-4107              301 to /document/4107
    /document/4105                    answers 500 twice, then the page
    /document/4106                    answers after `slow_seconds` once, then at once
    /document/4102                    a different text after `revise()`
    /document/4108?from=collection    the same bytes as /document/4108
    /document/4198                    always 503;  /document/4199: 404;  /document/private-4190:
                                      disallowed by robots.txt; a link to another host
Pages carry an ETag (but the collection) and a Last-Modified, and a matching If-None-Match or
If-Modified-Since gets 304. Every request is logged with its headers.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

QUERY = "ferries"
PER_PAGE = 4
FIRST_VERSION = "Mon, 02 Mar 2026 09:00:00 GMT"
SECOND_VERSION = "Tue, 03 Mar 2026 09:00:00 GMT"


@dataclass(frozen=True)
class Doc:
    link: str         # the path listings link to
    record_id: str
    date: str
    title: str
    summary: str


DOCS = (
    Doc("/document/4101", "4101", "May 4, 1958", "Timetable of the Winter Ferry to Osterholm",
        "The harbour office sets out two crossings a day for the winter months."),
    Doc("/document/4102", "4102", "June 11, 1958", "Letter from the Ferry Captains' Guild on Night Crossings",
        "The guild asks that night crossings stop when the fog bell sounds."),
    Doc("/document/4103", "4103", "September 2, 1958", "Minutes of the Island Council on the New Pier",
        "The council agrees to lengthen the pier by forty metres."),
    Doc("/document/4104", "4104", "January 20, 1959", "Report on Ice in the Northern Channel",
        "The pilot reports drift ice blocking the northern channel for nine days."),
    Doc("/document/4105", "4105", "March 3, 1959", "Telegram from the Harbour Master at Vestby",
        "The harbour master asks for a relief boat after the engine failure."),
    Doc("/document/4106", "4106", "April 17, 1959", "Note on Fares for Schoolchildren",
        "The ministry proposes free crossings for pupils of the island school."),
    Doc("/document/moved-4107", "4107", "July 9, 1959", "Memorandum on the Mail Boat Contract",
        "The memorandum weighs two bids for carrying the island mail."),
    Doc("/document/4108", "4108", "October 1, 1959", "Petition of the Fishermen of Skarvik",
        "The fishermen ask for a later last boat on market days."),
    Doc("/document/4199", "4199", "November 5, 1959", "Survey of the Eastern Landing Stage",
        "The surveyor finds the eastern landing stage unsafe in a swell."),
    Doc("/document/private-4190", "4190", "December 1, 1959", "Staff File of the Ferry Company",
        "The file lists the crews of the company's three boats."),
    Doc("/document/4198", "4198", "February 8, 1960", "Accounts of the Ferry Company for 1959",
        "The accounts show a loss on the winter service."),
)
COLLECTION = ("/document/4101", "/document/4108?from=collection", "/document/4198", "/document/4103")
REVISED_SUMMARY = "The guild withdraws its request after the new fog lights are lit."


class LoopbackSite:
    """An HTTP server on a free loopback port, answered by `handler`, for a `with` block;
    the handler reaches this object as `self.server.site`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.site = self
        self.server.handle_error = lambda request, address: None  # a client that gave up on a slow page
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path


class ArchiveSite(LoopbackSite):
    """The site's state: the request log and the pages that fail, stall or change."""

    def __init__(self, slow_seconds: float = 2.0):
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures_left = {"/document/4105": 2}
        self.slow_left = {"/document/4106": 1}
        self.slow_seconds = slow_seconds
        self.revised = False
        self.lock = threading.Lock()
        super().__init__(Handler)

    def revise(self) -> None:
        """Change /document/4102 (text, ETag and Last-Modified), as an editor's correction would."""
        self.revised = True

    def requests_for(self, path: str) -> list[dict[str, str]]:
        """The headers of every request for `path` (with its query), in order."""
        with self.lock:
            return [headers for asked, headers in self.requests if asked == path]

    def log(self, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.requests.append((path, headers))

    def take(self, counter: dict[str, int], path: str) -> bool:
        """True while `path` has failures (or stalls) left, using one up."""
        with self.lock:
            if counter.get(path, 0) > 0:
                counter[path] -= 1
                return True
            return False


# --- pages --------------------------------------------------------------------------------------

def page(title: str, canonical: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)} | Digital Archive</title>\n"
            f'<link rel="canonical" href="{canonical}">\n</head>\n<body>\n'
            f'<nav><a href="/">Home</a> <a href="/search">Search</a></nav>\n'
            f"{body}\n<footer><p>Invented archive for tests.</p></footer>\n</body>\n</html>\n")


def document_page(site: ArchiveSite, doc: Doc) -> str:
    summary = REVISED_SUMMARY if doc.record_id == "4102" and site.revised else doc.summary
    body = (f"<main>\n<h1>{html.escape(doc.title)}</h1>\n<p class=\"date\">{doc.date}</p>\n"
            f"<div class=\"body\"><p>The clerk's copy is kept in the island records office.</p>\n"
            f"<p>{html.escape(summary)} No reply is on file.</p></div>\n"
            f"<p class=\"summary\">{html.escape(summary)}</p>\n<dl>\n"
            f"<dt>Source</dt><dd>Island Records Office, Fond 7, Opis 2, Delo {doc.record_id[-2:]}. "
            f"Translated by Mira Holt.</dd>\n"
            f"<dt>Original Uploaded Date</dt><dd>2024-05-06</dd>\n<dt>Type</dt><dd>Letter</dd>\n"
            f"<dt>Language</dt><dd>English</dd>\n<dt>Record ID</dt><dd>{doc.record_id}</dd>\n</dl>\n</main>")
    return page(doc.title, site.url(f"/document/{doc.record_id}"), body)


def search_page(site: ArchiveSite, number: int) -> str:
    pages = -(-len(DOCS) // PER_PAGE)
    shown = DOCS[(number - 1) * PER_PAGE:number * PER_PAGE]
    first = (number - 1) * PER_PAGE + 1
    results = "\n".join(
        f'<div class="result"><p>{d.date}</p><h3><a href="{d.link}">{html.escape(d.title)}</a></h3>'
        f"<p>{html.escape(d.summary)}</p></div>" for d in shown)
    pager = " ".join(f'<a href="{search_path(n)}">{n}</a>' for n in range(1, pages + 1) if n != number)
    body = (f"<main>\n<p>Results:</p>\n<p>{first} - {first + len(shown) - 1} of {len(DOCS)}</p>\n"
            f"<h2>Documents</h2>\n{results}\n</main>\n"
            f'<nav class="pager">{pager} <a href="http://elsewhere.invalid/document/1">Partner archive</a></nav>')
    return page("Search", site.url(search_path(number)), body)


def search_path(number: int) -> str:
    return f"/search?q={QUERY}" + (f"&page={number}" if number > 1 else "")


def collection_page(site: ArchiveSite) -> str:
    by_link = {d.link.split("?")[0]: d for d in DOCS}
    items = "\n".join(
        f'<li><div class="date">{padded(by_link[link.split("?")[0]].date)}</div><div class="title">'
        f'<a href="{link}">{html.escape(by_link[link.split("?")[0]].title)}</a></div>'
        f"<p>{html.escape(by_link[link.split('?')[0]].summary)}</p></li>" for link in COLLECTION)
    body = ("<p>Search in</p>\n<p>Digital Archive International History Declassified</p>\n"
            "<p>No image found.</p>\n<h1>Island Ferries</h1>\n"
            "<p>Papers of the island council and the ferry company on the crossings to the outer islands.</p>\n"
            f'<ul class="results">\n{items}\n</ul>')
    return page("Island Ferries", site.url("/collection/31/island-ferries"), body)


def padded(date: str) -> str:
    """'May 04, 1958': the older site's zero-padded day."""
    month, day, year = date.replace(",", "").split()
    return f"{month} {int(day):02d}, {year}"


# --- answering ------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "ArchiveSite/1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site: ArchiveSite = self.server.site
        site.log(self.path, dict(self.headers.items()))
        parts = urlsplit(self.path)
        if site.take(site.failures_left, parts.path):
            self.answer(500, b"try again", "text/plain")
            return
        if site.take(site.slow_left, parts.path):
            time.sleep(site.slow_seconds)
        if parts.path == "/document/4198":
            self.answer(503, b"down for maintenance", "text/plain")
        elif parts.path == "/document/moved-4107":
            self.send_response(301)
            self.send_header("Location", "/document/4107")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts.path == "/robots.txt":
            self.answer(200, b"User-agent: *\nDisallow: /document/private-\n", "text/plain")
        else:
            self.answer_page(site, parts.path, parse_qs(parts.query))

    def answer_page(self, site: ArchiveSite, path: str, query: dict[str, list[str]]) -> None:
        text = page_text(site, path, query)
        if text is None:
            self.answer(404, b"no such page", "text/plain")
            return
        changed = site.revised and path == "/document/4102"
        modified = SECOND_VERSION if changed else FIRST_VERSION
        etag = None if path.startswith("/collection/") else f'"{hashlib.sha256(text.encode()).hexdigest()[:16]}"'
        if not_modified(self.headers, etag, modified):
            self.send_response(304)
            self.validators(etag, modified)
            self.end_headers()
            return
        self.answer(200, text.encode(), "text/html; charset=utf-8", etag, modified)

    def answer(self, status: int, data: bytes, kind: str, etag: str | None = None,
               modified: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.validators(etag, modified)
        self.end_headers()
        self.wfile.write(data)

    def validators(self, etag: str | None, modified: str | None) -> None:
        if etag:
            self.send_header("ETag", etag)
        if modified:
            self.send_header("Last-Modified", modified)

    def log_message(self, *args) -> None:
        pass


def page_text(site: ArchiveSite, path: str, query: dict[str, list[str]]) -> str | None:
    if path == "/search" and query.get("q") == [QUERY]:
        number = int(query.get("page", ["1"])[0])
        return search_page(site, number) if 1 <= number <= -(-len(DOCS) // PER_PAGE) else None
    if path == "/collection/31/island-ferries":
        return collection_page(site)
    served = {d.record_id: d for d in DOCS if d.record_id not in ("4199", "4198")}
    record_id = path.removeprefix("/document/")
    return document_page(site, served[record_id]) if path.startswith("/document/") and record_id in served else None


def not_modified(headers, etag: str | None, modified: str) -> bool:
    """True when the request's validators match: If-None-Match first, else If-Modified-Since."""
    if headers.get("If-None-Match"):
        return etag is not None and etag in [t.strip() for t in headers["If-None-Match"].split(",")]
    since = headers.get("If-Modified-Since")
    try:
        return bool(since) and parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
