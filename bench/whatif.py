"""A measuring aid: `etl build` with changes proposed for code outside bench/ and the stage
modules (etl.inputs, etl.cli, flows/build.py), applied by patching at run time, so that their
effect can be measured before anyone edits those files. Not used by the pipeline or the tests.

    .venv/bin/python bench/whatif.py all -- build --source DIR --output DIR --no-cache
    .venv/bin/python bench/whatif.py serial-inventory,manifest-plain -- build ...

  serial-inventory   etl.inputs.inventory hashes the files in a plain loop: handing each small
                     file to a pool of four threads, which take turns with the interpreter lock,
                     costs more than hashing it (15 s instead of about 3 s for 74,000 files)
  skip-first-check   the CLI's no-change check does not hash the inputs when the output holds
                     no release yet (it cannot be unchanged then)
  manifest-plain     the run manifest is written by a plain call, not a Prefect task: as a task
                     parameter, its list of every input file is walked by Prefect twice
  prestart           the worker processes start (etl.workers.start_pool) before the inventory,
                     so that their imports overlap it
"""

from __future__ import annotations

import hashlib
import os
import sys

FIXES = ["serial-inventory", "skip-first-check", "manifest-plain", "prestart"]


def patch(fixes: list[str]) -> None:
    import polars as pl

    import etl.cli as cli
    import etl.inputs as inputs

    if "serial-inventory" in fixes:
        def inventory(root, paths=None):
            paths = inputs.list_source_files(root) if paths is None else paths
            digests, sizes = [], []
            for path in paths:
                try:
                    with open(os.path.join(root, path), "rb") as handle:
                        digests.append(hashlib.file_digest(handle, "sha256").hexdigest())
                        sizes.append(os.fstat(handle.fileno()).st_size)
                except OSError:
                    digests.append(hashlib.sha256(b"").hexdigest())
                    sizes.append(-1)
            return pl.DataFrame({"path": paths, "sha256": digests, "bytes": sizes},
                                schema=inputs.INVENTORY_SCHEMA).sort("path")
        inputs.inventory = inventory
    if "skip-first-check" in fixes:
        checked = cli._unchanged

        def unchanged(args):
            from etl.config import settings
            from etl.publish import latest_release

            if latest_release(args.output / settings().package_name) is None:
                return None
            return checked(args)
        cli._unchanged = unchanged
    if "manifest-plain" in fixes or "prestart" in fixes:
        import flows.build as build
        from etl import manifest, workers

        if "manifest-plain" in fixes:
            build.record_run = lambda output, run: manifest.write_manifest(output, run)
        if "prestart" in fixes:
            take_inventory = build.take_inventory

            def inventory_after_start(*args, **kwargs):
                workers.start_pool()
                return take_inventory(*args, **kwargs)
            build.take_inventory = inventory_after_start


def main() -> int:
    usage = f"usage: whatif.py all|none|FIX[,FIX...] -- etl arguments; fixes: {', '.join(FIXES)}"
    if len(sys.argv) < 3 or sys.argv[2] != "--":
        sys.exit(usage)
    named = {"all": FIXES, "none": []}
    chosen = named[sys.argv[1]] if sys.argv[1] in named else sys.argv[1].split(",")
    if set(chosen) - set(FIXES):
        sys.exit(usage)
    patch(chosen)
    from etl.cli import main as etl_main

    return etl_main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
