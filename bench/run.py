"""Benchmark: build a generated corpus with `etl build` and print speed, memory and accuracy.

    .venv/bin/python bench/run.py --documents 27000     # about 20,000 captures

Generates the corpus under bench/out/ (reused when its settings match), runs the real
command in a child process, and prints captures/s end to end, peak memory (RSS) of the
build process, and deduplication precision and recall against the answer key.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_corpus  # noqa: E402

from etl.evaluate import score_release  # noqa: E402


def prepared_corpus(documents: int, seed: int) -> tuple[Path, Path]:
    """(captures folder, answer key), generated unless an identical corpus is already there."""
    base = HERE / "out" / f"corpus-{documents}-{seed}"
    captures, key = base / "captures", base / "answer_key.json"
    if not key.exists():
        shutil.rmtree(base, ignore_errors=True)
        started = time.perf_counter()
        generate_corpus(captures, documents, seed, key_path=key)
        print(f"generated {documents} documents in {time.perf_counter() - started:.1f} s")
    return captures, key


def timed_build(captures: Path, output: Path, batch_size: int) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the build process, its summary output)."""
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "etl", "build", "--source", str(captures), "--output", str(output),
               "--version", "bench", "--batch-size", str(batch_size)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"build failed:\n{done.stderr[-3000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=27000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    captures, key = prepared_corpus(args.documents, args.seed)
    files = sum(1 for p in captures.rglob("*") if p.is_file())
    output = HERE / "out" / "release"
    seconds, peak_mb, summary = timed_build(captures, output, args.batch_size)
    score = score_release(output / "wilson-digital-archive-korea" / "bench", key)
    print(summary.strip())
    print(json.dumps({
        "captures": files, "seconds": round(seconds, 1), "captures_per_second": round(files / seconds),
        "peak_rss_mb": round(peak_mb), **{k: round(v, 4) if isinstance(v, float) else v for k, v in score.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
