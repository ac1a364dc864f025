"""The `etl` command. Cheap answers (help, usage errors, an existing release, no changes) never
start Prefect, and a small update of a release is built without it (etl.build)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Callable

from etl.config import DEFAULT_BATCH_SIZE, SettingsError, settings
from etl.sources import contain_one_another, source_location, source_problem


def _parser() -> argparse.ArgumentParser:
    s = settings()
    parser = argparse.ArgumentParser(prog="etl", description="Build the Digital Archive open data package.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build a release from a folder of captures")
    build.add_argument("--source", default=s.default_source,
                       help="folder of captures, any depth, or its fsspec URL (s3://…, file://…, "
                            "zip://::captures.zip) (default: the bundled samples)")
    build.add_argument("--output", type=Path, default=s.default_output,
                       help="folder that holds the releases (default: output/)")
    build.add_argument("--version", help="release version (default: today's date, YYYY.MM.DD[.N])")
    build.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                       help=f"files per extraction task at most (default {DEFAULT_BATCH_SIZE}): what bounds a "
                            "worker's memory; smaller batches are made when that keeps every worker busy")
    build.add_argument("--contributions", type=Path, default=s.contributions / "accepted",
                       help="accepted contributions to include (default: contributions/accepted; "
                            "a missing folder means none)")
    build.add_argument("--cache", type=Path, default=s.cache,
                       help="extraction cache folder (default: .etl-cache); captures seen before are not parsed again")
    build.add_argument("--no-cache", action="store_true", help="parse every capture; neither read nor fill the cache")
    build.add_argument("--task-runner", choices=("processes", "dask"), default="processes",
                       help="where captures are parsed: this machine's process pool (default) or a Dask cluster")
    build.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                       help="the Dask scheduler to use (default: start a LocalCluster for the run)")
    build.add_argument("--dask-workers", type=int, default=2, help="worker processes of a LocalCluster (default 2)")
    build.add_argument("--orchestrator", choices=("auto", "prefect", "none"), default="auto",
                       help="prefect: run the build as a Prefect flow; none: the same stages in this process, "
                            "without Prefect; auto (default): none for a small update of a release (the "
                            "extraction cache holds all but one batch of captures), prefect otherwise")
    build.add_argument("--force", action="store_true",
                       help="publish a release even when nothing changed since the latest one")
    build.add_argument("--max-rejected-share", type=float, default=s.max_rejected_share, metavar="SHARE",
                       help="fail the run when one rule rejects more than this share of a layout's records "
                            f"(default: {s.max_rejected_share})")
    harvest = commands.add_parser(
        "harvest", help="gather captures from the archive's web site or a folder into a raw store",
        description="Fetch listing or search pages, their pagination and the document pages they link to "
                    "(or copy new and changed files from a folder) into a content-addressed raw store; "
                    "`etl build --source RAW_DIR/current` then builds from it. Exit 0: done (pages that "
                    "failed are recorded and tried again next run); 1: the harvest failed; 2: wrong usage.")
    harvest.add_argument("--from", dest="sources", action="append", required=True, metavar="URL_OR_DIR",
                         help="a start URL (listing or search page; repeatable, one host) or a folder")
    harvest.add_argument("--to", type=Path, default=s.raw, metavar="RAW_DIR",
                         help="the raw store (default: raw/)")
    harvest.add_argument("--contact", help="a URL or mailto: for the site's operators, sent in the "
                                           "User-Agent (needed for a web site)")
    harvest.add_argument("--rate", type=float, default=1.0, help="requests per second (default 1)")
    harvest.add_argument("--max-pages", type=int, default=2000, help="requests per run at most (default 2000)")
    harvest.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a page (default 30)")
    harvest.add_argument("--retries", type=int, default=3, help="retries after a timeout or 5xx (default 3)")
    harvest.add_argument("--retry-delay", type=float, default=2.0,
                         help="seconds before the first retry, doubled each time (default 2)")
    harvest.add_argument("--batches", type=int, default=4, help="batches fetched at the same time (default 4)")
    harvest.add_argument("--follow", help="regex on URL paths of document pages to follow from listings")
    validate = commands.add_parser(
        "validate", help="check contributed tables, data packages or captures; publish nothing",
        description="Check files from outside against the published schemas. Exit 0: valid; "
                    "1: problems found; 2: unreadable input or wrong usage.")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                          help="a table (CSV, TSV, JSON, JSON Lines, Parquet), a datapackage.json or "
                               "its folder, or captures (a file or a folder)")
    validate.add_argument("--resource", help="the resource or mapping a table holds (default: from its header)")
    validate.add_argument("--against", type=Path, metavar="RELEASE_DIR",
                          help="a published release: keys may point into it, and documents are "
                               "compared with it (added, changed, duplicate)")
    validate.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    validate.add_argument("--show", type=int, default=10, metavar="N", help="problems shown per rule (text)")
    validate.add_argument("--max-bytes", type=int, help="refuse larger files (default: pyproject's limit)")
    contribute = commands.add_parser(
        "contributions", help="validate every file in the contributions inbox and sort it into "
                              "accepted/ or rejected/ with its report (the validate_contribution flow)")
    contribute.add_argument("--folder", type=Path, default=s.contributions,
                            help="folder holding inbox/, accepted/ and rejected/ (default: contributions/)")
    contribute.add_argument("--against", type=Path, metavar="RELEASE_DIR", help="as for validate")
    diff = commands.add_parser(
        "diff", help="what changed between two releases: documents added, removed and changed, and row counts",
        description="Compare two releases of the package, as each release's CHANGELOG.md and changes.json do "
                    "against the release before it. Exit 0; 2 when a release cannot be found.")
    diff.add_argument("older", metavar="V1", help="the older release's version")
    diff.add_argument("newer", metavar="V2", help="the newer release's version")
    diff.add_argument("--output", type=Path, default=s.default_output,
                      help="folder that holds the releases (default: output/)")
    diff.add_argument("--format", choices=("text", "json"), default="text",
                      help="text: as CHANGELOG.md; json: as changes.json")
    replay = commands.add_parser(
        "replay", help="run the latest release's quarantined records through the current code and schemas",
        description="Build the latest release's inputs again, publishing nothing, and report how many of "
                    "the records it quarantined now pass. The next `etl build` publishes them. "
                    "Exit 0; 2 when there is no release or its inputs cannot be found.")
    replay.add_argument("--output", type=Path, default=s.default_output,
                        help="folder that holds the releases (default: output/)")
    replay.add_argument("--source",
                        help="folder of captures (default: the one the latest release was built from)")
    replay.add_argument("--cache", type=Path, default=s.cache, help="extraction cache folder (default: .etl-cache)")
    replay.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    serve = commands.add_parser(
        "serve", help="serve the scheduled pipeline (harvest, then build) with Prefect until interrupted",
        description="Serve the flow `nightly` as a deployment on a schedule (default: [tool.etl] schedule in "
                    "pyproject.toml). Uses the Prefect server at PREFECT_API_URL, or starts one on loopback "
                    "for as long as it serves. Ctrl-C stops it.")
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--cron", help=f"cron schedule, UTC (default: {s.schedule})")
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS instead")
    serve.add_argument("--from", dest="harvest_from", action="append", metavar="URL_OR_DIR",
                       help="harvest these start URLs or this folder first (repeatable); otherwise build --source")
    serve.add_argument("--contact", help="contact for the harvest's User-Agent (needed for a web site)")
    serve.add_argument("--raw", type=Path, default=s.raw, help="the raw store harvests fill (default: raw/)")
    serve.add_argument("--source", default=s.default_source,
                       help="captures to build when nothing is harvested (default: the bundled samples)")
    serve.add_argument("--output", type=Path, default=s.default_output, help="releases folder (default: output/)")
    serve.add_argument("--cache", type=Path, default=s.cache, help="extraction cache (default: .etl-cache)")
    serve.add_argument("--contributions", type=Path, default=s.contributions / "accepted",
                       help="accepted contributions (default: contributions/accepted)")
    commands.add_parser("dictionary", help="rewrite docs/data-dictionary.md from schemas/")
    catalog = commands.add_parser(
        "catalog", help="rewrite the catalog (index.json, index.html, releases.atom, charts) from the releases")
    catalog.add_argument("--output", type=Path, default=s.default_output,
                         help="folder that holds the releases (default: output/)")
    download = commands.add_parser(
        "download", help="download a release from a catalog or a datapackage.json, verified and resumable",
        description="Download a release's files and check each size and sha256 against datapackage.json; "
                    "an interrupted download resumes. Exit 0: every file verified; 1: a file was refused "
                    "or cut off (run again to resume); 2: wrong usage, or the source cannot be read.")
    download.add_argument("source", metavar="URL_OR_PATH",
                          help="a catalog (index.json) or a datapackage.json: http(s) URL, path or folder")
    download.add_argument("--version", help="release to download from a catalog (default: the latest)")
    download.add_argument("--format", choices=("parquet", "csv", "sqlite"), default="parquet",
                          help="which files: the Parquet tables, the CSV tables or the SQLite file "
                               "(datapackage.json always)")
    download.add_argument("--dest", type=Path, help="folder to download into (default: ./<package>-<version>)")
    download.add_argument("--package", help="package to download, when the catalog lists several")
    return parser


def _summary_lines(counts: dict) -> list[str]:
    files = ", ".join(f"{k.removeprefix('files_')} {v}" for k, v in counts.items() if k.startswith("files_"))
    return [
        f"files: {counts['files']} ({files})",
        f"records: {counts['records_extracted']} extracted = {counts['records_published']} published"
        f" + {counts['records_quarantined']} quarantined",
        f"documents: {counts['documents']}, collections: {counts['collections']}, articles: {counts['articles']}",
        f"release: {counts['release']}",
    ]


def _cache_dir(args: argparse.Namespace) -> Path | None:
    """The extraction cache (and hash memo) folder, or None with --no-cache."""
    return None if args.no_cache else args.cache.resolve()


def _released_inputs(args: argparse.Namespace):
    """The inputs' inventory (etl.inputs.Inputs), or None before the first release: with no
    release to compare them with, hashing the inputs here would be wasted.

    Taken here, before Prefect starts, so that a run with nothing to do costs seconds (the
    flow checks again for runs that do not come through this command), and to choose how
    the build runs."""
    from etl.inputs import read_inputs
    from etl.manifest import release_manifest
    from etl.publish import latest_release

    latest = latest_release(args.output / settings().package_name)
    if latest is None or release_manifest(args.output, latest.name) is None:
        return None
    return read_inputs(source_location(args.source), args.contributions.resolve(), _cache_dir(args))


def _in_process(args: argparse.Namespace, inputs) -> bool:
    """Whether to build without Prefect: asked for, or (auto) a small update of a release."""
    from etl.build import updates_in_process

    if args.orchestrator != "auto":
        return args.orchestrator == "none"
    return (inputs is not None and args.task_runner == "processes"
            and updates_in_process(inputs, _cache_dir(args), args.batch_size))


def _start_build_services(args: argparse.Namespace) -> Callable[[], None]:
    """Start, in the background, what the build flow would otherwise start and then wait for:
    Prefect's temporary server and the parsing workers. Their start-up (imports in other
    processes) overlaps this process's own. Returns the wait for the server."""
    from etl.prefect_server import start_temporary_server
    from etl.workers import start_pool

    api_ready = start_temporary_server()
    if args.task_runner == "processes":
        start_pool()
    return api_ready


