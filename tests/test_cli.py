"""The `etl` command's cheap answers: they must not start Prefect (tests run in seconds)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from etl.publish import next_version


def _etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=60)


def test_help_lists_the_commands():
    result = _etl("--help")
    assert result.returncode == 0 and "build" in result.stdout


def test_missing_source_folder_is_a_usage_error(tmp_path):
    result = _etl("build", "--source", str(tmp_path / "nope"), "--output", str(tmp_path))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_existing_version_is_refused_without_a_traceback(tmp_path):
    (tmp_path / "out" / "wilson-digital-archive-korea" / "7").mkdir(parents=True)
    (tmp_path / "captures").mkdir()
    result = _etl("build", "--source", str(tmp_path / "captures"), "--output", str(tmp_path / "out"), "--version", "7")
    assert result.returncode == 1
    assert "already exists" in result.stderr and "Traceback" not in result.stderr


def test_an_output_inside_the_source_or_a_file_and_an_empty_version_are_usage_errors(tmp_path):
    (tmp_path / "captures").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for args in [("--output", str(tmp_path / "captures" / "out")), ("--output", str(tmp_path / "afile")),
                 ("--output", str(tmp_path / "out"), "--version", ""),
                 ("--output", str(tmp_path / "out"), "--task-runner", "dask", "--dask-address", "http://localhost:1")]:
        result = _etl("build", "--source", str(tmp_path / "captures"), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (args, result.stderr)
    assert not (tmp_path / "out").exists()


def test_contributions_given_as_the_folder_the_inbox_sorts_is_a_usage_error(tmp_path):
    """Its rejected/ and inbox/ hold files that failed or were never checked."""
    (tmp_path / "captures").mkdir()
    for name in ("inbox", "accepted", "rejected"):
        (tmp_path / "contributions" / name).mkdir(parents=True)
    (tmp_path / "contributions" / "rejected" / "bad.csv").write_text("document_url\n", encoding="utf-8")
    result = _etl("build", "--source", str(tmp_path / "captures"), "--output", str(tmp_path / "out"),
                  "--contributions", str(tmp_path / "contributions"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"pass {tmp_path / 'contributions' / 'accepted'}" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_impossible_cron_is_a_usage_error_before_prefect_starts(tmp_path):
    result = _etl("serve", "--cron", "not a cron", "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and "cron" in result.stderr and "Traceback" not in result.stderr


def test_a_pipe_is_no_file_to_validate(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    result = _etl("validate", str(tmp_path / "pipe.csv"))
    assert result.returncode == 2 and "not a regular file" in result.stdout


def test_a_version_that_cannot_name_a_folder_is_a_usage_error(tmp_path):
    (tmp_path / "captures").mkdir()
    for version in ("../elsewhere", "with spaces", "a/b", ".hidden"):
        result = _etl("build", "--source", str(tmp_path / "captures"), "--output", str(tmp_path / "out"),
                      "--version", version)
        assert result.returncode == 2, version
        assert "cannot name a release" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".partial-*"))


def test_an_unreachable_dask_scheduler_is_a_usage_error_before_prefect_starts(tmp_path):
    (tmp_path / "captures").mkdir()
    result = _etl("build", "--source", str(tmp_path / "captures"), "--output", str(tmp_path / "out"),
                  "--task-runner", "dask", "--dask-address", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr and "Flow run" not in result.stderr


def test_next_version_is_dated_and_counts_up_within_a_day(tmp_path):
    day = dt.date(2026, 11, 22)
    assert next_version(tmp_path, day) == "2026.11.22"
    (tmp_path / "2026.11.22").mkdir()
    (tmp_path / "2026.11.22.1").mkdir()
    assert next_version(tmp_path, day) == "2026.11.22.2"


def test_data_dictionary_is_current_with_the_schemas():
    from etl.dictionary import DICTIONARY_PATH, render_dictionary

    assert DICTIONARY_PATH.read_text("utf-8") == render_dictionary(), "run `etl dictionary`"


def test_ci_runs_exactly_the_readme_commands():
    from etl.config import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text("utf-8")
    commands = [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert len(commands) == 2
    assert all(command in readme for command in commands)


SAMPLE_CONTRIBUTIONS = Path(__file__).resolve().parents[1] / "samples" / "contributions"


def test_validate_exits_0_for_a_valid_contribution_without_starting_prefect():
    code = ("import sys; from etl.cli import main; rc = main(['validate', sys.argv[1]]); "
            "assert 'prefect' not in sys.modules, 'prefect was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(SAMPLE_CONTRIBUTIONS / "scraper-export.csv")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("1 checked, 1 valid, 0 problems: valid")


def test_validate_exits_1_with_problems_and_prints_json_on_request():
    result = _etl("validate", str(SAMPLE_CONTRIBUTIONS / "scraper-export-with-problems.csv"), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["summary"]["problems"] >= 3


def test_validate_exits_2_for_unreadable_input_and_wrong_usage(tmp_path):
    missing = _etl("validate", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "does not exist" in missing.stdout
    wrong = _etl("validate", str(SAMPLE_CONTRIBUTIONS / "scraper-export.csv"), "--resource", "nothing")
    assert wrong.returncode == 2 and "--resource must be one of" in wrong.stderr
    not_release = _etl("validate", str(SAMPLE_CONTRIBUTIONS / "scraper-export.csv"), "--against", str(tmp_path))
    assert not_release.returncode == 2 and "not a release folder" in not_release.stderr
    too_big = _etl("validate", str(SAMPLE_CONTRIBUTIONS / "scraper-export.csv"), "--max-bytes", "100")
    assert too_big.returncode == 2 and "Traceback" not in too_big.stdout + too_big.stderr
    for result in (missing, wrong, not_release, too_big):
        assert "Traceback" not in result.stdout + result.stderr


def test_an_empty_inbox_is_answered_without_prefect(tmp_path):
    result = _etl("contributions", "--folder", str(tmp_path))
    assert result.returncode == 0 and "nothing to check" in result.stdout


def test_harvest_usage_errors_are_one_line_and_start_no_prefect(tmp_path):
    missing = _etl("harvest", "--from", str(tmp_path / "nope"), "--to", str(tmp_path / "raw"))
    assert missing.returncode == 2 and "neither an http(s) address nor an existing folder" in missing.stderr
    no_contact = _etl("harvest", "--from", "http://127.0.0.1:9/search", "--to", str(tmp_path / "raw"))
    assert no_contact.returncode == 2 and "contact" in no_contact.stderr
    unreachable = _etl("harvest", "--from", "http://127.0.0.1:9/search", "--to", str(tmp_path / "raw"),
                       "--contact", "mailto:data@example.org")
    assert unreachable.returncode == 1 and "cannot reach" in unreachable.stderr
    assert all("Traceback" not in r.stderr for r in (missing, no_contact, unreachable))


def test_a_bad_pyproject_setting_is_a_usage_error_not_a_traceback(monkeypatch, capsys):
    from etl import cli
    from etl.config import SettingsError

    def refused():
        raise SettingsError("[tool.etl] parquet-row-group-mb in pyproject.toml must be a number of megabytes "
                            "above 0, such as 64; it is 'big'")

    monkeypatch.setattr(cli, "settings", refused)
    assert cli.main(["build"]) == 2
    printed = capsys.readouterr().err
    assert printed.startswith("etl: [tool.etl] parquet-row-group-mb") and "Traceback" not in printed


def test_a_flow_failure_the_command_reports_is_logged_without_its_traceback(monkeypatch):
    import io
    import logging

    from etl import cli
    from etl.publish import ReleaseError

    monkeypatch.delenv("ETL_TRACEBACK", raising=False)
    logger = logging.getLogger("prefect.flow_runs")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    # Only this handler: Prefect's own would send the records to its API.
    monkeypatch.setattr(logger, "filters", [])
    monkeypatch.setattr(logger, "handlers", [handler])
    monkeypatch.setattr(logger, "propagate", False)
    cli._quiet_prefect(ReleaseError)
    for error in (ReleaseError("too many records rejected"), ValueError("a bug")):
        try:
            raise error
        except Exception as err:  # noqa: BLE001
            logger.exception("Encountered exception during execution: %r", err)
    reported, unexpected = stream.getvalue().split("Encountered exception during execution: ValueError")
    assert "too many records rejected" in reported and "Traceback" not in reported
    assert "Traceback" in unexpected
