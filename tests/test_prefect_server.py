"""The temporary Prefect server `etl build` starts early: flows run against it, and it never
outlives the process that started it."""

import os
import signal
import subprocess
import sys
import time

import pytest

from etl.prefect_server import api_answers

# A child that starts the server, runs a small flow against it, prints the API URL and the
# flow's answer, then waits to be told to exit (or killed).
CHILD = """
import os, sys
from etl.prefect_server import start_temporary_server
start_temporary_server()()
from prefect import flow

@flow
def double(x: int) -> int:
    return 2 * x

print(os.environ["PREFECT_API_URL"], double(21), flush=True)
sys.stdin.readline()
"""


def _gone_within(api_url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not api_answers(api_url):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def child():
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_UI_URL")}
    process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    api_url, answer = process.stdout.readline().split()
    yield process, api_url, answer
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_a_flow_runs_against_the_early_server_and_it_stops_when_its_process_exits(child):
    process, api_url, answer = child
    assert answer == "42"
    assert api_url.startswith("http://127.0.0.1:") and api_answers(api_url)
    process.communicate("\n", timeout=60)
    assert process.returncode == 0
    assert _gone_within(api_url, 10)


def test_the_early_server_stops_when_its_process_is_killed(child):
    process, api_url, _ = child
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _gone_within(api_url, 15)


def test_a_configured_server_is_used_and_none_is_started():
    code = ("import os; from etl.prefect_server import start_temporary_server; start_temporary_server()(); "
            "pid = os.getpid(); print(os.environ['PREFECT_API_URL'], "
            "repr(open(f'/proc/{pid}/task/{pid}/children').read()))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert done.stdout.split() == ["http://127.0.0.1:9/api", "''"], done.stderr


# A child that runs a flow on the server it starts (or on the configured one), and prints
# whether the flow run had a heartbeat thread.
HEARTBEAT_CHILD = """
import threading
from etl.prefect_server import start_temporary_server, temporary_server_settings
start_temporary_server()()
from prefect import flow

@flow
def beating() -> bool:
    # Prefect runs its heartbeat loop in a thread of its own (target: the loop, in a context).
    return any(getattr(arg, "__name__", "") == "heartbeat_loop"
               for t in threading.enumerate() for arg in getattr(t, "_args", ()))

with temporary_server_settings():
    print(beating(), flush=True)
"""


def _heartbeats(env: dict) -> str:
    done = subprocess.run([sys.executable, "-c", HEARTBEAT_CHILD], capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


def test_flow_runs_on_the_temporary_server_send_no_heartbeats(prefect_server):
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_UI_URL")}
    assert _heartbeats(env) == "False"
    # On a server that outlives the run, heartbeats tell it when a run's process died.
    assert _heartbeats({**os.environ, "PREFECT_API_URL": prefect_server}) == "True"
