"""The bundled samples, built by the Prefect flow as `etl build` runs it, against their answer key."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from etl.evaluate import PAGE_FIELDS, field_accuracy, score_release


@pytest.fixture(scope="module")
def samples_build(prefect_server, samples_dir, tmp_path_factory):
    from flows.build import build_release

    counts = build_release(samples_dir, tmp_path_factory.mktemp("samples-output"), "1.0.0", batch_size=8)
    release = Path(counts["release"])
    key_path = samples_dir.parent / "answer_key.json"
    tables = {p.stem: pl.read_parquet(p) for p in (release / "data").glob("*.parquet")}
    return counts, release, tables, key_path, json.loads(key_path.read_text("utf-8"))


def test_deduplication_is_exact_on_the_samples(samples_build):
    _, release, _, key_path, _ = samples_build
    score = score_release(release, key_path)
    assert score["documents_published"] == score["documents_expected"]
    assert (score["precision"], score["recall"]) == (1.0, 1.0)
    assert score["records_missing"] == score["records_unexpected"] == 0


def test_document_pages_give_every_field_they_print_right(samples_build, tmp_path):
    _, release, tables, key_path, _ = samples_build
    scores = field_accuracy(release, key_path)
    assert scores["documents"] >= 8 and all(scores[f] == 1.0 for f in PAGE_FIELDS), scores
    # The score sees a wrong field: one published summary changed.
    (tmp_path / "data").mkdir()
    for name in ("sources", "document_sources"):
        tables[name].write_parquet(tmp_path / "data" / f"{name}.parquet")
    with_text = tables["documents"].get_column("has_text").arg_true()[0]  # a document page shows it
    tables["documents"].with_columns(
        pl.when(pl.int_range(pl.len()) == with_text).then(pl.lit("Another summary.")).otherwise("summary")
        .alias("summary")).write_parquet(tmp_path / "data" / "documents.parquet")
    wrong = field_accuracy(tmp_path, key_path)
    assert wrong["title"] == 1.0 and wrong["summary"] < 1.0


def test_every_file_is_in_sources_and_bad_files_say_why(samples_build):
    _, _, tables, _, key = samples_build
    sources = tables["sources"]
    assert sources.height == key["generator"]["files"]
    statuses = dict(sources.select("path", "status").iter_rows())
    messages = dict(sources.select("path", "message").iter_rows())
    expected_status = {"empty": "empty", "binary": "binary", "truncated": "truncated",
                       "unrecognised": "unrecognised", "enormous_line": "unrecognised", "cp1252": "ok"}
    for bad in key["bad_files"]:
        assert statuses[bad["path"]] == expected_status[bad["kind"]], bad
        if statuses[bad["path"]] != "ok":
            assert messages[bad["path"]]
    encodings = dict(sources.select("path", "encoding").iter_rows())
    assert {encodings[b["path"]] for b in key["bad_files"] if b["kind"] == "cp1252"} == {"cp1252"}


def test_unattributable_records_are_quarantined_not_lost(samples_build):
    counts, _, tables, _, key = samples_build
    quarantined = tables["quarantine"].join(tables["sources"].select("source_id", "path"), on="source_id")
    for record in key["unattributable"]:
        assert quarantined.filter((pl.col("path") == record["path"]) &
                                  (pl.col("position") == record["position"])).height == 1
    assert counts["records_extracted"] == counts["records_published"] + counts["records_quarantined"]


def test_collections_keep_their_members_in_order(samples_build):
    _, _, tables, _, key = samples_build
    links = tables["document_sources"].join(tables["sources"].select("source_id", "path"), on="source_id")
    truth = pl.DataFrame(key["records"]).join(links, on=["path", "position"])
    to_document_id = dict(truth.select("document", "document_id").unique().iter_rows())
    assert tables["collections"].height == len(key["collections"])
    for collection in key["collections"]:
        row = tables["collections"].filter(pl.col("title") == collection["title"]).row(0, named=True)
        members = (tables["collection_documents"].filter(pl.col("collection_id") == row["collection_id"])
                   .sort("position").get_column("document_id").to_list())
        assert members == [to_document_id[m] for m in collection["members"]]


def test_articles_match_the_answer_key(samples_build):
    _, _, tables, _, key = samples_build
    for article in key["articles"]:
        row = tables["articles"].filter(pl.col("title") == article["title"]).row(0, named=True)
        assert row["reference_count"] == article["references"]
        assert row["sections"] == article["sections"]
        assert row["language_links"] == article["language_links"]
