"""`etl harvest`: gather captures of the Digital Archive into a raw store (layout: etl.rawstore).

From a web site, the start URLs are listing or search pages. Each listing page is saved as
fetched, and two kinds of its links are followed: pagination (same path, same query but for
`page`) and document pages (a path matching `follow`, by default `/document/...`). Document
pages are saved and not read for links, so a crawl covers what the listings list and no more;
only URLs on the start URLs' site (its host and port; http and https at their default ports
are one site) are fetched, at most `max_pages` requests a run. Every request carries a
User-Agent naming the project and a contact, waits its turn under one rate limit per host
(`rate` requests a second; a robots.txt Crawl-delay can only slow it, as can a 429 or 5xx
answer's Retry-After, up to MAX_RETRY_AFTER), and is refused beforehand when robots.txt
disallows it (read as RFC 9309 says: the longest matching rule decides, Allow on a tie). A
body must arrive within BODY_TIMEOUTS timeouts; a gzip- or deflate-encoded one is stored
decoded. A page seen before is asked for
with If-None-Match / If-Modified-Since; a 304 costs no bytes and stores nothing. Redirects
are followed by hand (at most five, on the same host, each checked against robots.txt), and
the page is kept under its final URL. Each URL gets one manifest row a run, whatever its
outcome: new, changed or unchanged (a 2xx), not-modified (304), client-error (a 4xx, never
retried), gave-up (5xx, 429, timeouts and dropped connections that outlasted the retries),
robots or off-host. The run's summary is counted from those rows.

From a directory, files are copied in when their sha256 differs from what the store holds
for their path in current/; a file already stored is not stored again.

Why rounds of a few batches, and not one task per URL: the orchestrator's ephemeral server
records some 17 task runs a second and each costs milliseconds, so a harvest keeps its task
runs in the tens. The crawl goes in rounds: the start URLs, then the document pages their
listings named. A round's URLs are split into a few batches (`batches`, fetched at the same
time); a batch fetches its URLs, follows the pagination of its listings itself, writes what
it got to the store, and returns the document links it found. When some URLs failed for a
passing reason (timeout, 5xx), the batch raises TransientFetchError and the orchestrator
retries the whole batch with exponential backoff; the retry skips every URL the run already
has a manifest row for (the manifest is the memory, so a retry costs only the failed
requests), and on the last attempt the URLs still failing are written as gave-up rows
instead of raising. `harvest()` runs the same steps in threads with its own retry loop, for
use without Prefect; `flows/harvest.py` runs them as Prefect tasks.
"""

from __future__ import annotations

import datetime as dt
import http.client
import importlib.metadata
import math
import os
import re
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache, partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit, urlunsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener, urlopen

from etl import rawstore
from etl.checksums import file_sha256
from etl.sources import contain_one_another, list_source_files

PROJECT = "wilson-archive-etl"
DEFAULT_FOLLOW = r"^/document/[^/]+/?$"
LISTING, DOCUMENT = "listing", "document"
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 32 << 20
BODY_TIMEOUTS = 4         # a page's body must come within this many timeouts, however it trickles
REDIRECT_CODES = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_RETRY_AFTER = 120.0   # seconds: a longer Retry-After is cut to this (the run would stall)
# Outcomes of a request that got a page.
PAGE_OUTCOMES = ("new", "changed", "unchanged")


class HarvestError(Exception):
    """Bad input or an unreachable site: the message is one line the command line can print."""


class TransientFetchError(Exception):
    """Some URLs of a batch failed for a passing reason; retrying the batch may fetch them."""

    def __init__(self, failures: dict[str, str]):
        self.failures = failures
        first = next(iter(failures.items()))
        super().__init__(f"{len(failures)} URLs failed for now, e.g. {first[0]}: {first[1]}")


@dataclass(frozen=True)
class HarvestOptions:
    contact: str | None = None   # a URL (or mailto:) for the site's operators; needed for the web
    rate: float = 1.0            # requests per second to the site
    max_pages: int = 2000        # requests per run, so a crawl cannot run away
    timeout: float = 30.0        # seconds a request may wait for the server (its body: 4 times that)
    retries: int = 3             # retries of a batch whose URLs failed for a passing reason
    retry_delay: float = 2.0     # seconds before the first retry; doubled before each next one
    batches: int = 4             # batches per round, fetched at the same time
    follow: str = DEFAULT_FOLLOW  # document pages to follow from listings: a regex on the URL path


