"""The hash memo: unchanged files are not read again, changed ones always are."""

import hashlib
import os
import subprocess
import sys
import time

import polars as pl
import pytest

from etl import filehashes
from etl.filehashes import MEMO_FILE, file_hashes

HOUR_AGO = time.time() - 3600


def _write(path, data: bytes, when: float = HOUR_AGO) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when, when))


@pytest.fixture
def captures(tmp_path):
    root = tmp_path / "captures"
    for name, data in {"a.txt": b"first page\n", "sub/b.html": b"<html>second</html>", "c.txt": b"third\n"}.items():
        _write(root / name, data)
    return root


@pytest.fixture
def reads(monkeypatch):
    """The files actually read for hashing, in order."""
    seen = []
    real = filehashes.read_source_file

    def counting(root, path):
        seen.append(path.rsplit("/", 1)[-1])
        return real(root, path)

    monkeypatch.setattr(filehashes, "read_source_file", counting)
    return seen


def _expected(root, paths):
    return [hashlib.sha256((root / p).read_bytes()).hexdigest() for p in paths]


def test_hashes_and_sizes_in_the_order_given(captures, tmp_path, reads):
    paths = ["sub/b.html", "a.txt", "c.txt"]
    table = file_hashes(captures, paths, tmp_path / "memo")
    assert table.get_column("path").to_list() == paths
    assert table.get_column("sha256").to_list() == _expected(captures, paths)
    assert table.get_column("bytes").to_list() == [(captures / p).stat().st_size for p in paths]
    assert sorted(reads) == ["a.txt", "b.html", "c.txt"]


def test_an_unchanged_file_is_not_read_again(captures, tmp_path, reads):
    paths = ["a.txt", "c.txt", "sub/b.html"]
    first = file_hashes(captures, paths, tmp_path / "memo")
    reads.clear()
    again = file_hashes(captures, paths, tmp_path / "memo")
    assert reads == []
    assert again.equals(first)


def test_a_changed_file_is_read_again_even_with_the_same_size_and_time(captures, tmp_path, reads):
    paths = ["a.txt", "c.txt", "sub/b.html"]
    file_hashes(captures, paths, tmp_path / "memo")
    reads.clear()
    # Same length, same modification time: the change time and inode still differ.
    target = captures / "c.txt"
    replacement = captures / "c.new"
    _write(replacement, b"THIRD\n")
    os.replace(replacement, target)
    os.utime(target, (HOUR_AGO, HOUR_AGO))
    table = file_hashes(captures, paths, tmp_path / "memo")
    assert reads == ["c.txt"]
    assert table.get_column("sha256").to_list() == _expected(captures, paths)


def test_a_file_written_just_before_hashing_is_hashed_every_time(captures, tmp_path, reads):
    _write(captures / "fresh.txt", b"just saved\n", when=time.time())
    file_hashes(captures, ["a.txt", "fresh.txt"], tmp_path / "memo")
    reads.clear()
    file_hashes(captures, ["a.txt", "fresh.txt"], tmp_path / "memo")
    assert reads == ["fresh.txt"]


def test_without_a_memo_every_file_is_read(captures, tmp_path, reads):
    file_hashes(captures, ["a.txt"], None)
    file_hashes(captures, ["a.txt"], None)
    assert reads == ["a.txt", "a.txt"]
    assert not (tmp_path / "memo").exists()


def test_a_damaged_memo_is_replaced_not_trusted(captures, tmp_path, reads):
    memo = tmp_path / "memo"
    memo.mkdir()
    (memo / MEMO_FILE).write_bytes(b"not an arrow file")
    table = file_hashes(captures, ["a.txt"], memo)
    assert table.get_column("sha256").to_list() == _expected(captures, ["a.txt"])
    assert pl.read_ipc(memo / MEMO_FILE).height == 1


def test_a_vanished_file_has_no_size_and_is_not_remembered(captures, tmp_path):
    table = file_hashes(captures, ["a.txt", "gone.txt"], tmp_path / "memo")
    assert table.row(1, named=True) == {"path": "gone.txt", "sha256": hashlib.sha256(b"").hexdigest(), "bytes": -1}
    remembered = pl.read_ipc(tmp_path / "memo" / MEMO_FILE).get_column("file").to_list()
    assert remembered == [str(captures / "a.txt")]


def test_two_folders_share_one_memo(captures, tmp_path, reads):
    other = tmp_path / "other"
    _write(other / "x.txt", b"elsewhere\n")
    memo = tmp_path / "memo"
    file_hashes(captures, ["a.txt"], memo)
    file_hashes(other, ["x.txt"], memo)
    reads.clear()
    file_hashes(captures, ["a.txt"], memo)
    file_hashes(other, ["x.txt"], memo)
    assert reads == []


def test_a_staging_copy_left_by_a_killed_build_is_removed(captures, tmp_path):
    memo = tmp_path / "memo"
    memo.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = memo / f".{MEMO_FILE}-{dead.pid}"
    abandoned.write_bytes(b"half written")
    in_use = memo / f".{MEMO_FILE}-1"  # process 1 is alive: its copy may be being written
    in_use.write_bytes(b"being written")
    file_hashes(captures, ["a.txt"], memo)
    assert sorted(p.name for p in memo.iterdir()) == sorted([MEMO_FILE, in_use.name])
