"""Scheduled, incremental runs: change lists, `etl diff`, run manifests, the extraction
cache, "no changes", the rejection gate and quarantine replay, on real builds."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from etl import pipeline, publish, quality, replay
from etl.config import settings
from etl.schema import load_schema
from etl.sources import list_source_files

PACKAGE = settings().package_name
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


def _etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=120)


def _tables(root: Path) -> dict[str, pl.DataFrame]:
    return pipeline.assemble_release(pipeline.extract_batch(root, list_source_files(root))).tables


def _copy_samples(samples_dir: Path, target: Path) -> Path:
    shutil.copytree(samples_dir, target)
    return target


def _data_bytes(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}


def _new_document(folder: Path, name: str, record_id: str, title: str) -> None:
    """A newer-site text capture of one more document, made from a fixture page."""
    text = (FIXTURES / "document_new" / "full_metadata.txt").read_text("utf-8")
    old_title = "Memorandum on the Lantern Shortage at the Outer Lights"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text.replace("400123", record_id).replace(old_title, title), encoding="utf-8")


# --- change lists and etl diff -------------------------------------------------------------

@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple[Path, Path]:
    """Release 1 of three fixture documents; release 2 drops one, edits one, adds one."""
    root = tmp_path_factory.mktemp("history")
    captures = root / "captures"
    for name in ("full_metadata.txt", "page.html", "truncated_body.txt"):
        (captures / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "document_new" / name, captures / name)
    output = root / "out"
    publish.write_release(_tables(captures), output, "1")
    (captures / "truncated_body.txt").unlink()
    page = captures / "page.html"
    page.write_text(page.read_text("utf-8").replace("</h1>", " (revised)</h1>", 1), encoding="utf-8")
    _new_document(captures, "added.txt", "400999", "Memorandum on Lantern Oil for the Northern Lights")
    publish.write_release(_tables(captures), output, "2")
    return output / PACKAGE / "1", output / PACKAGE / "2"


def test_a_release_lists_documents_added_removed_and_changed_with_their_fields(two_releases):
    first, second = two_releases
    changes = json.loads((second / "changes.json").read_text("utf-8"))
    assert changes["previous"] == "1" and changes["version"] == "2"
    assert changes["added"] == ["rid-400999"]
    assert len(changes["removed"]) == 1 and changes["removed"][0] not in changes["added"]
    changed = {c["document_id"]: c["fields"] for c in changes["changed"]}
    assert len(changed) == 1 and "title" in next(iter(changed.values()))
    assert changes["documents"] == {"added": 1, "removed": 1, "changed": 1}
    assert changes["rows"]["documents"] == {"previous": 3, "current": 3}
    assert json.loads((first / "changes.json").read_text("utf-8"))["previous"] is None


def test_the_changelog_names_the_documents_and_the_first_release_says_so(two_releases):
    first, second = two_releases
    changelog = (second / "CHANGELOG.md").read_text("utf-8")
    assert "1 added, 1 removed, 1 changed" in changelog
    assert "`rid-400999` Memorandum on Lantern Oil for the Northern Lights" in changelog
    assert "(revised)" in changelog and ": title" in changelog
    assert "First release: 3 documents." in (first / "CHANGELOG.md").read_text("utf-8")
    assert "CHANGELOG.md" in (second / "SHA256SUMS").read_text("utf-8")


def test_etl_diff_prints_the_same_comparison_for_any_two_releases(two_releases):
    first, second = two_releases
    output = first.parent.parent
    as_json = _etl("diff", "1", "2", "--output", str(output), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == json.loads((second / "changes.json").read_text("utf-8"))
    backwards = json.loads(_etl("diff", "2", "1", "--output", str(output), "--format", "json").stdout)
    assert backwards["added"] == json.loads(as_json.stdout)["removed"]
    as_text = _etl("diff", "1", "2", "--output", str(output))
    assert as_text.stdout == (second / "CHANGELOG.md").read_text("utf-8")
    missing = _etl("diff", "1", "9", "--output", str(output))
    assert missing.returncode == 2 and "no release 9" in missing.stderr and "Traceback" not in missing.stderr


# --- incremental builds through the flow -----------------------------------------------------

@pytest.fixture(scope="module")
def incremental(prefect_server, samples_dir, tmp_path_factory) -> dict:
    """A cold build, a build after adding a capture (warm cache), and a no-cache build of the same."""
    from flows.build import build_release

    root = tmp_path_factory.mktemp("incremental")
    captures = _copy_samples(samples_dir, root / "captures")
    output, cache_dir, none = root / "out", root / "cache", root / "no-contributions"
    first = build_release(captures, output, "1", batch_size=8, contributions=none, cache_dir=cache_dir)
    _new_document(captures / "later", "added.txt", "400777", "Memorandum on Lantern Wicks for the Harbour")
    second = build_release(captures, output, "2", batch_size=8, contributions=none, cache_dir=cache_dir)
    full = build_release(captures, root / "full", "2", batch_size=8, contributions=none)
    return {"root": root, "captures": captures, "output": output, "cache": cache_dir, "none": none,
            "first": first, "second": second, "full": full}


def _manifest(output: Path, version: str) -> dict:
    return json.loads((output / PACKAGE / "runs" / f"{version}.json").read_text("utf-8"))


def test_a_build_after_adding_a_capture_parses_only_that_capture(incremental):
    files = incremental["second"]["files"]
    counts = _manifest(incremental["output"], "2")["counts"]["extract"]
    assert counts == {**counts, "files_from_cache": files - 1, "files_extracted": 1}
    assert _manifest(incremental["output"], "1")["counts"]["extract"]["files_extracted"] == files - 1


def test_a_cached_build_publishes_the_same_bytes_as_a_full_build(incremental):
    assert _data_bytes(Path(incremental["second"]["release"])) == _data_bytes(Path(incremental["full"]["release"]))


def test_the_run_manifest_records_inputs_counts_durations_and_versions(incremental):
    run = _manifest(incremental["output"], "2")
    assert run["outcome"] == "published" and run["version"] == "2" and run["previous"] == "1"
    listed = {f["path"]: f["sha256"] for f in run["inputs"]["source_files"]}
    assert len(listed) == incremental["second"]["files"]
    import hashlib
    added = incremental["captures"] / "later" / "added.txt"
    assert listed["later/added.txt"] == hashlib.sha256(added.read_bytes()).hexdigest()
    assert set(run["seconds"]) >= {"inventory", "extract", "validate", "normalise", "dedup", "publish"}
    assert all(s >= 0 for s in run["seconds"].values())
    assert run["counts"]["publish"]["rows"]["documents"] == incremental["second"]["documents"]
    assert run["counts"]["dedup"]["documents"] == incremental["second"]["documents"]
    assert set(run["code"]["schemas"]) == set(settings().resources) | {"records"}
    assert len(run["fingerprint"]) == 64 and run["fingerprint"] != _manifest(incremental["output"], "1")["fingerprint"]


def test_a_run_with_nothing_changed_publishes_nothing_and_is_fast(incremental):
    output = incremental["output"]
    before = sorted(p.name for p in (output / PACKAGE).iterdir())
    recorded = set((output / PACKAGE / "runs").glob("*-no-changes.json"))
    started = time.perf_counter()
    result = _etl("build", "--source", str(incremental["captures"]), "--output", str(output),
                  "--contributions", str(incremental["none"]), "--cache", str(incremental["cache"]))
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no changes") and "release 2" in result.stdout
    assert seconds < 10
    assert sorted(p.name for p in (output / PACKAGE).iterdir()) == before
    assert (output / PACKAGE / "latest").read_text("utf-8").strip() == "2"
    new = set((output / PACKAGE / "runs").glob("*-no-changes.json")) - recorded
    assert len(new) == 1, "the run leaves a record of what it did"
    run = json.loads(new.pop().read_text("utf-8"))
    assert run["outcome"] == "no-changes" and run["release"] == "2" and run["orchestrator"] == "none"


def test_the_flow_itself_says_no_changes_for_scheduled_runs(incremental):
    from flows.build import build_release

    outcome = build_release(incremental["captures"], incremental["output"], batch_size=8,
                            contributions=incremental["none"], cache_dir=incremental["cache"])
    assert outcome == {"outcome": "no-changes", "release": "2"}
    runs = [json.loads(p.read_text("utf-8")) for p in (incremental["output"] / PACKAGE / "runs").glob("*-no-changes.json")]
    assert runs and runs[-1]["release"] == "2"


def test_a_rule_rejecting_too_much_of_a_layout_fails_the_run_and_publishes_nothing(incremental, monkeypatch):
    import etl.build
    import flows.build

    monkeypatch.setattr(etl.build, "settings", lambda: dataclasses.replace(settings(), min_records_for_share=1))
    output = incremental["output"]
    before = sorted(p.name for p in (output / PACKAGE).iterdir() if p.name != "runs")
    with pytest.raises(publish.ReleaseError, match=r"rule 'truncated' \(extract\) rejected 17% of the listing_search"):
        flows.build.build_release(incremental["captures"], output, "3", batch_size=8, force=True,
                                  contributions=incremental["none"], cache_dir=incremental["cache"],
                                  max_rejected_share=0.1)
    assert sorted(p.name for p in (output / PACKAGE).iterdir() if p.name != "runs") == before
    failed = [json.loads(p.read_text("utf-8")) for p in (output / PACKAGE / "runs").glob("*-failed.json")]
    assert failed and "too many records rejected" in failed[-1]["error"]


def test_rejection_shares_are_per_layout_and_rule():
    tables = _tables(FIXTURES / "listing_old")
    shares = quality.rejection_shares(tables["sources"], tables["quarantine"])
    assert shares.height and set(shares.get_column("layout")) == {"listing_old"}
    truncated = shares.filter(pl.col("rule") == "truncated").row(0, named=True)
    listing_records = tables["sources"].filter(pl.col("layout") == "listing_old").get_column("records").sum()
    assert truncated["records"] == listing_records
    assert truncated["share"] == pytest.approx(truncated["rejected"] / listing_records)
    assert quality.excessive_rejections(tables, 1.0, 1) == []
    assert quality.excessive_rejections(tables, 0.0, 1)
    assert quality.excessive_rejections(tables, 0.0, listing_records + 1) == []


# --- quarantine replay -----------------------------------------------------------------------

def _shorter_titles_allowed(name: str) -> dict:
    """A schema fix: titles of two characters become valid (records and documents)."""
    schema = load_schema(name)
    if name not in ("records", "documents"):
        return schema
    return {**schema, "fields": [
        {**f, "constraints": {**f["constraints"], "minLength": 2}} if f["name"] == "title" else f
        for f in schema["fields"]]}


def test_replay_follows_each_quarantined_record_after_a_schema_fix(tmp_path, monkeypatch):
    captures = tmp_path / "captures"
    _new_document(captures, "short-title.txt", "400124", "Ok")
    shutil.copy(FIXTURES / "listing_old" / "truncated_in_title.txt", captures / "listing.txt")
    before = _tables(captures)
    rejected = before["quarantine"].filter(pl.col("rule") == "minLength")
    assert rejected.height == 1 and rejected.row(0, named=True)["value"] == "Ok"

    monkeypatch.setattr(pipeline, "load_schema", _shorter_titles_allowed)
    report = replay.replay_report("1", before, _tables(captures))
    assert report["quarantined"] == before["quarantine"].select("source_id", "position").unique().height > 1
    assert report["passes"] == 1
    assert report["rejected"] == report["quarantined"] - 1 and report["not_read"] == 0
    by_rule = {(r["stage"], r["rule"]): r for r in report["by_rule"]}
    assert by_rule[("validate", "minLength")]["passes"] == 1
    assert by_rule[("extract", "truncated")]["passes"] == 0
    text = replay.report_text(report)
    assert "1 now pass" in text and "the next `etl build` publishes them" in text


def test_replay_of_an_unchanged_release_finds_nothing_new(incremental):
    from flows.replay import replay_quarantine

    release = incremental["output"] / PACKAGE / "2"
    report = replay_quarantine(release, incremental["captures"], incremental["output"],
                               cache_dir=incremental["cache"])
    quarantined = pl.read_parquet(release / "data" / "quarantine.parquet").select("source_id", "position").unique()
    assert report["quarantined"] == quarantined.height > 0
    assert report["passes"] == 0 and report["rejected"] == quarantined.height
    assert report["unread_files"] == report["files"].__len__() and report["files_now_read"] == 0
    assert list((incremental["output"] / PACKAGE / "runs").glob("*-replay.json"))