@dataclass
class HarvestSummary:
    """What one harvest did; the counts come from the manifest rows the run wrote."""

    source: str
    raw: str
    run_id: str
    fetched: int = 0          # pages that came back with their bytes (2xx)
    not_modified: int = 0     # 304: the stored version is still current
    new: int = 0              # pages or files the store had not seen before
    changed: int = 0          # pages or files whose bytes differ from the stored version
    unchanged: int = 0        # fetched again, or a file looked at, with the same bytes
    objects_stored: int = 0   # new objects written (bytes the store did not hold under any name)
    redirects: int = 0        # pages reached through at least one redirect
    client_errors: int = 0    # 4xx answers, recorded and never retried
    gave_up: int = 0          # 5xx, timeouts and dropped connections that outlasted the retries
    robots_skipped: int = 0   # URLs robots.txt disallows, never requested
    off_host: int = 0         # redirects to another host, not followed
    over_limit: int = 0       # URLs left unfetched because the run reached max_pages
    copied: int = 0           # files copied in from a directory (new or changed)
    unreadable: int = 0       # files of a directory that could not be read

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        """The summary as the command line prints it."""
        counts = {k: v for k, v in asdict(self).items() if isinstance(v, int) and v}
        described = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()) or "nothing to do"
        return [f"harvest {self.run_id}: {described}", f"raw store: {self.raw} (snapshot in {self.raw}/current)"]


# --- checking the input -------------------------------------------------------------------

def source_kind(sources: Sequence[str]) -> str:
    """'web' when every source is an http(s) URL on one host, 'directory' for one folder."""
    if not sources or not all(s.strip() for s in sources):
        raise HarvestError("give a start URL or a folder to harvest from")
    if all(web_scheme(s) for s in sources):
        for url in sources:
            if not urlsplit(url).hostname:
                raise HarvestError(f"{url} is not a web address (no host)")
        if len({origin(u) for u in sources}) > 1:
            raise HarvestError("the start URLs must all be on one site (the crawl stays on its host)")
        return "web"
    if len(sources) == 1 and Path(sources[0]).is_dir():
        return "directory"
    if len(sources) == 1 and Path(sources[0]).exists():
        raise HarvestError(f"{sources[0]} is not a folder (give a folder of captures or an http(s) URL)")
    raise HarvestError(f"{', '.join(sources)}: neither an http(s) address nor an existing folder")


def web_scheme(source: str) -> bool:
    """True for an http(s) address; HarvestError for one that cannot even be split into parts."""
    try:
        parts = urlsplit(source)
        _ = parts.port      # raises ValueError for a port that is no number or out of range
    except ValueError:
        raise HarvestError(f"{source} is not a valid web address") from None
    return parts.scheme.lower() in ("http", "https")


def checked_options(options: HarvestOptions) -> HarvestOptions:
    """The options, or HarvestError naming the first one that cannot work."""
    if not options.contact or not re.match(r"^(https?://\S+|mailto:\S+@\S+)$", options.contact):
        raise HarvestError("a web harvest needs a contact (an http(s) URL or mailto: address) "
                           "for its User-Agent, so that the site's operators can reach us")
    if not (options.rate > 0 and options.timeout > 0):
        raise HarvestError("the request rate and the timeout must be positive")
    if options.max_pages < 1 or options.batches < 1 or options.retries < 0 or options.retry_delay < 0:
        raise HarvestError("max pages and batches must be at least 1; retries and the retry delay not negative")
    try:
        re.compile(options.follow)
    except re.error as err:
        raise HarvestError(f"the follow pattern {options.follow!r} is not a regular expression: {err}") from None
    return options


def check_harvest(sources: Sequence[str | Path] | str | Path, raw: Path,
                  options: HarvestOptions | None = None, reach: bool = False) -> str:
    """'web' or 'directory' when a harvest can start; otherwise HarvestError.

    Checked without the network, unless `reach`: then the site is asked for its robots.txt
    once, so that the command line can report an unreachable site before it starts Prefect."""
    found = as_sources(sources)
    kind = source_kind(found)
    if kind == "web":
        options = checked_options(options or HarvestOptions())
        site = origin(found[0])
        if reach:
            robots_rules(site, user_agent(options.contact), options.timeout, limiter_for(site, options.rate))
    else:
        refuse_nesting(Path(found[0]), raw)
    if raw.exists() and not raw.is_dir():
        raise HarvestError(f"the raw store {raw} is a file, not a folder")
    return kind


def refuse_nesting(source: Path, raw: Path) -> None:
    """HarvestError when the folder and the store contain one another (a copy would copy itself)."""
    if contain_one_another(source, raw):
        raise HarvestError(f"the raw store {raw} and the folder {source} must not contain one another")


