"""Scale benchmark: build generated corpora with the real `etl build` and print, per size, speed,
time per stage, Prefect's share, peak memory and deduplication accuracy.

    .venv/bin/python bench/run.py --sizes 1000 10000 100000            # cold builds, the table
    .venv/bin/python bench/run.py --sizes 10000 --repeat 3 --warm       # and a warm-cache build
    .venv/bin/python bench/run.py --sizes --incremental 27000           # issue 5: +1% and no-change
    .venv/bin/python bench/run.py --sizes 100000 --direct               # etl build --orchestrator none
    .venv/bin/python bench/run.py --sizes 100000 --running-server       # against one running Prefect server

A size is a number of invented documents (bench/generate.py, seed 1); the corpus is generated
under bench/out/ the first time and reused. Each build runs `etl build --no-cache` (cold) in a
child process into a fresh output folder; the script samples the RSS of the child's whole
process tree (the build, its parsing workers, Prefect's server) and reads the run manifest
(`OUTPUT/<package>/runs/bench.json`) for the seconds of each stage. Prefect's own log lines
give the moments the ephemeral server started and the flow began.

Figures per build:

- end to end: the `etl build` process from start to exit; captures/s = captures / that;
- stages: inventory, extract, validate, normalise, dedup, publish, as the manifest records them;
- orchestration: end to end minus the sum of the stages (Python and Prefect imports, the
  ephemeral server's start, Prefect's task machinery outside the stages, the run manifest,
  the catalog); `before the flow began` is the part from launch to Prefect's "Beginning flow
  run" line (imports, the no-change check, waiting for the Prefect server). Prefect's work
  inside a stage (task runs of the extraction
  batches) is inside that stage's seconds: `--direct` measures the same stages without
  Prefect, and the difference is the rest of Prefect's cost;
- peak RSS: the largest sum over the process tree, and the largest single process;
- precision and recall of deduplication over record pairs (etl.evaluate);
- page fields right: for the documents a document page shows, the share whose published
  document has the right title, summary, archival reference, translators, date and Record ID
  (etl.evaluate.field_accuracy); the table shows the least of the six, the JSON line all.

With `--repeat N` every build runs N times; the table shows the quickest run (the machine is
shared, so the quickest is the least disturbed) and the script prints every run. Not part of
the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate_corpus  # noqa: E402

from etl.config import DEFAULT_BATCH_SIZE, settings  # noqa: E402
from etl.evaluate import field_accuracy, score_release  # noqa: E402

OUT = HERE / "out"
STAGES = ("inventory", "extract", "validate", "normalise", "dedup", "publish")
VERSION = "bench"
_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \|")


def prepared_corpus(documents: int, seed: int) -> tuple[Path, Path]:
    """(captures folder, answer key), generated unless an identical corpus is already there."""
    return prepared_corpus_at(OUT / f"corpus-{documents}-{seed}", documents, seed)


def prepared_corpus_at(base: Path, documents: int, seed: int) -> tuple[Path, Path]:
    """The corpus under `base`, generated again when the generator changed since it was made
    (`base/generator.sha256` holds the hash of the generate.py that made it)."""
    captures, key, stamp = base / "captures", base / "answer_key.json", base / "generator.sha256"
    made_by = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()
    if not key.exists() or not stamp.exists() or stamp.read_text("utf-8").strip() != made_by:
        shutil.rmtree(base, ignore_errors=True)
        started = time.perf_counter()
        generate_corpus(captures, documents, seed, key_path=key)
        stamp.write_text(made_by + "\n", encoding="utf-8")
        print(f"generated {documents} documents in {time.perf_counter() - started:.1f} s", flush=True)
    return captures, key


# --- measuring one child process ----------------------------------------------------------


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, RSS in bytes) of every process, from /proc."""
    table = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[21]) * page)
    return table


