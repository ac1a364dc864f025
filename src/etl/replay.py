"""Quarantine replay: do the records the latest release rejected pass the current code?

After a parser or schema fix, `etl replay` builds the same inputs again through the
current code and schemas (without publishing) and follows each record the latest release
quarantined: it is now published, still rejected (by which rule), or no longer read (its
file changed or went). Files the release could not read as a capture (unrecognised, parse
errors) are followed the same way. The next build publishes what now passes: it runs the
same code, and the replay has filled the extraction cache for it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

_KEY = ["source_id", "position"]
_UNREAD = ("unrecognised", "parse_error")


def _first_rejection(quarantine: pl.DataFrame) -> pl.DataFrame:
    """One row per quarantined record: the first stage and rule that rejected it."""
    return quarantine.sort(*_KEY, "stage", "rule").unique(_KEY, keep="first", maintain_order=True) \
        .select(*_KEY, "stage", "rule", "value")


def _published_keys(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    articles = tables["articles"].select("source_id", pl.lit(1, pl.Int64).alias("position"))
    return pl.concat([tables["document_sources"].select(_KEY).cast({"position": pl.Int64}), articles]).unique()


def record_outcomes(before: dict[str, pl.DataFrame], now: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """source_id, position, stage, rule, value (as quarantined before), outcome
    ('passes', 'rejected', 'not read') and, for 'rejected', the rule that rejects it now."""
    quarantined = _first_rejection(before["quarantine"]).cast({"position": pl.Int64})
    published = _published_keys(now).with_columns(pl.lit("passes").alias("outcome"))
    rejected_now = _first_rejection(now["quarantine"]).cast({"position": pl.Int64}).select(
        *_KEY, pl.lit("rejected").alias("outcome_rejected"), pl.col("rule").alias("rule_now"))
    return (
        quarantined.join(published, on=_KEY, how="left")
        .join(rejected_now, on=_KEY, how="left")
        .with_columns(pl.coalesce("outcome", "outcome_rejected", pl.lit("not read")).alias("outcome"))
        .drop("outcome_rejected")
        .sort(_KEY)
    )


def file_outcomes(before: dict[str, pl.DataFrame], now: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Files the release could not read as captures: path, status then, status and records now."""
    unread = before["sources"].filter(pl.col("status").is_in(_UNREAD)).select("path", pl.col("status").alias("status_before"))
    return unread.join(now["sources"].select("path", "status", "layout", "records"), on="path", how="left").sort("path")


def replay_report(release: str, before: dict[str, pl.DataFrame], now: dict[str, pl.DataFrame]) -> dict:
    """The replay's findings: counts, by former rule, and the files now read."""
    records = record_outcomes(before, now)
    files = file_outcomes(before, now)
    by_rule = records.group_by("stage", "rule").agg(
        pl.len().alias("quarantined"),
        (pl.col("outcome") == "passes").sum().alias("passes"),
        (pl.col("outcome") == "rejected").sum().alias("rejected"),
        (pl.col("outcome") == "not read").sum().alias("not_read"),
    ).sort("stage", "rule")
    recovered = files.filter(pl.col("status") == "ok")
    return {
        "release": release,
        "quarantined": records.height,
        "passes": int((records.get_column("outcome") == "passes").sum()),
        "rejected": int((records.get_column("outcome") == "rejected").sum()),
        "not_read": int((records.get_column("outcome") == "not read").sum()),
        "by_rule": by_rule.to_dicts(),
        "unread_files": files.height,
        "files_now_read": recovered.height,
        "files": files.to_dicts(),
        "records": records.to_dicts(),
    }


def report_text(report: dict) -> str:
    """The replay's findings for people."""
    lines = [
        f"replayed the quarantine of release {report['release']} through the current code and schemas:",
        f"  {report['quarantined']:,} quarantined records: {report['passes']:,} now pass, "
        f"{report['rejected']:,} still rejected, {report['not_read']:,} no longer read (file changed or gone)",
    ]
    lines += [f"  {r['stage']}/{r['rule']}: {r['quarantined']:,} quarantined, {r['passes']:,} now pass, "
              f"{r['rejected']:,} still rejected" for r in report["by_rule"]]
    if report["unread_files"]:
        lines.append(f"  {report['unread_files']:,} files the release could not read: "
                     f"{report['files_now_read']:,} are read now")
    if report["passes"] or report["files_now_read"]:
        lines.append("the next `etl build` publishes them")
    return "\n".join(lines) + "\n"


def read_release_tables(release: Path) -> dict[str, pl.DataFrame]:
    """The tables a replay compares, from a published release's Parquet files."""
    names = ("quarantine", "sources", "document_sources", "articles")
    return {name: pl.read_parquet(release / "data" / f"{name}.parquet") for name in names}
