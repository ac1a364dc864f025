"""The `etl` command. Cheap answers (help, usage errors, an existing release) never start Prefect."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from etl.config import settings


def _parser() -> argparse.ArgumentParser:
    s = settings()
    parser = argparse.ArgumentParser(prog="etl", description="Build the Digital Archive open data package.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build a release from a folder of captures")
    build.add_argument("--source", type=Path, default=s.default_source,
                       help="folder of captures, any depth (default: the bundled samples)")
    build.add_argument("--output", type=Path, default=s.default_output,
                       help="folder that holds the releases (default: output/)")
    build.add_argument("--version", help="release version (default: today's date, YYYY.MM.DD[.N])")
    build.add_argument("--batch-size", type=int, default=500, help="files per extraction task")
    commands.add_parser("dictionary", help="rewrite docs/data-dictionary.md from schemas/")
    return parser


def dated_version(package_dir: Path, today: dt.date) -> str:
    """Today's date as a version; '.1', '.2', ... when that version is already taken."""
    base = today.strftime("%Y.%m.%d")
    taken = {p.name for p in package_dir.iterdir()} if package_dir.is_dir() else set()
    n = 0
    version = base
    while version in taken:
        n += 1
        version = f"{base}.{n}"
    return version


def _summary_lines(counts: dict) -> list[str]:
    files = ", ".join(f"{k.removeprefix('files_')} {v}" for k, v in counts.items() if k.startswith("files_"))
    return [
        f"files: {counts['files']} ({files})",
        f"records: {counts['records_extracted']} extracted = {counts['records_published']} published"
        f" + {counts['records_quarantined']} quarantined",
        f"documents: {counts['documents']}, collections: {counts['collections']}, articles: {counts['articles']}",
        f"release: {counts['release']}",
    ]


def run_build(args: argparse.Namespace) -> int:
    from etl.publish import ReleaseError, release_dir

    if not args.source.is_dir():
        print(f"etl build: the source folder {args.source} does not exist or is not a folder", file=sys.stderr)
        return 2
    if args.batch_size < 1:
        print("etl build: --batch-size must be at least 1", file=sys.stderr)
        return 2
    package_dir = args.output / settings().package_name
    version = args.version or dated_version(package_dir, dt.date.today())
    if release_dir(args.output, version).exists():
        print(f"etl build: release {version} already exists in {package_dir}; releases are never rewritten",
              file=sys.stderr)
        return 1
    # A loaded 2-core machine can take longer than Prefect's default 20 s to start its server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # The build needs no network; Prefect's server would otherwise try to send telemetry.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.build import build_release

    try:
        counts = build_release(args.source.resolve(), args.output.resolve(), version, args.batch_size)
    except (ReleaseError, OSError) as err:
        print(f"etl build: no release written: {err}", file=sys.stderr)
        return 1
    print("\n".join(_summary_lines(counts)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        return run_build(args)
    if args.command == "dictionary":
        from etl.dictionary import DICTIONARY_PATH, write_dictionary

        write_dictionary()
        print(f"wrote {DICTIONARY_PATH}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