class TreeMemory:
    """Samples the RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every = pid, every
        self.peak_tree = self.peak_process = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            table = _process_table()
            children: dict[int, list[int]] = {}
            for pid, (parent, _) in table.items():
                children.setdefault(parent, []).append(pid)
            tree, i = [self.pid], 0
            while i < len(tree):
                tree += children.get(tree[i], [])
                i += 1
            sizes = [table[p][1] for p in tree if p in table]
            if sizes:
                self.peak_tree = max(self.peak_tree, sum(sizes))
                self.peak_process = max(self.peak_process, max(sizes))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """One measured child process."""

    label: str
    seconds: float
    peak_tree_mb: float
    peak_process_mb: float
    stdout: str
    stderr: str
    started_at: float  # time.time() at launch
    load: tuple[float, float, float]  # load averages just before the launch
    manifest: dict = field(default_factory=dict)
    score: dict = field(default_factory=dict)

    def log_moment(self, needle: str) -> float | None:
        """Seconds from launch to the first Prefect log line containing `needle`."""
        launch = dt.datetime.fromtimestamp(self.started_at)
        midnight = launch.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        for line in self.stderr.splitlines():
            match = _LOG_TIME.match(line)
            if match and needle in line:
                h, m, s, ms = map(int, match.groups())
                moment = midnight + h * 3600 + m * 60 + s + ms / 1000
                if moment < self.started_at - 1:  # the log clock passed midnight
                    moment += 86400
                return moment - self.started_at
        return None

    @property
    def stage_seconds(self) -> dict[str, float]:
        recorded = self.manifest.get("seconds", {})
        return {stage: recorded.get(stage, 0.0) for stage in STAGES}

    @property
    def captures(self) -> int:
        return self.manifest.get("counts", {}).get("inventory", {}).get("files", 0)


# Extra environment variables for the builds (--env), e.g. Prefect settings to try.
EXTRA_ENV: dict[str, str] = {}


def measured(label: str, command: list[str]) -> Run:
    load = os.getloadavg()
    started_at, started = time.time(), time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             env={**os.environ, **EXTRA_ENV})
    memory = TreeMemory(child.pid)
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if child.returncode:
        sys.exit(f"{label} failed (exit {child.returncode}):\n{stderr[-3000:]}")
    return Run(label, seconds, memory.peak_tree / 2**20, memory.peak_process / 2**20, stdout, stderr,
               started_at, load)


# `etl build` as a user runs it.
ETL = [sys.executable, "-m", "etl"]


def build(label: str, captures: Path, output: Path, batch_size: int, cache: Path | None,
          fresh: bool = True, *options: str) -> Run:
    """`etl build` of `captures` into `output` (emptied first when `fresh`), version 'bench'
    unless the output already has it; `options` are more of its options."""
    if fresh:
        shutil.rmtree(output, ignore_errors=True)
    package = output / settings().package_name
    version = VERSION if not (package / VERSION).exists() else f"{VERSION}-{int(time.time())}"
    command = [*ETL, "build", "--source", str(captures), "--output", str(output),
               "--version", version, "--batch-size", str(batch_size), *options]
    command += ["--no-cache"] if cache is None else ["--cache", str(cache)]
    run = measured(label, command)
    manifest = package / "runs" / f"{version}.json"
    if manifest.exists():
        run.manifest = json.loads(manifest.read_text("utf-8"))
    run.manifest["version"] = version
    return run


def direct_build(label: str, captures: Path, output: Path, batch_size: int) -> Run:
    """The same stages without Prefect: `etl build --orchestrator none`."""
    return build(label, captures, output, batch_size, None, True, "--orchestrator", "none")


# --- reporting ----------------------------------------------------------------------------


def scored(run: Run, output: Path, key: Path) -> Run:
    release = output / settings().package_name / run.manifest["version"]
    fields = field_accuracy(release, key)
    run.score = {**score_release(release, key), "page_documents": fields.pop("documents"),
                 "fields_right": fields}
    return run


def row(documents: int, run: Run) -> dict:
    stages = run.stage_seconds
    flow_start = run.log_moment("Beginning flow run")
    orchestration = run.seconds - sum(stages.values())
    return {
        "documents": documents, "captures": run.captures, "seconds": round(run.seconds, 1),
        "captures_per_second": round(run.captures / run.seconds) if run.seconds else 0,
        **{stage: round(s, 2) for stage, s in stages.items()},
        "orchestration": round(orchestration, 1),
        "orchestration_share": round(orchestration / run.seconds, 3) if run.seconds else 0,
        "before_flow": round(flow_start, 1) if flow_start is not None else None,
        "peak_tree_mb": round(run.peak_tree_mb), "peak_process_mb": round(run.peak_process_mb),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in run.score.items()},
        "fields_right_least": min(run.score["fields_right"].values()) if run.score.get("fields_right") else None,
        "load_before": [round(x, 2) for x in run.load],
    }


def markdown(rows: list[dict]) -> str:
    head = ("| documents | captures | end to end | captures/s | inventory | extract | validate | normalise "
            "| dedup | publish | orchestration (share) | of which before the flow began | peak RSS tree / largest "
            "| precision | recall | page fields right (least) |")
    lines = [head, "|" + "---|" * 16]
    for r in rows:
        lines.append(
            f"| {r['documents']:,} | {r['captures']:,} | {r['seconds']:.1f} s | {r['captures_per_second']:,} "
            + "".join(f"| {r[s]:.2f} " for s in STAGES)
            + f"| {r['orchestration']:.1f} s ({r['orchestration_share']:.0%}) "
            + f"| {r['before_flow'] if r['before_flow'] is not None else '-'} s "
            + f"| {r['peak_tree_mb']:,} / {r['peak_process_mb']:,} MB "
            + f"| {r.get('precision', '-')} | {r.get('recall', '-')} "
            + f"| {r.get('fields_right_least') if r.get('fields_right_least') is not None else '-'} |")
    return "\n".join(lines)


def machine(prefect_mode: str) -> str:
    import polars
    import prefect

    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({model}), {int(memory) / 2**20:.0f} GB RAM, Python {platform.python_version()}, "
            f"Prefect {prefect.__version__} ({prefect_mode}), Polars {polars.__version__}, {platform.system()} "
            f"{platform.release()}")


def quickest(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def print_runs(title: str, runs: list[Run]) -> None:
    print(f"{title}: " + ", ".join(f"{r.seconds:.1f} s (load {r.load[0]:.1f})" for r in runs), flush=True)


# --- the benchmarks -----------------------------------------------------------------------


def size_benchmark(sizes: list[int], seed: int, repeat: int, batch_size: int, warm: bool,
                   direct: bool) -> list[dict]:
    rows = []
    for documents in sizes:
        captures, key = prepared_corpus(documents, seed)
        output = OUT / "runs" / f"size-{documents}"
        runs = []
        for i in range(repeat):
            runs.append(scored(build(f"{documents} cold #{i + 1}", captures, output, batch_size, None),
                               output, key))
            print_runs(f"{documents} documents, cold (--no-cache)", runs[-1:])
        best = quickest(runs)
        rows.append(row(documents, best))
        print(json.dumps(rows[-1]), flush=True)
        if warm:
            cache = OUT / "runs" / f"cache-{documents}"
            shutil.rmtree(cache, ignore_errors=True)
            filling = build(f"{documents} filling the cache", captures, output, batch_size, cache)
            warm_runs = [scored(build(f"{documents} warm #{i + 1}", captures, output, batch_size, cache),
                                output, key) for i in range(repeat)]
            print_runs(f"{documents} documents, filling the cache", [filling])
            print_runs(f"{documents} documents, warm cache", warm_runs)
            print(json.dumps({"warm": row(documents, quickest(warm_runs)),
                              "filling": row(documents, filling)}), flush=True)
        if direct:
            direct_runs = [scored(direct_build(f"{documents} direct #{i + 1}", captures, output, batch_size),
                                  output, key) for i in range(repeat)]
            print_runs(f"{documents} documents, the stages without Prefect", direct_runs)
            print(json.dumps({"direct": row(documents, quickest(direct_runs))}), flush=True)
    return rows


def incremental_benchmark(documents: int, seed: int, batch_size: int) -> dict:
    """Issue 5: a full build, a build after adding 1% new captures, and one with no change,
    all with the extraction cache, into one output folder."""
    captures, _ = prepared_corpus(documents, seed)
    work = OUT / "runs" / f"incremental-{documents}"
    shutil.rmtree(work, ignore_errors=True)
    source, cache, output = work / "captures", work / "cache", work / "output"
    shutil.copytree(captures, source, copy_function=os.link)
    files = sum(1 for p in source.rglob("*") if p.is_file())
    # New captures: a corpus of other invented documents, about 1% of the files.
    extra_base = OUT / f"corpus-extra-{documents}-{seed + 1}"
    extra, _ = prepared_corpus_at(extra_base, max(10, documents // 100), seed + 1)
    added = sorted(p for p in extra.rglob("*") if p.is_file())[: max(1, files // 100)]
    full = build("full", source, output, batch_size, cache, fresh=True)
    for path in added:
        target = source / "added" / path.relative_to(extra)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    plus = build(f"+{len(added)} captures", source, output, batch_size, cache, fresh=False)
    same = build("no change", source, output, batch_size, cache, fresh=False)
    result = {
        "captures": files, "added": len(added),
        "full_seconds": round(full.seconds, 1), "added_seconds": round(plus.seconds, 1),
        "added_over_full": round(plus.seconds / full.seconds, 3),
        "added_stages": {k: round(v, 2) for k, v in plus.stage_seconds.items()},
        "added_files_from_cache": plus.manifest.get("counts", {}).get("extract", {}).get("files_from_cache"),
        "no_change_seconds": round(same.seconds, 1), "no_change_said": "no changes" in same.stdout,
        "peak_tree_mb": {"full": round(full.peak_tree_mb), "added": round(plus.peak_tree_mb),
                         "no_change": round(same.peak_tree_mb)},
    }
    print(json.dumps({"incremental": result}), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000],
                        help="corpus sizes in documents (default: 1000 10000 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="builds per size; the quickest is reported")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help="files per extraction task at most (etl build's default)")
    parser.add_argument("--warm", action="store_true", help="also a build with a filled extraction cache")
    parser.add_argument("--direct", action="store_true", help="also the same stages without Prefect")
    parser.add_argument("--incremental", type=int, metavar="DOCUMENTS",
                        help="also the incremental builds of issue 5 on a corpus of this many documents")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the builds (repeatable), e.g. a Prefect setting")
    parser.add_argument("--running-server", action="store_true",
                        help="start one Prefect server first and run every build against it (PREFECT_API_URL), "
                             "as scheduled runs under `etl serve` or a work pool do")
    args = parser.parse_args()
    if args.running_server:
        from etl.prefect_server import local_server

        with local_server() as api_url:
            EXTRA_ENV["PREFECT_API_URL"] = api_url
            run_benchmarks(args, "one running server for every build")
    else:
        run_benchmarks(args, "ephemeral: each build starts its temporary server")


def run_benchmarks(args: argparse.Namespace, prefect_mode: str) -> None:
    EXTRA_ENV.update(item.split("=", 1) for item in args.env)
    if EXTRA_ENV:
        print(f"builds run with {EXTRA_ENV}", flush=True)
    print(machine(prefect_mode), flush=True)
    rows = size_benchmark(args.sizes, args.seed, args.repeat, args.batch_size, args.warm, args.direct)
    if args.incremental:
        incremental_benchmark(args.incremental, args.seed, args.batch_size)
    if rows:
        print(markdown(rows))
        if len(rows) > 1:
            by_size = {r["documents"]: r["seconds"] for r in rows}
            sizes = sorted(by_size)
            for small, large in zip(sizes, sizes[1:]):
                print(f"{large:,} / {small:,} documents: {by_size[large] / by_size[small]:.2f} times the time")


if __name__ == "__main__":
    main()
