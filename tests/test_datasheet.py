"""The README.md datasheet of a release: facts computed from the tables, every field, and
loading snippets that run as printed."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl import pipeline, publish
from etl.config import settings
from etl.datasheet import datasheet_facts, render_datasheet
from etl.schema import load_schema
from etl.sources import list_source_files

VERSION = "2026.11.23"


@pytest.fixture(scope="module")
def built(samples_dir, tmp_path_factory) -> tuple[dict[str, pl.DataFrame], Path, str]:
    """(the tables of the sample captures, their release, its README)."""
    extracted = pipeline.extract_batch(samples_dir, list_source_files(samples_dir))
    tables = pipeline.assemble_release(pipeline.combine_batches([extracted])).tables
    release = publish.write_release(tables, tmp_path_factory.mktemp("release"), VERSION)
    return tables, release, (release / "README.md").read_text("utf-8")


def _snippets(readme: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)


def test_datasheet_states_the_counts_of_the_tables(built):
    tables, _, readme = built
    documents = tables["documents"]
    with_text = documents.filter(pl.col("has_text")).height
    assert f"**{documents.height:,} documents**" in readme
    assert f"{with_text:,} have their full text" in readme
    assert f"{documents.height - with_text:,} have none: they were seen only in listings" in readme
    assert f"**{tables['sources'].height:,} captures**" in readme
    for resource in settings().resources:
        assert f"| `{resource}` | {tables[resource].height:,} |" in readme


def test_datasheet_states_the_date_range_archives_and_collections(built):
    tables, _, readme = built
    documents = tables["documents"]
    assert f"dated {documents['date_start'].min()} to {documents['date_end'].max()}" in readme
    for archive, n in documents.drop_nulls("archive").group_by("archive").len().iter_rows():
        assert f"| {archive} | {n:,} |" in readme
    for title, n in tables["collections"].select("title", "document_count").iter_rows():
        assert f"| {title} | {n:,} |" in readme


def test_datasheet_facts_come_from_the_tables_not_the_text(built):
    tables, _, _ = built
    fewer = {**tables, "documents": tables["documents"].head(3)}
    facts = datasheet_facts(fewer)
    assert facts["documents"] == 3
    assert facts["with_text"] + facts["listing_only"] == 3
    assert sum(n for _, n in facts["archives"]) == 3


def test_only_the_largest_collections_are_listed_when_there_are_many(built):
    tables, _, _ = built
    many = pl.DataFrame({"title": [f"Collection {i:03}" for i in range(30)], "document_count": list(range(30))})
    descriptor = publish.package_descriptor([], "1", {"path": "x.sqlite"})
    readme = render_datasheet({**tables, "collections": many}, descriptor, "x.zip")
    assert "The 20 largest of the 30 collections" in readme
    assert "| Collection 029 | 29 |" in readme and "| Collection 010 | 10 |" in readme
    assert "| Collection 009 |" not in readme


def test_field_dictionary_names_every_field_of_every_schema(built):
    _, _, readme = built
    dictionary = readme.split("## Field dictionary", 1)[1]
    for resource in settings().resources:
        assert f"### `{resource}`" in dictionary
        for field in load_schema(resource)["fields"]:
            assert f"| `{field['name']}` |" in dictionary, (resource, field["name"])


def test_datasheet_says_which_licence_covers_which_tables(built):
    _, _, readme = built
    licences = readme.split("## Licences", 1)[1].split("\n## ", 1)[0]
    assert "**CC-BY-SA-4.0**: `articles`, `references`." in licences
    assert "**other-at**: `documents`, `texts`" in licences


def test_datasheet_has_limitations_citation_and_loading_sections(built):
    _, release, readme = built
    for heading in ("What the data covers", "Files", "How it was built", "Licences", "Known limitations",
                    "How to cite", "Loading the data", "Field dictionary"):
        assert f"\n## {heading}\n" in readme
    assert "https://digitalarchive.wilsoncenter.org" in readme.split("## How to cite", 1)[1]
    assert f"{settings().package_name}-{VERSION}.sqlite" in readme


@pytest.mark.parametrize("language", ["python", "r", "sql"])
def test_each_loading_snippet_is_three_lines(built, language):
    _, _, readme = built
    snippets = _snippets(readme, language)
    assert snippets
    assert all(len(code.splitlines()) == 3 for code in snippets)


@pytest.mark.filterwarnings("error")
def test_python_snippets_run_against_the_release(built, monkeypatch):
    _, release, readme = built
    monkeypatch.chdir(release)
    snippets = _snippets(readme, "python")
    assert len(snippets) == 2  # polars and pandas
    for code in snippets:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), {})
        assert "AVPRF" in printed.getvalue()


@pytest.mark.filterwarnings("error")
def test_sql_snippet_runs_in_duckdb_against_the_release(built, monkeypatch):
    tables, release, readme = built
    monkeypatch.chdir(release)
    (code,) = _snippets(readme, "sql")
    statements = [s.strip() for s in code.split(";") if s.strip()]
    with duckdb.connect() as con:
        for statement in statements[:-1]:
            con.execute(statement)
        rows = con.sql(statements[-1]).fetchall()
    assert len(rows) == min(10, tables["texts"].height)


def test_zip_carries_the_same_readme(built):
    _, release, readme = built
    with zipfile.ZipFile(release / f"{settings().package_name}-{VERSION}-csv.zip") as bundle:
        assert bundle.read(f"{settings().package_name}-{VERSION}/README.md").decode("utf-8") == readme


def test_a_release_without_a_dated_version_says_no_creation_date(built):
    tables, _, _ = built
    descriptor = publish.package_descriptor([], "1.0.0", {"path": "x.sqlite"})
    readme = render_datasheet(tables, descriptor, "x.zip")
    assert readme.startswith(f"# {descriptor['title']}\n\nVersion 1.0.0, of the open data package")