class BuildFailed(Exception):
    """No release was written; the message says why."""


def _build_request(args: argparse.Namespace):
    from etl.build import BuildRequest

    return BuildRequest(source_location(args.source), args.output.resolve(), args.version, args.batch_size,
                        args.contributions.resolve(), _cache_dir(args),
                        args.force, args.max_rejected_share)


def _build_in_process(args: argparse.Namespace, inputs) -> dict:
    from etl.build import build_in_process, inventory_ahead
    from etl.publish import ReleaseError

    request = _build_request(args)
    try:
        inventory_ahead(request.source, request.contributions, request.cache_dir, inputs)
        return build_in_process(request)
    except (ReleaseError, OSError) as err:
        raise BuildFailed(err) from err


def _build_with_prefect(args: argparse.Namespace, inputs) -> dict:
    """The build flow; the inputs' inventory (`inputs`, or taken while Prefect's server
    starts) is handed to it."""
    from etl.prefect_server import ServerError, temporary_server_settings
    from etl.publish import ReleaseError

    _quiet_prefect(ReleaseError, ServerError, OSError)
    api_ready = _start_build_services(args)
    from etl.build import inventory_ahead

    request = _build_request(args)
    try:
        inventory_ahead(request.source, request.contributions, request.cache_dir, inputs)
        from flows.build import build_release

        api_ready()
        with temporary_server_settings():
            return build_release(request.source, request.output, request.version, request.batch_size,
                                 request.contributions, request.cache_dir, request.force,
                                 request.max_rejected_share, args.task_runner, args.dask_address,
                                 args.dask_workers)
    except (ReleaseError, ServerError, OSError) as err:
        raise BuildFailed(err) from err


