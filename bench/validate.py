"""Benchmark: our validation against `frictionless validate` on one generated `documents` CSV.

    .venv/bin/python bench/validate.py --rows 1000000 --error-rate 0.01 --seed 1

Writes the CSV into bench/out/validate/ (bench/validate_data.py), then times, each in a child
process from start to exit, with its peak memory (RSS):

- ours: `etl validate FILE --resource documents --format json` when that command works on
  the file; otherwise (no such command yet, or it fails) a `python -c` that reads the file
  with pl.read_csv(infer_schema=False) and calls etl.validate.violations (always, with
  --violations-only). It prints which.
- frictionless: `frictionless validate FILE --schema schemas/documents.json --json
  --limit-errors N`, run from the project root with relative paths (frictionless refuses
  absolute paths and `..` as unsafe), with the error limit lifted so that it reads every row.

Then it prints both figures, the speed ratio, the rows each read and the problems each found,
compared as (row, field, rule). frictionless reads 3,000-10,000 rows/s: a million rows take
minutes. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMA = "schemas/documents.json"
OUT = HERE / "out" / "validate"
BIN = Path(sys.executable).parent
NO_LIMIT = str(10**9)
# The fallback: the validator alone, on the file as Polars reads it, as a child process.
VIOLATIONS_ONLY = """
import json, sys
import polars as pl
from etl.schema import load_schema
from etl.validate import violations
table = pl.read_csv(sys.argv[1], infer_schema=False)
found = violations(table, load_schema("documents"))
json.dump({"rows": table.height, "problems": found.select("row", "field", "rule").rows()}, sys.stdout)
"""


def timed(command: list[str], name: str) -> tuple[float, float, int, Path]:
    """(wall seconds, peak RSS in MB, exit code, stdout file) of one child process.

    A child's peak RSS starts at its parent's size when forked, so this process imports
    nothing heavy (no Polars) until every child has run.
    """
    stdout, stderr = OUT / f"{name}.out", OUT / f"{name}.err"
    started = time.perf_counter()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        # wait4 gives this child's own resource use, not the maximum over all children so far.
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, child.returncode, stdout


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (ValueError, OSError):
        return None


def _failure(name: str) -> str:
    lines = (OUT / f"{name}.err").read_text("utf-8", "replace").strip().splitlines() or [""]
    return next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1]).strip()


def _etl_validate(relative: str) -> tuple[str, float, float, dict] | None:
    """run_ours with `etl validate`; None (and why) when the command is missing or fails."""
    etl = BIN / "etl"
    if not etl.exists() or subprocess.run([str(etl), "validate", "--help"], capture_output=True).returncode:
        print("etl validate is not available; measuring violations() instead")
        return None
    command = [str(etl), "validate", relative, "--resource", "documents", "--format", "json"]
    seconds, peak, code, out = timed(command, "etl-validate")
    report = _json(out)
    if code not in (0, 1) or report is None:
        print(f"etl validate failed on the file (exit {code}: {_failure('etl-validate')[:200]}); "
              "measuring violations() instead")
        return None
    # The report numbers rows as frictionless does (the header is row 1).
    problems = [(p["row"] - 2, p["field"] or "", p["rule"]) for p in report["problems"]]
    output = {"rows": report["files"][0]["rows"], "problems": problems}
    return " ".join(["etl", *command[1:]]), seconds, peak, output


def run_ours(relative: str, violations_only: bool) -> tuple[str, float, float, dict]:
    """(what was measured, seconds, peak MB, its output: {"rows", "problems": [(row, field, rule)]})."""
    measured = None if violations_only else _etl_validate(relative)
    if measured:
        return measured
    seconds, peak, code, out = timed([sys.executable, "-c", VIOLATIONS_ONLY, relative], "violations")
    if code:
        sys.exit(f"violations() failed: {_failure('violations')}")
    return "python -c: pl.read_csv(infer_schema=False) + violations()", seconds, peak, _json(out)


def run_frictionless(relative: str) -> tuple[float, float, dict]:
    """(seconds, peak MB, its task report)."""
    command = [str(BIN / "frictionless"), "validate", relative, "--schema", SCHEMA, "--json",
               "--limit-errors", NO_LIMIT]
    seconds, peak, _, out = timed(command, "frictionless")
    report = _json(out)
    if report is None or not report["tasks"]:
        sys.exit(f"frictionless gave no report: {_failure('frictionless')}")
    return seconds, peak, report["tasks"][0]


def _by_rule(problems: set) -> str:
    return ", ".join(f"{rule} {n:,}" for rule, n in sorted(Counter(rule for _, _, rule in problems).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--error-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations-only", action="store_true",
                        help="measure read_csv + violations() even when etl validate works")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"documents-{args.rows}-{args.error_rate}-{args.seed}.csv"
    subprocess.run([sys.executable, str(HERE / "validate_data.py"), "--rows", str(args.rows),
                    "--error-rate", str(args.error_rate), "--seed", str(args.seed), "--out", str(path)], check=True)
    relative = str(path.relative_to(ROOT))
    measured, our_s, our_mb, our_output = run_ours(relative, args.violations_only)
    print(f"ours done in {our_s:.1f} s; running frictionless (minutes for a million rows)...", flush=True)
    their_s, their_mb, task = run_frictionless(relative)

    from validate_data import frictionless_problem  # imports Polars: only now that the children ran

    schema = json.loads((ROOT / SCHEMA).read_text("utf-8"))
    ours = {tuple(p) for p in our_output["problems"]}
    theirs = {frictionless_problem(e, schema) for e in task["errors"]}
    their_rows = task["stats"].get("rows", 0)
    print(f"\n{'':14}{'wall time':>12}{'peak RSS':>12}{'rows read':>12}{'problems':>10}")
    print(f"{'ours':14}{our_s:>10.1f} s{our_mb:>9,.0f} MB{our_output['rows']:>12,}{len(ours):>10,}")
    print(f"{'frictionless':14}{their_s:>10.1f} s{their_mb:>9,.0f} MB{their_rows:>12,}{len(theirs):>10,}")
    print(f"\nours = {measured}")
    print(f"speed ratio: {their_s / our_s:.1f}x")
    print(f"frictionless: {_by_rule(theirs)}")
    print(f"ours, the same (row, field, rule): {len(ours & theirs):,} of frictionless's {len(theirs):,}")
    if ours - theirs:
        print(f"ours only (rules beyond the Table Schema, or disagreements): {_by_rule(ours - theirs)}")
    if theirs - ours:
        print(f"frictionless only: {_by_rule(theirs - ours)}")
    if our_output["rows"] != args.rows or their_rows != args.rows:
        print(f"WARNING: rows read differ from the {args.rows:,} written")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