def checked_store(raw: Path) -> Path:
    """The raw store folder, created; HarvestError when it cannot be."""
    try:
        rawstore.prepare_store(raw)
    except OSError as err:
        raise HarvestError(f"cannot use {raw} as the raw store: {err.strerror or err}") from None
    return raw


# --- addresses and links ---------------------------------------------------------------------

def origin(url: str) -> str:
    """Scheme, host and port: whose robots.txt and rate limit a URL falls under."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def on_host(url: str, crawl: Crawl) -> bool:
    """True when `url` is on the crawl's host and port (http or https alike at their default
    ports: sites redirect one to the other); another port is another server."""
    return site_address(url) == site_address(crawl.origin)


def site_address(url: str) -> tuple[str | None, int | None]:
    """(host, port), the port None when it is the scheme's default; (None, None) for a bad port."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None, None
    return parts.hostname, None if port in (None, DEFAULT_PORTS.get(parts.scheme.lower())) else port


def absolute_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, without its fragment; None when it is no http(s) page."""
    try:
        parts = urlsplit(urljoin(base, href.strip()))
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    path, query = _percent_encoded(parts.path or "/"), _percent_encoded(parts.query)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _percent_encoded(text: str) -> str:
    """`text` with what a request line cannot carry (spaces, controls, non-ASCII) percent-encoded
    as a browser would; the rest, escapes included, as it is."""
    return re.sub(r"[^\x21-\x7e]", lambda m: quote(m.group(), safe=""), text)


def listing_key(url: str) -> tuple[str, tuple]:
    """What the pages of one listing share: the path and the query without `page`."""
    parts = urlsplit(url)
    return parts.path, tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k != "page"))


class LinkReader(HTMLParser):
    """The hrefs of a page's `a` elements and `link rel=next`, and its `base` address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        elif tag == "link" and "next" in attributes.get("rel", "").lower().split() and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        elif tag == "base" and attributes.get("href") and self.base is None:
            self.base = attributes["href"]


def page_links(html: bytes, page_url: str) -> list[str]:
    """The page's links as absolute URLs, in page order, each once."""
    reader = LinkReader()
    reader.feed(html.decode("utf-8", "replace"))
    reader.close()
    base = urljoin(page_url, reader.base) if reader.base else page_url
    found = (absolute_url(href, base) for href in reader.hrefs)
    return list(dict.fromkeys(u for u in found if u))


def listing_links(crawl: Crawl, page_url: str, html: bytes) -> tuple[list[str], list[str]]:
    """(pagination links, document links) of a listing page, on the crawl's host only."""
    pages, documents = [], []
    key = listing_key(page_url)
    for link in page_links(html, page_url):
        if not on_host(link, crawl) or link == page_url:
            continue
        if listing_key(link) == key:
            pages.append(link)
        elif re.search(crawl.options.follow, urlsplit(link).path):
            documents.append(link)
    return pages, documents


class _NoRedirects(HTTPRedirectHandler):
    """Hands redirects back as HTTPError, so that each hop is checked (host, robots.txt) and counted."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        return None


_OPENER = build_opener(_NoRedirects)


# --- politeness: User-Agent, rate, robots.txt ---------------------------------------------------

def user_agent(contact: str) -> str:
    try:
        version = importlib.metadata.version(PROJECT)
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    return f"{PROJECT}/{version} (open-data harvester of the Wilson Center Digital Archive; +{contact})"


class RateLimiter:
    """Spaces requests at least 1/rate seconds apart, across every thread that shares it."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.lock = threading.Lock()
        self.next_at = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)

    def hold(self, seconds: float) -> None:
        """Let no request go for `seconds` (a site's Retry-After)."""
        with self.lock:
            self.next_at = max(self.next_at, time.monotonic() + seconds)


