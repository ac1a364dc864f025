"""The real seed captures give exactly what their answer key lists (read at test time)."""

import json
from pathlib import Path

import pytest

from etl.extract import extract_capture
from etl.extract.blocks import title_key

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


@pytest.fixture(scope="module")
def answers() -> dict:
    if not SEEDS.is_dir():
        pytest.skip("the shared seed captures are not beside the repository")
    return json.loads((SEEDS / "expected.json").read_text("utf-8"))["files"]


def extract_seed(name: str):
    return extract_capture((SEEDS / name).read_text("utf-8"), is_html=False)


def entry_facts(records: list[dict]) -> list[tuple]:
    return [(r["position"], title_key(r["title"]), r["date_text"], r["summary"] is not None) for r in records]


@pytest.mark.parametrize("name", ["000_5d02e385fbfc4b85.txt", "001_f82ee6bc65e6481e.txt"])
def test_listing_seeds_give_their_entries_in_order(answers, name):
    extraction = extract_seed(name)
    wanted = [(e["position"], title_key(e["title"]), e["date_text"], e["has_summary"])
              for e in answers[name]["entries"]]
    assert extraction.layout == "listing_old" and not extraction.rejected
    assert entry_facts(extraction.records) == wanted


def test_collection_seed_gives_its_collection_block(answers):
    name = "000_5d02e385fbfc4b85.txt"
    collection, wanted = extract_seed(name).collection, answers[name]["collection"]
    assert collection["title"] == wanted["title"]
    assert collection["description"].startswith(wanted["description_starts"])


def test_listing_seed_without_collection_block(answers):
    assert extract_seed("001_f82ee6bc65e6481e.txt").collection is None


def test_newer_document_seed(answers):
    name = "002_bfcc2973cea2ea5d.txt"
    extraction, wanted = extract_seed(name), answers[name]["document"]
    [record] = extraction.records
    assert extraction.layout == "document_new" and not extraction.truncated
    assert title_key(record["title"]) == title_key(wanted["title"])
    assert (record["date_text"], record["record_id"]) == ("February 2, 1956", str(wanted["record_id"]))
    assert record["source"] == "RGANI Fond 5, Opis 28, Delo 412. Translated by Gary Goldberg."
    assert (record["document_type"], record["uploaded_date_text"]) == (wanted["document_type"], wanted["uploaded_date"])
    assert record["language"] is None and record["funders_text"] is None
    assert record["summary"].startswith(wanted["summary_starts"])
    assert record["rights"].startswith(wanted["rights_starts"])


def test_older_document_seed(answers):
    name = "003_78758ff57c64ac5e.txt"
    extraction, wanted = extract_seed(name), answers[name]["document"]
    [record] = extraction.records
    assert extraction.layout == "document_old" and not extraction.truncated
    assert title_key(record["title"]) == title_key(wanted["title"])
    assert record["date_text"] == "September 14, 1960" and record["record_id"] is None
    assert record["source"] == "AVPRF fond 0102, opis 16, delo 7, p.102-129. Translated by Gary Goldberg."
    assert record["summary"].startswith(wanted["summary_starts"])
    assert record["funders_text"] == "the ROK Ministry of Unification"
    assert record["text"].startswith("MFA stamp")


def test_article_seed(answers):
    name = "004_7acd7597d4270e98.txt"
    extraction, wanted = extract_seed(name), answers[name]["article"]
    article = extraction.article
    assert extraction.layout == "article" and extraction.records == []
    assert (article["title"], article["license"]) == (wanted["title"], wanted["license"])
    assert len(article["references"]) == wanted["references"]
    assert article["language_links"] == [f"{code}:{title}" for code, title in wanted["language_links"].items()]
    assert all(figure in article["text"] for figure in wanted["figures_mentioned"])
    assert "Template:" not in article["text"]
