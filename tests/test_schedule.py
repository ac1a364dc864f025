"""The scheduled pipeline: `etl serve` serves the deployment, and its runs publish.

`etl serve` is started as a user would, without PREFECT_API_URL, so it starts its own Prefect
server (in a fresh PREFECT_HOME); the server's scheduler is told to look every second.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import yaml

from etl.config import PROJECT_ROOT, settings

PACKAGE = settings().package_name


def _wait_for(condition, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def test_a_served_deployment_publishes_a_release_then_says_no_changes(samples_dir, tmp_path):
    output, runs = tmp_path / "out", tmp_path / "out" / PACKAGE / "runs"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    command = [sys.executable, "-m", "etl", "serve", "--interval", "5", "--source", str(samples_dir),
               "--output", str(output), "--cache", str(tmp_path / "cache"),
               "--contributions", str(tmp_path / "none")]
    log = (tmp_path / "serve.log").open("w")
    # Ctrl-C as a terminal sends it, to a process that may handle it (a shell running the
    # tests in the background would pass SIGINT on as ignored).
    serving = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    stopped = None
    try:
        published = _wait_for(lambda: (output / PACKAGE / "latest").is_file(), serving, 240)
        quiet = _wait_for(lambda: any(runs.glob("*-no-changes.json")), serving, 90)
        os.killpg(serving.pid, signal.SIGINT)
        stopped = serving.wait(timeout=60)
    finally:
        if serving.poll() is None:  # it did not stop: the test fails, and leaves nothing behind
            os.killpg(serving.pid, signal.SIGKILL)
            serving.wait(timeout=30)
        log.close()
    printed = (tmp_path / "serve.log").read_text("utf-8", "replace")
    assert published and quiet, printed[-3000:]
    assert stopped == 0 and "Traceback" not in printed, printed[-3000:]
    version = (output / PACKAGE / "latest").read_text("utf-8").strip()
    manifest = json.loads((runs / f"{version}.json").read_text("utf-8"))
    assert manifest["outcome"] == "published" and manifest["inputs"]["files"] > 0
    assert (output / PACKAGE / version / "SHA256SUMS").is_file()
    assert "serving the nightly pipeline" in printed


def test_the_deployment_file_runs_the_flow_on_the_project_schedule():
    declared = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text("utf-8"))
    nightly = next(d for d in declared["deployments"] if d["name"] == "nightly")
    module, name = nightly["entrypoint"].split(":")
    assert (PROJECT_ROOT / module).is_file() and f"def {name}(" in (PROJECT_ROOT / module).read_text("utf-8")
    assert [s["cron"] for s in nightly["schedules"]] == [settings().schedule]
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["dependencies"][0].startswith("prefect")