_limiters: dict[tuple[str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(site: str, rate: float) -> RateLimiter:
    """The one limiter of this process for `site` at `rate`: concurrent batches share it."""
    with _limiters_lock:
        return _limiters.setdefault((site, rate), RateLimiter(rate))


@dataclass(frozen=True)
class Robots:
    """The robots.txt rules that apply to us, read as RFC 9309 says: the rule with the longest
    path pattern that matches a URL decides (Allow when an Allow and a Disallow tie), `*` in a
    pattern matches anything and a final `$` the end. (urllib's parser takes the first rule
    that matches, so `Allow: /` above the Disallow lines let everything in, and it reads
    `*` and `$` as plain characters and a fractional Crawl-delay as none.)"""

    rules: tuple[tuple[str, bool], ...] = ()   # (path pattern, allowed)
    crawl_delay: float | None = None

    def allows(self, url: str) -> bool:
        path = robots_path(url)
        matching = [(len(pattern), allowed) for pattern, allowed in self.rules if _pattern(pattern).match(path)]
        return max(matching, default=(0, True))[1]


@dataclass
class RobotsGroup:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[str, bool]] = field(default_factory=list)
    delay: float | None = None


def robots_for(robots_txt: str | None, agent: str) -> Robots:
    """The rules of the groups naming our product token, or else of the `*` groups; None
    means the site has no robots.txt (everything allowed)."""
    groups = robots_groups(robots_txt or "")
    token = agent.split("/")[0].lower()
    ours = [g for g in groups if token in g.agents] or [g for g in groups if "*" in g.agents]
    delays = [g.delay for g in ours if g.delay is not None]
    return Robots(tuple(rule for g in ours for rule in g.rules), max(delays, default=None))


def robots_groups(robots_txt: str) -> list[RobotsGroup]:
    """The groups of a robots.txt: user-agent lines, then the rules that follow them."""
    groups: list[RobotsGroup] = []
    naming = False     # the last line read was a user-agent line: another one joins its group
    for line in robots_txt.splitlines():
        key, _, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if not naming:
                groups.append(RobotsGroup())
            groups[-1].agents.append(value.split("/")[0].strip().lower())
            naming = True
        elif groups and key in ("allow", "disallow", "crawl-delay"):
            naming = False
            if key == "crawl-delay":
                groups[-1].delay = _seconds(value)
            elif value:
                groups[-1].rules.append((robots_path(value), key == "allow"))
    return groups


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def robots_path(url_or_pattern: str) -> str:
    """A URL's path and query (or a rule's pattern), percent-encoded one way, so that `%C3%9C`
    and `Ü`, or `%7E` and `~`, compare equal."""
    parts = urlsplit(url_or_pattern) if "://" in url_or_pattern else None
    text = (parts.path or "/") + ("?" + parts.query if parts.query else "") if parts else url_or_pattern
    return quote(unquote(text), safe="/?=&;:@!$'()*+,~")


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern:
    anchored = pattern.endswith("$")
    regex = ".*".join(map(re.escape, pattern.removesuffix("$").split("*")))
    return re.compile(regex + ("$" if anchored else ""))


def robots_rules(site: str, agent: str, timeout: float, limiter: RateLimiter) -> str | None:
    """The text of the site's robots.txt; None when it has none. HarvestError when the site
    cannot be reached or forbids reading it (which robots.txt conventions read as: keep out)."""
    url = site + "/robots.txt"
    limiter.wait()
    try:
        # redirects followed as usual: robots.txt often moves from http to https
        with urlopen(Request(url, headers={"User-Agent": agent}), timeout=timeout) as response:
            return response.read(MAX_PAGE_BYTES).decode("utf-8", "replace")
    except HTTPError as err:
        err.close()
        if err.code in (401, 403):
            raise HarvestError(f"{url} answered {err.code}: the site does not let crawlers in") from None
        if 400 <= err.code < 500:
            return None
        raise HarvestError(f"{url} answered {err.code} {err.reason}; try again later") from None
    except (URLError, OSError, http.client.HTTPException, ValueError) as err:
        raise HarvestError(f"cannot reach {site}: {_reason(err)}") from None


def _reason(err: BaseException) -> str:
    reason = getattr(err, "reason", None) or err
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "no answer in time (timed out)"
    return str(getattr(reason, "strerror", None) or reason)


# --- one crawl ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Crawl:
    """One web harvest run: where it stores, what it starts from, how politely it fetches."""

    raw: Path
    run_id: str
    start_urls: tuple[str, ...]
    origin: str
    offset: int            # the manifest's size when the run began: its rows come after
    robots_txt: str | None
    rate: float            # requests per second: the option, slowed by a robots.txt Crawl-delay
    user_agent: str
    options: HarvestOptions


def new_run_id() -> str:
    """A run id: the UTC time and a random suffix, e.g. 20260304T101112Z-3fa2c1."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + os.urandom(3).hex()


def open_crawl(sources: Sequence[str], raw: Path, options: HarvestOptions) -> Crawl:
    """Check the input, prepare the store and read the site's robots.txt."""
    if check_harvest(sources, raw, options) != "web":
        raise HarvestError(f"{sources[0]} is a folder, not a web address")
    starts = tuple(dict.fromkeys(u for u in (absolute_url(s, s) for s in sources) if u))
    site = origin(starts[0])
    agent = user_agent(options.contact)
    robots_txt = robots_rules(site, agent, options.timeout, limiter_for(site, options.rate))
    checked_store(raw)
    delay = robots_for(robots_txt, agent).crawl_delay
    rate = min(options.rate, 1.0 / delay) if delay else options.rate
    return Crawl(raw, new_run_id(), starts, site, rawstore.manifest_size(raw), robots_txt, rate, agent, options)


@dataclass(frozen=True)
class Batch:
    pages: tuple[tuple[str, str], ...]   # (url, LISTING or DOCUMENT)
    budget: int                          # requests it may make, for its pages and their pagination


@dataclass
class BatchResult:
    visited: list[str] = field(default_factory=list)     # URLs it has rows for, and their final URLs
    documents: list[str] = field(default_factory=list)   # document links its listings named
    over_limit: int = 0                                  # pagination links left for want of budget


def plan_round(frontier: list[tuple[str, str]], remaining: int, batches: int) -> tuple[list[Batch], int]:
    """The round's batches and how many URLs did not fit in the run's remaining requests.

    Consecutive URLs go together (a listing's documents stay in one batch), and so do the
    pages of one listing (batches fetched at the same time would each follow its pagination);
    the requests left over after the round's own URLs are shared out for the pagination
    batches find."""
    pages = frontier[:max(remaining, 0)]
    if not pages:
        return [], len(frontier)
    size = math.ceil(len(pages) / min(batches, len(pages)))
    chunks: list[list[tuple[str, str]]] = []
    for group in same_listing_groups(pages):
        if not chunks or len(chunks[-1]) >= size:
            chunks.append([])
        chunks[-1].extend(group)
    spare = (remaining - len(pages)) // len(chunks)
    return [Batch(tuple(chunk), len(chunk) + spare) for chunk in chunks], len(frontier) - len(pages)


def same_listing_groups(pages: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The pages in order of first appearance, listings of one listing_key in one group."""
    groups: dict[object, list[tuple[str, str]]] = {}
    for url, kind in pages:
        groups.setdefault(listing_key(url) if kind == LISTING else url, []).append((url, kind))
    return list(groups.values())


def next_frontier(results: list[BatchResult], seen: set[str]) -> list[tuple[str, str]]:
    """The document links the round found that no batch has visited yet, in order."""
    for result in results:
        seen.update(result.visited)
    frontier = []
    for result in results:
        for url in result.documents:
            if url not in seen:
                seen.add(url)
                frontier.append((url, DOCUMENT))
    return frontier


def requests_made(rows: list[dict]) -> int:
    return sum(row["outcome"] != "robots" for row in rows)


RoundRunner = Callable[[list[Batch]], list[BatchResult]]


def crawl_site(crawl: Crawl, run_round: RoundRunner) -> HarvestSummary:
    """Crawl in rounds until no new URL is left or the run has made max_pages requests.

    `run_round` fetches a round's batches and returns their results (Prefect tasks in the
    flow, a thread pool in `harvest`)."""
    seen = set(crawl.start_urls)
    frontier = [(url, LISTING) for url in crawl.start_urls]
    over_limit = 0
    while frontier:
        made = requests_made(rawstore.run_rows(crawl.raw, crawl.run_id, crawl.offset))
        batches, dropped = plan_round(frontier, crawl.options.max_pages - made, crawl.options.batches)
        over_limit += dropped
        if not batches:
            break
        results = run_round(batches)
        over_limit += sum(r.over_limit for r in results)
        frontier = next_frontier(results, seen)
    return run_summary(crawl, over_limit)


def run_summary(crawl: Crawl, over_limit: int = 0) -> HarvestSummary:
    rows = rawstore.run_rows(crawl.raw, crawl.run_id, crawl.offset)
    summary = summary_of_rows(rows, " ".join(crawl.start_urls), crawl.raw, crawl.run_id)
    summary.over_limit = over_limit
    return summary


def summary_of_rows(rows: list[dict], source: str, raw: Path, run_id: str) -> HarvestSummary:
    outcomes = Counter(row["outcome"] for row in rows)
    return HarvestSummary(
        source=source, raw=str(raw), run_id=run_id,
        fetched=sum(1 for r in rows if r["outcome"] in PAGE_OUTCOMES and r.get("status")),
        not_modified=outcomes["not-modified"], new=outcomes["new"], changed=outcomes["changed"],
        unchanged=outcomes["unchanged"], objects_stored=sum(bool(r.get("stored")) for r in rows),
        redirects=sum(bool(r.get("redirects")) for r in rows), client_errors=outcomes["client-error"],
        gave_up=outcomes["gave-up"], robots_skipped=outcomes["robots"], off_host=outcomes["off-host"],
        copied=sum(1 for r in rows if r["outcome"] in ("new", "changed") and r.get("status") is None),
        unreadable=outcomes["unreadable"],
    )


# --- fetching ----------------------------------------------------------------------------------

@dataclass
class Fetched:
    """What asking for one URL gave, after any redirects."""

    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: int = 0
    outcome: str | None = None   # set here unless a page came back (then it is decided when stored)
    error: str | None = None
    retry_after: float | None = None   # seconds a 429 or 5xx asked us to wait


def conditional_headers(raw: Path, known: dict | None, url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the stored version, when the store still holds it
    and `url` is where it came from: a redirect that now leads elsewhere must not carry the
    validators of the old target (a 304 there would keep the old page for the new one)."""
    if not known or not rawstore.has_object(raw, known["sha256"]) or url != (known["final_url"] or known["url"]):
        return {}
    headers = {"If-None-Match": known.get("etag"), "If-Modified-Since": known.get("last_modified")}
    return {k: v for k, v in headers.items() if v}


def fetch_page(crawl: Crawl, url: str, known: dict | None, robots: Robots) -> Fetched:
    """Ask for `url` (conditionally when `known`), following redirects on the crawl's host."""
    limiter = limiter_for(crawl.origin, crawl.rate)
    fetched = Fetched(url, url)
    while True:
        if not robots.allows(fetched.final_url):
            fetched.outcome, fetched.error = "robots", f"robots.txt disallows {fetched.final_url}"
            return fetched
        headers = {"User-Agent": crawl.user_agent, **conditional_headers(crawl.raw, known, fetched.final_url)}
        limiter.wait()
        target = _request(fetched, headers, crawl.options.timeout)
        if fetched.retry_after:
            limiter.hold(fetched.retry_after)
        if target is None:
            return fetched
        if not on_host(target, crawl):
            fetched.outcome, fetched.error = "off-host", f"redirected off the host, to {target}"
            return fetched
        if fetched.redirects == MAX_REDIRECTS:
            fetched.outcome, fetched.error = "client-error", f"more than {MAX_REDIRECTS} redirects"
            return fetched
        fetched.final_url, fetched.redirects = target, fetched.redirects + 1


def _request(fetched: Fetched, headers: dict[str, str], timeout: float) -> str | None:
    """One request for fetched.final_url: fills in `fetched` and returns a redirect's target."""
    try:
        with _OPENER.open(Request(fetched.final_url, headers=headers), timeout=timeout) as response:
            body = body_in_time(response, time.monotonic() + BODY_TIMEOUTS * timeout)
            fetched.status, fetched.etag = response.status, response.headers.get("ETag")
            fetched.last_modified = response.headers.get("Last-Modified")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    except HTTPError as err:
        err.close()
        return _answer_without_page(fetched, err)
    except (http.client.InvalidURL, ValueError) as err:
        fetched.outcome, fetched.error = "client-error", f"not a valid address: {err}"
        return None
    except (URLError, OSError, http.client.HTTPException) as err:
        fetched.status, fetched.outcome, fetched.error = None, "gave-up", _reason(err)
        return None
    try:
        body = decoded_body(body, encoding)
    except (ValueError, zlib.error) as err:
        fetched.outcome, fetched.error = "client-error", f"cannot decode the page ({encoding}): {err}"
        return None
    if len(body) > MAX_PAGE_BYTES:
        fetched.outcome, fetched.error = "client-error", f"larger than {MAX_PAGE_BYTES:,} bytes; not kept"
    else:
        fetched.body = body
    return None


def body_in_time(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """Up to MAX_PAGE_BYTES + 1 bytes of the body; TimeoutError when it is not all there by
    `deadline` (the socket's timeout bounds each read, not a server that sends a byte a second)."""
    chunks, size = [], 0
    while size <= MAX_PAGE_BYTES and (chunk := response.read1(min(1 << 16, MAX_PAGE_BYTES + 1 - size))):
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not come in time (timed out)")
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decoded_body(body: bytes, encoding: str) -> bytes:
    """The body as the page's bytes (at most MAX_PAGE_BYTES + 1): servers gzip pages even when
    not asked to, and the store keeps pages, not their transfer encoding."""
    if encoding in ("identity", ""):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise ValueError("an encoding the harvester cannot read")
    headerless = encoding == "deflate" and body[:1] != b"\x78"   # some servers send deflate without zlib's header
    wbits = -zlib.MAX_WBITS if headerless else zlib.MAX_WBITS | 32   # | 32: a zlib or a gzip header
    return zlib.decompressobj(wbits).decompress(body, MAX_PAGE_BYTES + 1)


def _answer_without_page(fetched: Fetched, err: HTTPError) -> str | None:
    """Fill in `fetched` from a 3xx, 4xx or 5xx answer; a redirect's target (about:blank when unusable)."""
    fetched.status = err.code
    if err.code in REDIRECT_CODES and err.headers.get("Location"):
        return absolute_url(err.headers["Location"], fetched.final_url) or "about:blank"
    if err.code == 304:
        fetched.outcome = "not-modified"
        fetched.etag, fetched.last_modified = err.headers.get("ETag"), err.headers.get("Last-Modified")
        return None
    transient = err.code >= 500 or err.code in (408, 429)
    fetched.outcome, fetched.error = ("gave-up" if transient else "client-error"), f"{err.code} {err.reason}"
    if transient:
        fetched.retry_after = retry_after_seconds(err.headers.get("Retry-After"))
    return None


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now, at most MAX_RETRY_AFTER."""
    if not value:
        return None
    try:
        seconds = float(value) if value.strip().isdigit() else (
            parsedate_to_datetime(value) - dt.datetime.now(dt.UTC)).total_seconds()
    except (TypeError, ValueError):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def page_outcome(known: dict | None, sha256: str) -> str:
    if known is None:
        return "new"
    return "unchanged" if known["sha256"] == sha256 else "changed"


def record_fetch(crawl: Crawl, fetched: Fetched, known: dict | None) -> dict:
    """Store what `fetched` brought (object, then snapshot), then write and return its manifest row."""
    row = {"run": crawl.run_id, "url": fetched.url, "final_url": fetched.final_url, "fetched_at": utc_now(),
           "status": fetched.status, "outcome": fetched.outcome, "sha256": None, "bytes": None,
           "etag": fetched.etag, "last_modified": fetched.last_modified, "path": None, "stored": False,
           "redirects": fetched.redirects, "error": fetched.error}
    if fetched.body is not None:
        sha256, stored = rawstore.store_bytes(crawl.raw, fetched.body)
        path = rawstore.url_snapshot_path(fetched.final_url)
        rawstore.place_in_snapshot(crawl.raw, sha256, path)
        row.update(sha256=sha256, bytes=len(fetched.body), path=path, stored=stored,
                   outcome=page_outcome(known, sha256))
    elif fetched.outcome == "not-modified" and conditional_headers(crawl.raw, known, fetched.final_url):
        rawstore.place_in_snapshot(crawl.raw, known["sha256"], known["path"])
        row.update(sha256=known["sha256"], bytes=known["bytes"], path=known["path"],
                   etag=fetched.etag or known.get("etag"),
                   last_modified=fetched.last_modified or known.get("last_modified"))
    elif fetched.outcome == "not-modified":
        row.update(outcome="client-error", error="304 Not Modified to a request that was not conditional")
    rawstore.append_manifest_row(crawl.raw, row)
    return row


def row_links(crawl: Crawl, row: dict) -> tuple[list[str], list[str]]:
    """(pagination, document links) of the listing page a row stored; none when it stored none."""
    if not rawstore.has_object(crawl.raw, row.get("sha256")):
        return [], []
    html = rawstore.object_path(crawl.raw, row["sha256"]).read_bytes()
    return listing_links(crawl, row["final_url"] or row["url"], html)


def fetch_batch(crawl: Crawl, batch: Batch, last_attempt: bool = True) -> BatchResult:
    """Fetch a batch's pages and the pagination of its listings, each stored with its row.

    URLs the run already has a row for are not fetched again (their links are read from the
    store), so a retry costs only what failed. Unless this is the last attempt, URLs that
    failed for a passing reason raise TransientFetchError at the end; on the last, they are
    written as gave-up rows."""
    done = {row["url"]: row for row in rawstore.run_rows(crawl.raw, crawl.run_id, crawl.offset)}
    known = rawstore.latest_rows_before(crawl.raw, crawl.offset)
    robots = robots_for(crawl.robots_txt, crawl.user_agent)
    queue, queued = deque(batch.pages), {url for url, _ in batch.pages}
    result, failures, budget = BatchResult(), {}, batch.budget
    while queue:
        url, kind = queue.popleft()
        row = done.get(url)
        if row is None and not robots.allows(url):
            row = record_fetch(crawl, Fetched(url, url, outcome="robots", error="robots.txt disallows it"), None)
        elif row is None:
            if budget < 1:
                result.over_limit += 1
                continue
            budget -= 1
            fetched = fetch_page(crawl, url, known.get(url), robots)
            if fetched.outcome == "gave-up" and not last_attempt:
                failures[url] = fetched.error or "failed"
                continue
            row = record_fetch(crawl, fetched, known.get(url))
        elif row["outcome"] != "robots":
            budget -= 1
        result.visited += [url, row["final_url"]]
        if kind == LISTING:
            pages, documents = row_links(crawl, row)
            queue.extend((p, LISTING) for p in pages if p not in queued)
            queued.update(pages)
            result.documents += documents
    if failures:
        raise TransientFetchError(failures)
    return result


def retry_delays(options: HarvestOptions) -> list[float]:
    """Seconds before each retry: retry_delay, doubled each time (as Prefect's exponential_backoff)."""
    return [options.retry_delay * 2 ** i for i in range(options.retries)]


def fetch_batch_retrying(crawl: Crawl, batch: Batch) -> BatchResult:
    """`fetch_batch` with the flow's retry policy, for a harvest without Prefect."""
    for delay in retry_delays(crawl.options):
        try:
            return fetch_batch(crawl, batch, last_attempt=False)
        except TransientFetchError:
            time.sleep(delay)
    return fetch_batch(crawl, batch, last_attempt=True)


# --- from a directory ----------------------------------------------------------------------------

def copy_directory(source: Path, raw: Path) -> HarvestSummary:
    """Copy in the files below `source` whose bytes differ from what the store holds at their
    path in current/; bytes the store holds under any name are not stored again."""
    if check_harvest(source, raw) != "directory":
        raise HarvestError(f"{source} is not a folder")
    checked_store(raw)
    source_dir = source.resolve()
    run_id, offset = new_run_id(), rawstore.manifest_size(raw)
    stored = rawstore.latest_rows_before(raw, offset, "path")
    unchanged = sum(copy_file(raw, source_dir, relpath, stored.get(relpath), run_id) == "unchanged"
                    for relpath in list_source_files(source_dir))
    summary = summary_of_rows(rawstore.run_rows(raw, run_id, offset), str(source), raw, run_id)
    summary.unchanged += unchanged
    return summary


def copy_file(raw: Path, source: Path, relpath: str, known: dict | None, run_id: str) -> str:
    """Copy source/relpath into the store unless it holds those bytes at current/<relpath>;
    the outcome ('new', 'changed', 'unchanged', 'unreadable'). Unchanged files get no row."""
    path = source / relpath
    row = {"run": run_id, "url": path.as_uri(), "final_url": None, "fetched_at": utc_now(), "status": None,
           "outcome": None, "sha256": None, "bytes": None, "etag": None, "last_modified": None,
           "path": relpath, "stored": False, "redirects": 0, "error": None}
    try:
        sha256 = file_sha256(path)
    except OSError as err:
        row.update(outcome="unreadable", error=f"cannot read the file: {err.strerror or err}")
        rawstore.append_manifest_row(raw, row)
        return "unreadable"
    if known and known["sha256"] == sha256 and (raw / rawstore.CURRENT / relpath).is_file():
        return "unchanged"
    if rawstore.has_object(raw, sha256):
        size, stored = path.stat().st_size, False
    else:
        sha256, size, stored = rawstore.store_file(raw, path)
    rawstore.place_in_snapshot(raw, sha256, relpath)
    row.update(outcome="new" if known is None else "changed", sha256=sha256, bytes=size, stored=stored)
    rawstore.append_manifest_row(raw, row)
    return row["outcome"]


# --- the whole harvest, without Prefect ------------------------------------------------------------

def harvest(sources: Sequence[str | Path] | str | Path, raw: Path,
            options: HarvestOptions | None = None) -> HarvestSummary:
    """Harvest from start URLs (one host) or one folder into the raw store `raw`.

    The same steps as the `harvest` flow, run in threads with the same retry policy; raises
    HarvestError for bad input or an unreachable site."""
    found = as_sources(sources)
    if check_harvest(found, raw, options) == "directory":
        return copy_directory(Path(found[0]), raw)
    crawl = open_crawl(found, raw, options or HarvestOptions())
    with ThreadPoolExecutor(crawl.options.batches) as pool:
        return crawl_site(crawl, lambda batches: list(pool.map(partial(fetch_batch_retrying, crawl), batches)))


def as_sources(sources: Sequence[str | Path] | str | Path) -> list[str]:
    """One source or several, as a list of strings."""
    return [str(sources)] if isinstance(sources, (str, Path)) else [str(s) for s in sources]
