"""The catalog of an output folder: every package and release, for machines and for people.

    index.json                              every release: version, date, counts, files (size, sha256, URL)
    index.html                              the page: latest release, downloads, charts, fields, changes
    releases.atom                           the Atom feed of releases (etl.feed)
    favicon.svg                             the page's icon (browsers ask for one)
    charts/<package>/<version>/<name>.svg   the charts of each package's latest release (etl.charts)

The catalog is derived data: `write_catalog` rewrites all of it from the release folders,
after a release lands or on demand (`etl catalog`). Nothing in it comes from the clock: a
release's date is its `created`, so the same releases give the same bytes. Every URL is
relative to the output folder, so the page works under any static web server, at any path,
and from file://.

Charts live outside the release folders because releases are immutable and SHA256SUMS
lists every file of a release; they sit under the version they show, so the page and its
charts change together when index.html is replaced, and the previous charts go after it.

Changes between releases: the summary lines of each release's `changes.json` (documents
added, removed and changed: etl.changes), then the row-count differences from the
release before it in the catalog.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote

from etl import charts, feed
from etl.changes import CHANGES_FILE
from etl.checksums import file_sha256
from etl.dictionary import constraint_text
from etl.download import CATALOG_FILE, human_size

CATALOG_NAME = CATALOG_FILE     # named in etl.download, which reads catalogs and must start without Polars
PAGE_NAME = "index.html"
FEED_NAME = "releases.atom"
CHART_DIR = "charts"
CATALOG_VERSION = 1
RECENT_RELEASES = 10


class CatalogError(Exception):
    """The output folder cannot be catalogued; the message says why."""


def url_of(path: Path, output: Path) -> str:
    """The relative URL of `path` from the output folder."""
    return quote(path.relative_to(output).as_posix())


def _version_key(version: str) -> tuple:
    """'2026.11.23.1' after '2026.11.23', '10' after '9': numbers compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-]", version))


def _release_order(entry: dict) -> tuple:
    """Newest first: dated releases by date, then releases whose version is not a date."""
    return (entry["created"] is not None, entry["created"] or "", _version_key(entry["version"]))


