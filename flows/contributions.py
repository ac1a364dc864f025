"""The validate_contribution flow: check everything in the inbox and sort it. Orchestration only.

The checks are `etl.contribution`'s; moving files and writing reports is `etl.inbox`'s.
"""


from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from etl import inbox
from etl.contribution import default_limits, published_tables

stage = task(cache_policy=NO_CACHE)


@stage
def check_and_file(entries: list[Path], folder: Path, against: Path | None) -> dict[str, str]:
    """Check a batch of inbox entries; each goes to accepted/ or rejected/ with its report."""
    limits = default_limits()
    published = published_tables(against) if against else None
    outcome = {}
    for entry in entries:
        report = inbox.check_entry(entry, limits, published)
        target = inbox.file_entry(entry, report, folder)
        outcome[entry.name] = f"{target.parent.name} ({report.problems.height} problems)"
    return outcome


@flow(name="validate-contribution", log_prints=False)
def validate_contribution(folder: Path, against: Path | None = None) -> dict[str, str]:
    """Validate every contribution in folder/inbox against the published schemas (and a
    published release, when given) and move each to folder/accepted or folder/rejected."""
    entries = inbox.inbox_entries(folder)
    get_run_logger().info("checking %d contributions in %s", len(entries), folder / "inbox")
    return check_and_file(entries, folder, against)
