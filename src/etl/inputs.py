"""What a build reads, identified by content: its input files, its code and its schemas.

Two builds with the same fingerprint publish the same bytes (releases are deterministic),
so a build whose fingerprint equals the latest release's has nothing to publish. The check
hashes every input file and no more: it runs before Prefect starts, so a run with nothing
to do stays cheap.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from etl.checksums import file_sha256
from etl.config import PROJECT_ROOT, SCHEMA_DIR
from etl.filehashes import file_hashes
from etl.sources import Source, list_source_files

INVENTORY_SCHEMA = {"path": pl.String, "sha256": pl.String, "bytes": pl.Int64}
_PACKAGE_DIR = Path(__file__).resolve().parent
# The code whose output the extraction cache holds, and what it imports (the dates the
# extractors recognise): a change here invalidates it. etl.config gives them paths only.
_EXTRACTION_CODE = ("extract", "sources.py", "pipeline.py", "dates.py")
_EXTRACTION_SCHEMAS = ("records", "sources", "quarantine", "articles")


def inventory(root: Source, paths: list[str] | None = None, memo_dir: Path | None = None) -> pl.DataFrame:
    """path, sha256, bytes of every file below `root` (or of `paths` in it), sorted by path;
    hashes of local files unchanged since an earlier build come from the memo in `memo_dir`."""
    paths = list_source_files(root) if paths is None else paths
    return file_hashes(root, paths, memo_dir).sort("path")


def _tree_sha256(paths: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _python_files(*names: str) -> list[Path]:
    found = []
    for name in names:
        target = _PACKAGE_DIR / name
        found += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return found


@cache
def extraction_code_version() -> str:
    """sha256 of the extraction code and of the schemas its tables take: the cache's key."""
    files = _python_files(*_EXTRACTION_CODE) + [SCHEMA_DIR / f"{name}.json" for name in _EXTRACTION_SCHEMAS]
    return _tree_sha256(files, PROJECT_ROOT)


@cache
def code_versions() -> dict[str, str | dict[str, str]]:
    """The versions a run manifest records: package, git commit (when built from a checkout),
    sha256 of all the code, of the extraction code, of each schema, and of the mappings."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("wilson-archive-etl")
    except PackageNotFoundError:
        package = "not installed"
    code = _python_files(".") + sorted((PROJECT_ROOT / "flows").glob("*.py")) + [PROJECT_ROOT / "pyproject.toml"]
    return {
        "package": package,
        "git_commit": _git_commit(),
        "code_sha256": _tree_sha256(code, PROJECT_ROOT),
        "extraction_sha256": extraction_code_version(),
        "mappings_sha256": _tree_sha256(sorted((PROJECT_ROOT / "mappings").glob("*.json")), PROJECT_ROOT),
        "schemas": {p.stem: file_sha256(p) for p in sorted(SCHEMA_DIR.glob("*.json"))},
    }


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def output_code_version() -> str:
    """sha256 of every version of code, schema and mapping that shapes the output (not the
    git commit, which changes with the docs, nor the package version)."""
    versions = {k: v for k, v in code_versions().items() if k not in ("git_commit", "package")}
    return hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()


def fingerprint(sources: pl.DataFrame, contributions: pl.DataFrame) -> str:
    """One sha256 for a build's inputs: every file's path and hash, and every version of code
    and schema that shapes the output (not the git commit, which changes with the docs)."""
    digest = hashlib.sha256(output_code_version().encode())
    for label, table in (("sources", sources), ("contributions", contributions)):
        digest.update(label.encode() + b"\0")
        for path, sha in table.select("path", "sha256").iter_rows():
            digest.update(f"{path}\t{sha}\n".encode())
    return digest.hexdigest()


@dataclass
class Inputs:
    """A build's input files (path, sha256, bytes) and their fingerprint with code and schemas."""

    sources: pl.DataFrame
    contributions: pl.DataFrame
    fingerprint: str
    seconds: float = 0.0  # how long taking it took


def read_inputs(source: Source, contributions: Path | None, memo_dir: Path | None = None) -> Inputs:
    """Hash every capture under `source` and every file under `contributions` (if it exists),
    reusing the hashes remembered in `memo_dir` (etl.filehashes) for files that did not change."""
    started = time.perf_counter()
    sources = inventory(source, memo_dir=memo_dir)
    given = inventory(contributions, memo_dir=memo_dir) if contributions is not None and contributions.is_dir() \
        else pl.DataFrame(schema=INVENTORY_SCHEMA)
    return Inputs(sources, given, fingerprint(sources, given), time.perf_counter() - started)