def _inbox_folder_problem(contributions: Path | None) -> str | None:
    """Why `contributions` is not a folder of accepted contributions, or None: it is the
    folder `etl contributions` sorts, whose inbox/ and rejected/ hold files never checked
    or refused, which a build would read as well."""
    unsorted = [f"{name}/" for name in ("inbox", "rejected") if contributions and (contributions / name).is_dir()]
    if not unsorted:
        return None
    return (f"--contributions {contributions} holds {' and '.join(unsorted)}: it is the folder etl contributions "
            f"sorts, and a build takes only what it accepted; pass {contributions / 'accepted'}")


def _folders_problem(args: argparse.Namespace) -> str | None:
    """Why the output or contributions folder of a build cannot be used, or None: a file
    stands there, the contributions are not the accepted ones, or the output and a local
    source contain one another (a build would read its own releases as captures)."""
    for option, folder in (("--output", args.output), ("--contributions", args.contributions)):
        if folder is not None and folder.exists() and not folder.is_dir():
            return f"{option} {folder} is a file, not a folder"
    if problem := _inbox_folder_problem(args.contributions):
        return problem
    source = source_location(args.source)
    if isinstance(source, Path) and contain_one_another(source, args.output):
        return f"the output {args.output} and the source {args.source} must not contain one another"
    return None


