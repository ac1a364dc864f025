"""A Prefect server on loopback for `etl serve`, when no server is configured.

Scheduling needs a real Prefect server: the ephemeral one that `etl build` starts runs no
scheduler. When PREFECT_API_URL is unset, `etl serve` starts `prefect server start` on a
free local port for as long as it serves, and stops it after.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from typing import Iterator

STARTUP_SECONDS = 180
_PR_SET_PDEATHSIG = 1


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


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@contextmanager
def local_server() -> Iterator[str]:
    """Run a Prefect server on 127.0.0.1 while the block runs; yield its API URL."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                              preexec_fn=_stop_with_parent)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(api_url):
            if server.poll() is not None:
                raise ServerError(f"the Prefect server stopped at start: {server.stderr.read().decode()[-500:]}")
            if time.monotonic() > deadline:
                raise ServerError(f"the Prefect server did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.5)
        yield api_url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
