"""Crash safety, tested: `etl build` killed with SIGKILL at random moments, many times.

Each build is `etl.cli.main` in a process forked from a warm one (tests/build_launcher.py)
and runs against the session's Prefect server (PREFECT_API_URL), so it pays neither imports
nor a server start; it and every process it started (the parsing pool) are killed as a
group, as a power cut would. After every kill: the release published before is intact,
`latest` names a complete release, no partial release is visible, and the catalog parses.
At the end a normal build completes and publishes the same bytes as the first (the cache
survived the kills).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.checksums import file_sha256
from etl.config import settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate_corpus  # noqa: E402

PACKAGE = settings().package_name
KILLS_ANYWHERE = 3  # at a random moment of a build
KILLS_WHILE_PARSING = 3  # while captures are parsed and cached
KILLS_WHILE_WRITING = 4  # while the release is written, up to and past the move into place
HIDDEN_ALLOWED = {".lock"}


class Launcher:
    """tests/build_launcher.py in a child process: `etl build` forked from warm imports."""

    def __init__(self, prefect_url: str, logs: Path):
        env = {**os.environ, "PREFECT_API_URL": prefect_url}
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("build_launcher.py"))],
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.logs = logs
        self.pid: int | None = None

    def start(self, captures: Path, output: Path, cache: Path, version: str) -> None:
        argv = ["build", "--source", str(captures), "--output", str(output), "--cache", str(cache),
                "--contributions", str(output / "none"), "--version", version, "--force", "--batch-size", "100"]
        self.log = self.logs / f"{version}.log"
        self.process.stdin.write(json.dumps({"argv": argv, "log": str(self.log)}) + "\n")
        self.process.stdin.flush()
        self.pid = int(self.process.stdout.readline())

    def running(self) -> bool:
        status = Path(f"/proc/{self.pid}/status")
        try:
            return "State:\tZ" not in status.read_text()
        except OSError:
            return False

    def kill(self) -> tuple[int, str]:
        """SIGKILL the build and its process group; (exit code, what it printed)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.wait()

    def wait(self) -> tuple[int, str]:
        code = int(self.process.stdout.readline())
        return code, self.log.read_text("utf-8", "replace")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _verified(release: Path) -> bool:
    """Every file SHA256SUMS names has that hash, and no other file is there."""
    sums = release / "SHA256SUMS"
    if not sums.is_file():
        return False
    listed = dict(reversed(line.split("  ", 1)) for line in sums.read_text("utf-8").splitlines())
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    return present == set(listed) and all(file_sha256(release / name) == sha for name, sha in listed.items())


def _assert_intact(package: Path, first: Path, first_sums: str) -> None:
    assert (first / "SHA256SUMS").read_text("utf-8") == first_sums and _verified(first)
    latest = package / (package / "latest").read_text("utf-8").strip()
    assert _verified(latest), f"latest names {latest.name}, which is not complete"
    for entry in package.iterdir():
        if entry.name.startswith("."):
            assert entry.name in HIDDEN_ALLOWED or entry.name.startswith(".partial-"), entry.name
        elif entry.is_dir() and entry.name != "runs":
            assert _verified(entry), f"{entry.name} is visible but not a complete release"
    index = package.parent / "index.json"
    if index.exists():
        json.loads(index.read_text("utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    captures = tmp_path_factory.mktemp("crash") / "captures"
    generate_corpus(captures, 600, 7, key_path=captures.parent / "answer_key.json")
    return captures


def _wait_for(condition, launcher: Launcher, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and launcher.running() and time.monotonic() < deadline:
        time.sleep(0.002)


def test_builds_killed_at_random_moments_never_damage_what_was_published(prefect_server, corpus, tmp_path):
    output, cache = tmp_path / "out", tmp_path / "cache"
    package = output / PACKAGE
    launcher = Launcher(prefect_server, tmp_path)
    started = time.perf_counter()
    launcher.start(corpus, output, cache, "v0")
    code, printed = launcher.wait()
    assert code == 0, printed
    full_seconds = time.perf_counter() - started
    first = package / "v0"
    first_sums = (first / "SHA256SUMS").read_text("utf-8")

    rng = random.Random(20261123)
    kinds = ["anywhere"] * KILLS_ANYWHERE + ["parsing"] * KILLS_WHILE_PARSING + ["writing"] * KILLS_WHILE_WRITING
    phases = {"parsing": 0, "writing": 0}
    for n, kind in enumerate(kinds, 1):
        if kind == "parsing" or n % 2:
            # parse again, so that kills land in parsing and in cache writes; other runs start
            # from whatever cache the killed one before them left
            shutil.rmtree(cache, ignore_errors=True)
        launcher.start(corpus, output, cache, f"v{n}")
        if kind == "anywhere":
            time.sleep(rng.uniform(0, full_seconds))
        elif kind == "parsing":  # once the first batch is parsed and being cached
            _wait_for(lambda: any(cache.glob("*/*")), launcher)
            time.sleep(rng.uniform(0, 0.3))
        else:  # once the release is being staged: within the writing and the move into place
            _wait_for(lambda: any(package.glob(".partial-*")), launcher)
            time.sleep(rng.uniform(0, 0.25))  # writing a small release takes well under a second
        staged = any(package.glob(".partial-*"))
        parsing = any(p.name.startswith(".") for p in cache.glob("*/*") if p.name != ".lock") or (
            any(cache.glob("*/*")) and not any(package.glob(".partial-*")) and not (package / f"v{n}").exists())
        code, printed = launcher.kill()
        phases["writing"] += staged
        phases["parsing"] += parsing and code < 0
        _assert_intact(package, first, first_sums)
    print(f"kills: {phases} in {len(kinds)} builds; an uninterrupted build took {full_seconds:.1f} s")
    assert phases["writing"] >= 2 and phases["parsing"] >= 2, phases

    launcher.start(corpus, output, cache, "final")
    code, printed = launcher.wait()
    launcher.close()
    assert code == 0, printed
    _assert_intact(package, first, first_sums)
    assert (package / "latest").read_text("utf-8").strip() == "final"
    assert not any(package.glob(".partial-*")), "the next build clears what killed builds left"
    assert {p.name: p.read_bytes() for p in (package / "final" / "data").iterdir()} == \
        {p.name: p.read_bytes() for p in (first / "data").iterdir()}
    assert not [p for p in cache.rglob(".*") if p.name != ".lock"]
