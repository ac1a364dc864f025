"""A Prefect server on loopback, when no server is configured: for `etl serve`, and started
early for `etl build`.

Scheduling needs a real Prefect server: the ephemeral one that `etl build` starts runs no
scheduler. When PREFECT_API_URL is unset, `etl serve` starts `prefect server start` on a
free local port for as long as it serves, and stops it after.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from typing import Callable, Iterator

STARTUP_SECONDS = 180
_PR_SET_PDEATHSIG = 1
# The API URL of the temporary server this process started, if it started one.
_temporary_api_url: str | None = None


class ServerError(Exception):
    """The local Prefect server did not start; the message says why."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop_with_parent() -> None:
    """In the server's process, before it starts: Linux sends it SIGTERM when `etl serve` dies,
    however it dies, so no server outlives its command."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the `finally` below still stops the server on a normal exit


def api_answers(api_url: str) -> bool:
    """True when the Prefect API at `api_url` says it is healthy."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _spawn(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    # Errors go to a file, not a pipe: a pipe nobody reads would stall a server that logs.
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=tempfile.TemporaryFile(),
                            start_new_session=True, preexec_fn=_stop_with_parent, env={**os.environ, **(env or {})})


def _wait_until_healthy(server: subprocess.Popen, api_url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not api_answers(api_url):
        if server.poll() is not None:
            server.stderr.seek(0)
            said = server.stderr.read().decode(errors="replace")[-500:]
            raise ServerError(f"the Prefect server stopped at start: {said}")
        if time.monotonic() > deadline:
            raise ServerError(f"the Prefect server did not answer within {STARTUP_SECONDS} s")
        time.sleep(0.1)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@contextmanager
def local_server() -> Iterator[str]:
    """Run a Prefect server on 127.0.0.1 while the block runs; yield its API URL."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    server = _spawn([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)])
    try:
        _wait_until_healthy(server, api_url)
        yield api_url
    finally:
        _stop(server)


def start_temporary_server() -> Callable[[], None]:
    """When no Prefect API is configured, start the temporary server that a flow run would
    start, now, and point this process's Prefect at it; return a function that waits until
    it answers (and raises ServerError if it does not).

    Prefect starts its temporary server only when the first flow run begins, then waits
    for it: seconds of imports in the server's process, during which the build does
    nothing. Started here, before this process imports Prefect, the server's start overlaps
    the build's own imports and preparation. It is the server Prefect would run (the same
    application in ephemeral mode, without the UI), on a free loopback port, and it stops
    when this process ends, however it ends. Call it before Prefect is imported: Prefect
    reads PREFECT_API_URL when it is imported. Does nothing when PREFECT_API_URL is set.
    """
    global _temporary_api_url
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return lambda: None
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    server = _spawn([sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
                    {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"})
    atexit.register(_stop, server)
    os.environ["PREFECT_API_URL"] = _temporary_api_url = api_url
    os.environ.setdefault("PREFECT_UI_URL", "")  # this server has no UI: no "View at" links to it
    return lambda: _wait_until_healthy(server, api_url)


@contextmanager
def temporary_server_settings() -> Iterator[None]:
    """Prefect's settings for flow runs on the temporary server this process started (none
    changed on any other server): no flow-run heartbeats.

    Heartbeats let a server mark a run whose process died as crashed; a temporary server dies
    with that process, so nobody would read them, and the thread that sends them keeps the
    end of every run waiting for its next one-second tick (half a second on average).
    """
    if _temporary_api_url is None or os.environ.get("PREFECT_API_URL") != _temporary_api_url:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