def run_build(args: argparse.Namespace) -> int:
    from etl.dask_runner import scheduler_problem
    from etl.manifest import utc_now
    from etl.publish import release_dir, version_problem

    if problem := source_problem(source_location(args.source)):
        print(f"etl build: {problem}", file=sys.stderr)
        return 2
    if args.batch_size < 1 or args.dask_workers < 1 or not 0 <= args.max_rejected_share <= 1:
        print("etl build: --batch-size and --dask-workers must be at least 1, --max-rejected-share between "
              "0 and 1", file=sys.stderr)
        return 2
    if args.dask_address and args.task_runner != "dask":
        print("etl build: --dask-address needs --task-runner dask", file=sys.stderr)
        return 2
    if args.orchestrator == "none" and args.task_runner == "dask":
        print("etl build: --task-runner dask needs Prefect (--orchestrator auto or prefect)", file=sys.stderr)
        return 2
    if args.version is not None and (problem := version_problem(args.version)):
        print(f"etl build: {problem}", file=sys.stderr)
        return 2
    if problem := _folders_problem(args):
        print(f"etl build: {problem}", file=sys.stderr)
        return 2
    if args.dask_address and (problem := scheduler_problem(args.dask_address)):
        print(f"etl build: {problem}", file=sys.stderr)
        return 2
    if args.version and release_dir(args.output, args.version).exists():
        print(f"etl build: release {args.version} already exists in {args.output / settings().package_name}; "
              "releases are never rewritten", file=sys.stderr)
        return 1
    started = utc_now()
    inputs = _released_inputs(args)
    if inputs is not None and not args.force:
        from etl.manifest import no_changes_manifest, unchanged_release, write_manifest

        if same := unchanged_release(args.output, inputs.fingerprint):
            write_manifest(args.output, no_changes_manifest(inputs.fingerprint, started, {"inventory": inputs.seconds},
                                                            same, "none"))
            print(f"no changes: the inputs, code and schemas are those of release {same}; nothing published "
                  "(--force publishes anyway)")
            return 0
    try:
        counts = _build_in_process(args, inputs) if _in_process(args, inputs) else _build_with_prefect(args, inputs)
    except BuildFailed as err:
        print(f"etl build: no release written: {err}", file=sys.stderr)
        return 1
    if counts["outcome"] == "no-changes":
        print(f"no changes since release {counts['release']}; nothing published")
        return 0
    print("\n".join(_summary_lines(counts)))
    return 0


def _release_problem(against: Path | None) -> str | None:
    if against is not None and not (against / "datapackage.json").is_file():
        return f"--against {against} is not a release folder (it has no datapackage.json)"
    return None


