"""A warm process that forks one `etl build` per request, so that the crash tests kill
builds at work rather than while Python imports Prefect.

Reads one JSON object per line on stdin: {"argv": [...], "log": path}. For each, forks a
child in a new session (its own process group, so a test can kill it and everything it
starts), which runs `etl.cli.main(argv)` with its output in `log`. Prints the child's pid,
then, when the child has ended, its exit code (negative: the signal that killed it).
"""

from __future__ import annotations

import json
import os
import sys

import flows.build  # noqa: F401 - imported here once, not in every child
from etl.cli import main


def _child(argv: list[str], log: str) -> None:
    os.setsid()
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    code = 1
    try:
        code = main(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        _child(request["argv"], request["log"])
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
