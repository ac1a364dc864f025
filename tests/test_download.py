"""`etl download` against a real HTTP server on loopback serving a real output folder."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from etl import catalog, pipeline, publish
from etl.cli import main
from etl.download import DownloadError, SourceError, download_release, human_size, safe_path
from etl.progress import Progress
from etl.sources import list_source_files

PACKAGE = "wilson-digital-archive-korea"
OLDER, NEWER = "2026.11.22", "2026.11.23"
DOCUMENTS = f"/{PACKAGE}/{NEWER}/data/documents.parquet"


class RangeHandler(SimpleHTTPRequestHandler):
    """Serves the files of its folder, honouring `Range: bytes=N-`. The server records every
    request; it can cut one response after some bytes (an interrupted transfer) or ignore ranges."""

    def do_GET(self):
        self.server.requests.append((unquote(urlsplit(self.path).path), self.headers.get("Range")))
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        asked = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        start = int(asked[1]) if asked and not self.server.ignore_range else 0
        if start >= len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        cut = self.server.cut_after.pop(unquote(urlsplit(self.path).path), None)
        self.wfile.write(data[start:] if cut is None else data[start:start + cut])
        self.close_connection = True

    def log_message(self, *args):
        pass


@contextmanager
def serving(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(folder)))
    server.requests, server.cut_after, server.ignore_range = [], {}, False
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def output(tmp_path_factory, samples_dir) -> Path:
    """Two releases of the samples and their catalog."""
    out = tmp_path_factory.mktemp("output")
    paths = list_source_files(samples_dir)
    tables = pipeline.assemble_release(pipeline.combine_batches([pipeline.extract_batch(samples_dir, paths)])).tables
    publish.write_release(tables, out, OLDER)
    publish.write_release(tables, out, NEWER)
    catalog.write_catalog(out)
    return out


@pytest.fixture
def served(output, tmp_path):
    """A copy of the output folder (a test may break it), served on loopback."""
    folder = Path(shutil.copytree(output, tmp_path / "served"))
    with serving(folder) as server:
        server.folder = folder
        yield server


def _quiet() -> Progress:
    return Progress(io.StringIO(), human_size)


def _descriptor(release: Path) -> dict:
    return json.loads((release / "datapackage.json").read_text("utf-8"))


def _files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_full_download_from_the_served_catalog_verifies_every_file(served, tmp_path):
    progress = _quiet()
    done = download_release(served.url + "index.json", tmp_path / "dest", progress=progress)
    dest, files = done.dest, done.files
    assert (done.name, done.version) == (PACKAGE, NEWER)
    release = served.folder / PACKAGE / NEWER
    parquet = sorted(r["parquet"]["path"] for r in _descriptor(release)["resources"])
    assert _files_under(dest) == sorted(["datapackage.json", *parquet])
    for name in _files_under(dest):
        assert (dest / name).read_bytes() == (release / name).read_bytes()
    lines = progress.stream.getvalue().splitlines()
    assert len(lines) == len(files) == 9 and all(line.endswith("sha256 verified") for line in lines)


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".csv"), ("sqlite", ".sqlite")])
def test_each_format_downloads_its_own_files_and_the_descriptor(served, tmp_path, fmt, suffix):
    done = download_release(served.url, tmp_path / "dest", fmt=fmt, progress=_quiet())
    dest, files = done.dest, done.files
    names = _files_under(dest)
    assert "datapackage.json" in names
    assert [n for n in names if n != "datapackage.json"] == sorted(f.path for f in files)
    assert all(f.path.endswith(suffix) for f in files)
    assert len(files) == (1 if fmt == "sqlite" else 9)


def test_version_picks_an_older_release_from_the_catalog(served, tmp_path):
    dest = download_release(served.url + "index.json", tmp_path / "dest", version=OLDER, fmt="sqlite",
                            progress=_quiet()).dest
    assert _descriptor(dest)["version"] == OLDER
    assert (dest / f"{PACKAGE}-{OLDER}.sqlite").is_file()
    with pytest.raises(SourceError, match="no release 1999.01.01"):
        download_release(served.url + "index.json", tmp_path / "other", version="1999.01.01", progress=_quiet())


def test_a_corrupted_served_file_is_refused_and_nothing_half_written_is_left(served, tmp_path):
    served_file = served.folder / DOCUMENTS.lstrip("/")
    data = bytearray(served_file.read_bytes())
    expected = hashlib.sha256(data).hexdigest()
    data[len(data) // 2] ^= 0xFF
    served_file.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as refused:
        download_release(served.url + "index.json", dest, progress=_quiet())
    message = str(refused.value)
    assert refused.value.exit_code == 1
    assert "data/documents.parquet" in message
    assert hashlib.sha256(data).hexdigest() in message and expected in message
    assert _files_under(dest) == []     # documents is the first table: nothing else was fetched yet


def test_a_corrupted_served_descriptor_is_refused_against_the_catalog(served, tmp_path):
    descriptor = served.folder / PACKAGE / NEWER / "datapackage.json"
    descriptor.write_text(descriptor.read_text("utf-8").replace('"rowCount": 25', '"rowCount": 26'), "utf-8")
    with pytest.raises(DownloadError, match="datapackage.json: sha256 is .* but the catalog says"):
        download_release(served.url + "index.json", tmp_path / "dest", progress=_quiet())
    assert not (tmp_path / "dest").exists()


def test_a_cut_download_leaves_a_part_file_and_the_next_run_resumes_it(served, tmp_path):
    dest = tmp_path / "dest"
    served.cut_after[DOCUMENTS] = 5000
    with pytest.raises(DownloadError, match="stopped after 5,000 of .* bytes; run the command again"):
        download_release(served.url + "index.json", dest, progress=_quiet())
    part = dest / "data" / "documents.parquet.part"
    assert part.stat().st_size == 5000
    assert not (dest / "data" / "documents.parquet").exists() and not (dest / "datapackage.json").exists()
    progress = _quiet()
    download_release(served.url + "index.json", dest, progress=progress)
    assert (DOCUMENTS, "bytes=5000-") in served.requests
    assert (dest / "data" / "documents.parquet").read_bytes() == (served.folder / DOCUMENTS.lstrip("/")).read_bytes()
    assert not list(dest.rglob("*.part"))
    assert "data/documents.parquet: " in progress.stream.getvalue()
    assert "sha256 verified, resumed at 4.9 KiB" in progress.stream.getvalue()


def test_a_server_that_ignores_range_sends_the_whole_file_again(served, tmp_path):
    original = (served.folder / DOCUMENTS.lstrip("/")).read_bytes()
    part = tmp_path / "dest" / "data" / "documents.parquet.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(original[:5000])
    served.ignore_range = True
    download_release(served.url + "index.json", tmp_path / "dest", progress=_quiet())
    assert (DOCUMENTS, "bytes=5000-") in served.requests
    assert (tmp_path / "dest" / "data" / "documents.parquet").read_bytes() == original


def test_a_part_file_with_wrong_bytes_is_refused_then_the_next_run_starts_afresh(served, tmp_path):
    original = (served.folder / DOCUMENTS.lstrip("/")).read_bytes()
    part = tmp_path / "dest" / "data" / "documents.parquet.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\0" * 5000)
    with pytest.raises(DownloadError, match="sha256 is .* but datapackage.json says"):
        download_release(served.url + "index.json", tmp_path / "dest", progress=_quiet())
    assert not part.exists()
    download_release(served.url + "index.json", tmp_path / "dest", progress=_quiet())
    assert (tmp_path / "dest" / "data" / "documents.parquet").read_bytes() == original


@pytest.mark.parametrize("path", ["../outside.csv", "data/../../outside.csv", "/etc/passwd", "C:/x.csv",
                                  "data\\..\\x.csv", "https://example.org/x.csv", "", None])
def test_a_path_that_could_leave_the_destination_is_refused(path):
    with pytest.raises(DownloadError, match="refused"):
        safe_path(path)


def test_a_descriptor_naming_a_path_outside_is_refused_before_anything_is_written(output, tmp_path):
    release = Path(shutil.copytree(output / PACKAGE / NEWER, tmp_path / "release"))
    descriptor = _descriptor(release)
    descriptor["resources"][-1]["parquet"]["path"] = "../../escaped.parquet"
    (release / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with pytest.raises(DownloadError, match="escaped.parquet"):
        download_release(str(release), tmp_path / "dest", progress=_quiet())
    assert not (tmp_path / "dest").exists() and not list(tmp_path.rglob("escaped*"))


def test_a_datapackage_on_disk_downloads_without_a_server(output, tmp_path):
    release = output / PACKAGE / NEWER
    done = download_release(str(release / "datapackage.json"), tmp_path / "dest", fmt="csv", progress=_quiet())
    assert len(done.files) == 9
    assert all((done.dest / f.path).read_bytes() == (release / f.path).read_bytes() for f in done.files)
    with pytest.raises(SourceError, match=f"is release {NEWER}, not {OLDER}"):
        download_release(str(release), tmp_path / "other", version=OLDER, progress=_quiet())


def test_the_command_downloads_from_the_server_and_exits_0_without_starting_prefect(served, tmp_path):
    code = ("import sys; from etl.cli import main; rc = main(['download', *sys.argv[1:]]); "
            "assert 'prefect' not in sys.modules, 'prefect was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, served.url + "index.json", "--format", "csv",
                             "--dest", str(tmp_path / "dest")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"downloaded {PACKAGE} {NEWER}: datapackage.json and 9 csv files")
    assert result.stdout.rstrip().endswith("every size and sha256 verified")
    assert result.stderr.count("sha256 verified") == 9      # not a terminal: one quiet line per file


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_or_missing_source_exits_2(tmp_path, capsys):
    assert main(["download", f"http://127.0.0.1:{_closed_port()}/index.json", "--dest", str(tmp_path / "d")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["download", str(tmp_path / "missing.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_a_corrupted_file_makes_the_command_exit_1_naming_the_file(served, tmp_path, capsys):
    served_file = served.folder / f"{PACKAGE}/{NEWER}/{PACKAGE}-{NEWER}.sqlite"
    served_file.write_bytes(served_file.read_bytes()[:-1] + b"!")
    assert main(["download", served.url, "--format", "sqlite", "--dest", str(tmp_path / "dest")]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"etl download: {PACKAGE}-{NEWER}.sqlite: sha256 is ") and "refused" in error
    assert _files_under(tmp_path / "dest") == []