def run_harvest(args: argparse.Namespace) -> int:
    from etl.harvest import HarvestError, HarvestOptions, check_harvest

    given = {k: getattr(args, k) for k in ("contact", "rate", "max_pages", "timeout", "retries",
                                           "retry_delay", "batches", "follow") if getattr(args, k) is not None}
    try:
        options = HarvestOptions(**given)
        check_harvest(args.sources, args.to, options)
    except HarvestError as err:
        print(f"etl harvest: {err}", file=sys.stderr)
        return 2
    sources = [str(source_location(s)) for s in args.sources]
    try:
        check_harvest(sources, args.to, options, reach=True)  # an unreachable site fails before Prefect starts
        _quiet_prefect(HarvestError, OSError)
        from flows.harvest import harvest

        summary = harvest(sources, args.to.resolve(), options)
    except (HarvestError, OSError) as err:
        print(f"etl harvest: {err}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from etl.contribution import check_paths, default_limits, target_names
    from etl.report import json_report, text_report

    if args.resource and args.resource not in target_names():
        print(f"etl validate: --resource must be one of {', '.join(target_names())}", file=sys.stderr)
        return 2
    if problem := _release_problem(args.against):
        print(f"etl validate: {problem}", file=sys.stderr)
        return 2
    if args.max_bytes is not None and args.max_bytes < 1 or args.show < 0:
        print("etl validate: --max-bytes must be positive and --show not negative", file=sys.stderr)
        return 2
    report = check_paths(args.paths, args.resource, args.against, default_limits(args.max_bytes))
    sys.stdout.write(json_report(report) if args.format == "json" else text_report(report, args.show))
    return report.exit_code


def run_contributions(args: argparse.Namespace) -> int:
    if problem := _release_problem(args.against):
        print(f"etl contributions: {problem}", file=sys.stderr)
        return 2
    if not args.folder.is_dir():
        print(f"etl contributions: the contributions folder {args.folder} does not exist or is not a folder",
              file=sys.stderr)
        return 2
    inbox = args.folder / "inbox"
    if not inbox.is_dir() or not any(inbox.iterdir()):
        print(f"etl contributions: nothing to check in {inbox}")
        return 0
    _quiet_prefect()
    from flows.contributions import validate_contribution

    outcome = validate_contribution(args.folder.resolve(), args.against.resolve() if args.against else None)
    for name, status in outcome.items():
        print(f"{name}: {status}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from polars.exceptions import PolarsError

    from etl.changes import changelog_markdown, changes_json, diff_releases
    from etl.publish import release_dir

    folders = [release_dir(args.output, v) for v in (args.older, args.newer)]
    for version, folder in zip((args.older, args.newer), folders):
        if not (folder / "datapackage.json").is_file():
            print(f"etl diff: there is no release {version} in {folder.parent}", file=sys.stderr)
            return 2
    try:
        changes = diff_releases(*folders)
    except (OSError, ValueError, PolarsError) as err:  # a release damaged since it was written
        print(f"etl diff: a release cannot be read: {err}", file=sys.stderr)
        return 1
    sys.stdout.write(changes_json(changes) if args.format == "json" else changelog_markdown(changes))
    return 0


def run_replay(args: argparse.Namespace) -> int:
    import json

    from etl.manifest import release_manifest
    from etl.publish import latest_release
    from etl.replay import report_text

    release = latest_release(args.output / settings().package_name)
    if release is None:
        print(f"etl replay: there is no release in {args.output}", file=sys.stderr)
        return 2
    recorded = (release_manifest(args.output, release.name) or {}).get("inputs", {})
    given = args.source or recorded.get("source")
    source = source_location(given) if given else None
    if source is None or source_problem(source):
        print(f"etl replay: the captures of release {release.name} are not at {source}; give --source",
              file=sys.stderr)
        return 2
    contributions = Path(recorded["contributions"]) if recorded.get("contributions") else None
    _quiet_prefect()
    from flows.replay import replay_quarantine

    report = replay_quarantine(release, source, args.output.resolve(), contributions,
                               args.cache.resolve())
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n" if args.format == "json" else report_text(report))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from etl.prefect_server import ServerError, local_server

    if args.interval is not None and args.interval <= 0:
        print("etl serve: --interval must be positive", file=sys.stderr)
        return 2
    if problem := (source_problem(source_location(args.source)) or _cron_problem(args.cron)
                   or _inbox_folder_problem(args.contributions)):
        print(f"etl serve: {problem}", file=sys.stderr)
        return 2
    parameters = {
        "harvest_from": [str(source_location(h)) for h in args.harvest_from or []] or None,
        "raw": str(args.raw.resolve()), "source": str(source_location(args.source)), "output": str(args.output.resolve()),
        "cache_dir": str(args.cache.resolve()), "contributions": str(args.contributions.resolve()),
        "contact": args.contact,
    }
    _quiet_prefect()
    try:
        with nullcontext(os.environ.get("PREFECT_API_URL")) if os.environ.get("PREFECT_API_URL") \
                else local_server() as api_url:
            os.environ["PREFECT_API_URL"] = api_url
            print(f"serving the nightly pipeline with the Prefect server at {api_url}; Ctrl-C stops", flush=True)
            from flows.nightly import serve

            serve(args.cron, args.interval, parameters)
    except ServerError as err:
        print(f"etl serve: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _cron_problem(cron: str | None) -> str | None:
    """Why `cron` is no cron expression (as Prefect's schedules read them), or None."""
    if cron is None:
        return None
    from datetime import datetime

    from cronsim import CronSim, CronSimError

    try:
        CronSim(cron, datetime.now())
    except CronSimError as err:
        return f"--cron {cron!r} is no cron expression: {err}"
    return None


def run_catalog(args: argparse.Namespace) -> int:
    from etl.catalog import CatalogError, write_catalog

    if not args.output.is_dir():
        print(f"etl catalog: the output folder {args.output} does not exist", file=sys.stderr)
        return 2
    try:
        written = write_catalog(args.output)
    except (CatalogError, OSError) as err:
        print(f"etl catalog: catalog not written: {err}", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(p.name for p in written[:4])} and {len(written) - 4} charts in {args.output}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from etl.download import DownloadError, download_release, human_size

    try:
        done = download_release(args.source, args.dest, args.version, args.format, args.package)
    except DownloadError as err:
        print(f"etl download: {err}", file=sys.stderr)
        return err.exit_code
    print(f"downloaded {done.name} {done.version}: datapackage.json and {len(done.files)} {args.format} "
          f"{'file' if len(done.files) == 1 else 'files'} ({human_size(sum(f.size for f in done.files))}) "
          f"in {done.dest}, every size and sha256 verified")
    return 0


def _quiet_prefect(*reported: type[BaseException]) -> None:
    """Prefect's settings for a command's flow run; failures of the `reported` kinds, which
    the command reports in one line, are logged by Prefect without their traceback."""
    # A loaded 2-core machine can take longer than Prefect's default 20 s to start its server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # The pipeline needs no network; Prefect's server would otherwise try to send telemetry.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if reported and not os.environ.get("ETL_TRACEBACK"):
        for name in PREFECT_RUN_LOGGERS:
            logging.getLogger(name).addFilter(_WithoutTraceback(reported))


# The loggers of Prefect's flow and task runs: where it logs a run's failure with its traceback.
PREFECT_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class _WithoutTraceback(logging.Filter):
    """Keeps the message of a log record whose exception is of the given kinds, not its traceback."""

    def __init__(self, kinds: tuple[type[BaseException], ...]):
        super().__init__()
        self.kinds = kinds

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.kinds):
            record.exc_info, record.exc_text = None, None
        return True


def run_dictionary(args: argparse.Namespace) -> int:
    from etl.dictionary import DICTIONARY_PATH, write_dictionary

    write_dictionary()
    print(f"wrote {DICTIONARY_PATH}")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SettingsError as err:
        print(f"etl: {err}", file=sys.stderr)
        return 2
    commands = {"build": run_build, "validate": run_validate, "harvest": run_harvest,
                "contributions": run_contributions, "dictionary": run_dictionary, "catalog": run_catalog,
                "diff": run_diff, "replay": run_replay, "serve": run_serve, "download": run_download}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        # A release is moved into place whole or not at all (etl.publish): nothing half-written stays.
        print(f"etl {args.command}: interrupted; no release or file was left half-written", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the last resort: one line, not a traceback
        if os.environ.get("ETL_TRACEBACK"):
            raise
        print(f"etl {args.command}: failed: {type(err).__name__}: {err} (ETL_TRACEBACK=1 shows where)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
