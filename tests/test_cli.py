"""The `etl` command's cheap answers: they must not start Prefect (tests run in seconds)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from etl.cli import dated_version


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
    result = _etl("build", "--source", str(tmp_path), "--output", str(tmp_path / "out"), "--version", "7")
    assert result.returncode == 1
    assert "already exists" in result.stderr and "Traceback" not in result.stderr


def test_dated_version_counts_up_within_a_day(tmp_path):
    day = dt.date(2026, 11, 22)
    assert dated_version(tmp_path, day) == "2026.11.22"
    (tmp_path / "2026.11.22").mkdir()
    (tmp_path / "2026.11.22.1").mkdir()
    assert dated_version(tmp_path, day) == "2026.11.22.2"


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
