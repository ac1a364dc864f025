"""releases.atom: an Atom feed (RFC 4287) with one entry per release, so readers can follow updates.

Written from the catalog (etl.catalog), never from the clock: an entry's `updated` is the
release's `created`, the feed's the newest of those. A release whose version is not a date
has no `created`; Atom requires a date, so its entry carries the Unix epoch. Ids are UUID
URNs derived from the package name and version: the same release keeps the same id in every
rewrite, wherever the folder is served. Links are relative to the feed, which sits beside
index.html in the output folder.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape, quoteattr

ATOM_NS = "http://www.w3.org/2005/Atom"
NO_DATE = "1970-01-01T00:00:00Z"
MOST_ENTRIES = 50


def _id(name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"data-package:{name}").urn


def _url(release: dict, kind: str) -> str:
    return next(f["url"] for f in release["files"] if f["kind"] == kind)


def _entry(package: dict, release: dict) -> list[str]:
    updated = release["created"] or NO_DATE
    return [
        "  <entry>",
        f"    <id>{_id(package['name'] + '/' + release['version'])}</id>",
        f"    <title>{escape(package['title'])}: release {escape(release['version'])}</title>",
        f"    <updated>{updated}</updated>",
        f"    <published>{updated}</published>",
        f"    <link rel=\"alternate\" type=\"text/markdown\" href={quoteattr(_url(release, 'readme'))}/>",
        f"    <link rel=\"related\" type=\"application/json\" href={quoteattr(_url(release, 'datapackage'))}/>",
        f"    <summary type=\"text\">{escape(release['changes']['summary'])}</summary>",
        "  </entry>",
    ]


def render_feed(catalog: dict) -> str:
    """The feed of every package's releases, newest first."""
    releases = sorted(((p, r) for p in catalog["packages"] for r in p["releases"]),
                      key=lambda pr: (pr[1]["created"] or NO_DATE, pr[0]["name"], pr[1]["version"]), reverse=True)
    title = "; ".join(p["title"] for p in catalog["packages"])
    publisher = "; ".join(sorted({p["publisher"] or p["name"] for p in catalog["packages"]}))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"  <id>{_id(','.join(p['name'] for p in catalog['packages']))}</id>",
        f"  <title>New releases: {escape(title)}</title>",
        f"  <updated>{catalog['updated'] or NO_DATE}</updated>",
        f"  <author><name>{escape(publisher)}</name></author>",
        f'  <link rel="self" type="application/atom+xml" href="{catalog["feed"]}"/>',
        f'  <link rel="alternate" type="text/html" href="{catalog["page"]}"/>',
    ]
    for package, release in releases[:MOST_ENTRIES]:
        lines += _entry(package, release)
    return "\n".join([*lines, "</feed>", ""])