def _checksums(release: Path) -> dict[str, str]:
    """path -> sha256 hex, from the release's SHA256SUMS."""
    lines = (release / "SHA256SUMS").read_text("utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line)}


def release_files(release: Path, output: Path, descriptor: dict) -> list[dict]:
    """Every file a reader may download, with its kind, relative URL, size and sha256."""
    sums = _checksums(release)
    sums["SHA256SUMS"] = file_sha256(release / "SHA256SUMS")
    zips = sorted(name for name in sums if name.endswith(".zip") and "/" not in name)
    listed = [("datapackage", "datapackage.json", None), ("readme", "README.md", None),
              ("checksums", "SHA256SUMS", None), *(("zip", name, None) for name in zips),
              ("sqlite", descriptor["sqlite"]["path"], None)]
    for resource in descriptor["resources"]:
        listed += [("parquet", resource["parquet"]["path"], resource["name"]),
                   ("csv", resource["path"], resource["name"])]
    files = []
    for kind, name, resource in listed:
        if name not in sums:
            raise CatalogError(f"{release}: {name} is not in SHA256SUMS")
        path = release / name
        files.append({"kind": kind, **({"resource": resource} if resource else {}),
                      "url": url_of(path, output), "bytes": path.stat().st_size, "hash": f"sha256:{sums[name]}"})
    return files


def release_notes(release: Path) -> list[str]:
    """The summary lines of the release's `changes.json` (etl.changes), if it has one."""
    path = release / CHANGES_FILE
    if not path.is_file():
        return []
    notes = json.loads(path.read_text("utf-8")).get("summary")
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise CatalogError(f"{path} has no `summary` list of strings")
    return notes


def release_entry(release: Path, output: Path) -> dict:
    try:
        descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
        files = release_files(release, output, descriptor)
        notes = release_notes(release)
    except (ValueError, KeyError, TypeError) as err:
        raise CatalogError(f"{release} is not a release this catalog can list ({err!r})") from None
    return {
        "version": descriptor["version"],
        "created": descriptor.get("created"),
        "counts": {r["name"]: r["rowCount"] for r in descriptor["resources"]},
        "bytes": sum(f["bytes"] for f in files),
        "files": files,
        "changes": {"notes": notes},
    }


def count_changes(counts: dict[str, int], previous: dict[str, int] | None) -> dict[str, int]:
    """Rows added (positive) or removed (negative) per table since the previous release."""
    return {name: n - (previous or {}).get(name, 0) for name, n in counts.items()}


def change_summary(entry: dict) -> str:
    """One paragraph: the release's notes, then its counts and how they moved."""
    changes = entry["changes"]
    if changes["previous"] is None:
        counts = "First release: " + ", ".join(f"{name} {n:,}" for name, n in entry["counts"].items()) + "."
    else:
        moved = [f"{name} {entry['counts'][name]:,} ({d:+,})" for name, d in changes["counts"].items() if d]
        same = [name for name, d in changes["counts"].items() if not d]
        counts = (f"Compared with {changes['previous']}: " + (", ".join(moved) or "no table changed size")
                  + (f"; unchanged: {', '.join(same)}" if same and moved else "") + ".")
    return " ".join([*changes["notes"], counts])


def _with_changes(entries: list[dict]) -> list[dict]:
    """Entries (newest first) with their changes from the release before each."""
    for entry, previous in zip(entries, [*entries[1:], None]):
        entry["changes"]["previous"] = previous["version"] if previous else None
        entry["changes"]["counts"] = count_changes(entry["counts"], previous["counts"] if previous else None)
        entry["changes"]["summary"] = change_summary(entry)
    return entries


def package_entry(package: Path, output: Path) -> dict | None:
    """A package folder's releases, newest first, or None when it holds no release."""
    folders = [p for p in sorted(package.iterdir())
               if p.is_dir() and not p.name.startswith(".") and (p / "datapackage.json").is_file()]
    if not folders:
        return None
    entries = _with_changes(sorted((release_entry(p, output) for p in folders), key=_release_order, reverse=True))
    pointer = package / "latest"
    named = pointer.read_text("utf-8").strip() if pointer.is_file() else None
    latest = named if any(e["version"] == named for e in entries) else entries[0]["version"]
    descriptor = json.loads((package / latest / "datapackage.json").read_text("utf-8"))
    publisher = next((c["title"] for c in descriptor.get("contributors", []) if c.get("role") == "publisher"), None)
    return {"name": package.name, "title": descriptor["title"], "publisher": publisher, "latest": latest,
            "charts": [], "releases": entries}


def build_catalog(output: Path) -> dict:
    """index.json's content (chart lists empty: `write_catalog` fills them as it draws)."""
    packages = [entry for p in sorted(output.iterdir())
                if p.is_dir() and not p.name.startswith(".") and p.name != CHART_DIR
                and (entry := package_entry(p, output))]
    if not packages:
        raise CatalogError(f"no releases under {output}")
    dates = [r["created"] for p in packages for r in p["releases"] if r["created"]]
    return {"catalog_version": CATALOG_VERSION, "updated": max(dates, default=None),
            "page": PAGE_NAME, "feed": FEED_NAME, "packages": packages}


def latest_release(package: dict) -> dict:
    return next(r for r in package["releases"] if r["version"] == package["latest"])


def _replace(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a temporary file beside it, then a rename."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_charts(output: Path, package: dict) -> None:
    folder = output / CHART_DIR / package["name"] / package["latest"]
    folder.mkdir(parents=True, exist_ok=True)
    for chart in charts.release_charts(output / package["name"] / package["latest"]):
        path = folder / f"{chart.name}.svg"
        _replace(path, charts.chart_svg(chart))
        package["charts"].append({"title": chart.title, "description": chart.description,
                                  "url": url_of(path, output)})


def _remove_stale_charts(output: Path, catalog: dict) -> None:
    """Chart folders no longer on the page: other versions, and packages that are gone."""
    current = {(p["name"], p["latest"]) for p in catalog["packages"]}
    for package in sorted((output / CHART_DIR).iterdir()):
        for version in sorted(package.iterdir()) if package.is_dir() else []:
            if (package.name, version.name) not in current:
                shutil.rmtree(version)
        if package.is_dir() and not any(package.iterdir()):
            package.rmdir()


def write_catalog(output: Path) -> list[Path]:
    """Rewrite the catalog of `output` from its release folders; return the files written."""
    catalog = build_catalog(output)
    for package in catalog["packages"]:
        _write_charts(output, package)
    _replace(output / CATALOG_NAME, json.dumps(catalog, indent=2, ensure_ascii=False) + "\n")
    _replace(output / FEED_NAME, feed.render_feed(catalog))
    _replace(output / PAGE_NAME, render_page(catalog, output))
    _replace(output / ICON_NAME, ICON)
    _remove_stale_charts(output, catalog)
    charts_written = [output / unquote(c["url"]) for p in catalog["packages"] for c in p["charts"]]
    return [output / CATALOG_NAME, output / PAGE_NAME, output / FEED_NAME, output / ICON_NAME, *charts_written]


# The page ---------------------------------------------------------------------------------

ICON_NAME = "favicon.svg"
# A stack of three pages: browsers ask every page for an icon, and a missing one is an error.
ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
        '<rect x="1" y="5" width="10" height="10" fill="#9ec5ee"/><rect x="3" y="3" width="10" height="10" '
        'fill="#5b9bd5"/><rect x="5" y="1" width="10" height="10" fill="#0b5cad"/></svg>\n')

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2328;
margin:0 auto;max-width:62rem;padding:1rem}
h1{font-size:1.6rem;line-height:1.25}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de}
a{color:#0b5cad}code{font-size:.9em}
.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem;padding:0;margin:1rem 0}
.counts div{background:#f3f6f9;border-radius:.4rem;padding:.5rem .75rem}
.counts dt{font-size:.85rem;color:#57606a}.counts dd{margin:0;font-size:1.4rem;font-weight:600}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #d0d7de}
td.n{text-align:right;white-space:nowrap}.hash{font-family:ui-monospace,monospace;font-size:.72rem;
word-break:break-all;color:#57606a}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:.4rem}
details{margin:.5rem 0}summary{cursor:pointer}
"""


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def _file_row(file: dict, label: str) -> str:
    name = file["url"].rsplit("/", 1)[-1]
    return (f"<tr><td>{escape(label)}</td><td>{_link(file['url'], name)}</td>"
            f"<td class=\"n\">{human_size(file['bytes'])}</td>"
            f"<td class=\"hash\">{escape(file['hash'].removeprefix('sha256:'))}</td></tr>")


DOWNLOAD_LABELS = {"zip": "All tables, CSV (zip)", "sqlite": "All tables, SQLite",
                   "datapackage": "Data Package descriptor", "readme": "Datasheet (Markdown)",
                   "checksums": "SHA256SUMS"}


def _downloads(release: dict) -> list[str]:
    head = ('<div class="scroll"><table><thead><tr><th>what</th><th>file</th><th>size</th><th>sha256</th></tr>'
            "</thead><tbody>")
    whole = [_file_row(f, DOWNLOAD_LABELS[f["kind"]]) for kind in DOWNLOAD_LABELS
             for f in release["files"] if f["kind"] == kind]
    formats = {"parquet": "Parquet", "csv": "CSV"}
    tables = [_file_row(f, f"{f['resource']} ({formats[f['kind']]})") for f in release["files"] if "resource" in f]
    return ["<h2 id=\"download\">Download</h2>",
            "<p>The whole release in one file, or one table at a time. Every file's sha256 is also in "
            "<code>SHA256SUMS</code> and <code>datapackage.json</code>; <code>etl download</code> checks them "
            "for you.</p>",
            head, *whole, "</tbody></table></div>",
            "<h3>One table at a time</h3>", head, *tables, "</tbody></table></div>"]


def _counts(release: dict) -> list[str]:
    cells = "".join(f"<div><dt>{escape(name.replace('_', ' '))}</dt><dd>{n:,}</dd></div>"
                    for name, n in release["counts"].items())
    return [f'<dl class="counts">{cells}</dl>']


def _charts(package: dict) -> list[str]:
    figures = [f'<figure><img src="{escape(c["url"])}" alt="{escape(c["description"])}" loading="lazy">'
               f'<figcaption>{escape(c["title"])}</figcaption></figure>' for c in package["charts"]]
    return ["<h2 id=\"charts\">At a glance</h2>", *figures] if figures else []


def _field_rows(resource: dict) -> list[str]:
    rows = []
    for field in resource["schema"]["fields"]:
        constraints = escape(constraint_text(field))
        constraints = re.sub(r"`([^`]*)`", r"<code>\1</code>", constraints)
        rows.append(f"<tr><td><code>{escape(field['name'])}</code></td><td>{escape(field.get('type', 'string'))}</td>"
                    f"<td>{constraints}</td><td>{escape(field.get('description', ''))}</td></tr>")
    return rows


def _dictionary(descriptor: dict) -> list[str]:
    """The field dictionary of the release, from the Table Schemas in its datapackage.json."""
    lines = ["<h2 id=\"fields\">Field dictionary</h2>",
             "<p>From the Table Schemas in <code>datapackage.json</code>. One table per section.</p>"]
    for resource in descriptor["resources"]:
        key = ", ".join(resource["schema"].get("primaryKey", [])) or "none"
        lines += [f"<details><summary><code>{escape(resource['name'])}</code>: {escape(resource.get('title', ''))}"
                  f" ({len(resource['schema']['fields'])} fields)</summary>",
                  f"<p>{escape(resource.get('description', ''))} Primary key: <code>{escape(key)}</code>.</p>",
                  '<div class="scroll"><table><thead><tr><th>field</th><th>type</th><th>constraints</th>'
                  "<th>description</th></tr></thead><tbody>", *_field_rows(resource),
                  "</tbody></table></div></details>"]
    return lines


def _release_links(release: dict) -> str:
    wanted = {"readme": "README", "datapackage": "datapackage.json", "checksums": "SHA256SUMS"}
    return " · ".join(_link(f["url"], wanted[f["kind"]]) for f in release["files"] if f["kind"] in wanted)


def _changelog(package: dict) -> list[str]:
    lines = ["<h2 id=\"releases\">Recent releases</h2>"]
    for release in package["releases"][:RECENT_RELEASES]:
        date = f", {release['created'][:10]}" if release["created"] else ""
        lines += [f"<h3 id=\"{escape(package['name'])}-{escape(release['version'])}\">"
                  f"{escape(release['version'])}{date}</h3>",
                  f"<p>{escape(release['changes']['summary'])}</p>",
                  f"<p>{human_size(release['bytes'])} in all. {_release_links(release)}</p>"]
    more = len(package["releases"]) - RECENT_RELEASES
    if more > 0:
        lines.append(f"<p>{more:,} older releases are listed in {_link(CATALOG_NAME, CATALOG_NAME)}.</p>")
    return lines


def _package_section(package: dict, output: Path) -> list[str]:
    release = latest_release(package)
    descriptor = json.loads((output / package["name"] / release["version"] / "datapackage.json").read_text("utf-8"))
    date = f", {release['created'][:10]}" if release["created"] else ""
    # The descriptor's first sentence says what the data is; the rest speaks of the release folder.
    about = descriptor.get("description", "").split(". ")[0].rstrip(".")
    return [f"<h1>{escape(package['title'])}</h1>",
            f"<p>Latest release: <strong>{escape(release['version'])}</strong>{date}. {escape(about)}.</p>",
            *_counts(release), f"<p>{_release_links(release)}</p>", *_downloads(release), *_charts(package),
            *_dictionary(descriptor), *_changelog(package)]


def render_page(catalog: dict, output: Path) -> str:
    """index.html: plain HTML and inline CSS, no script, every link relative."""
    title = "; ".join(p["title"] for p in catalog["packages"])
    body = [line for package in catalog["packages"] for line in _package_section(package, output)]
    return "\n".join([
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f'<link rel="alternate" type="application/atom+xml" title="Releases" href="{FEED_NAME}">',
        f'<link rel="icon" type="image/svg+xml" href="{ICON_NAME}">',
        f"<style>{STYLE.strip()}</style>", "</head>", "<body>", "<main>", *body, "</main>",
        f"<footer><p>{_link(FEED_NAME, 'Follow new releases (Atom feed)')} · "
        f"{_link(CATALOG_NAME, 'Every release, for machines (index.json)')}</p></footer>",
        "</body>", "</html>", "",
    ])
