"""The scheduled pipeline: harvest, then build. Orchestration only.

`etl serve` serves this flow as the deployment `nightly` on the cron schedule of
`[tool.etl] schedule`; `prefect.yaml` declares the same deployment for a Prefect server and
a work pool (see the README). Both flows it runs are the ones the commands run: a run with
nothing new says "no changes" and publishes nothing.
"""


from pathlib import Path

from prefect import flow, get_run_logger

from etl.config import settings
from etl.harvest import HarvestOptions
from etl.rawstore import CURRENT
from etl.sources import Source
from flows.build import build_release
from flows.harvest import harvest


@flow(name="nightly", log_prints=False)
def nightly(harvest_from: list[str] | None = None, raw: Path | None = None, source: Source | None = None,
            output: Path | None = None, cache_dir: Path | None = None, contributions: Path | None = None,
            contact: str | None = None) -> dict:
    """Harvest `harvest_from` (start URLs or a folder) into the raw store `raw`, then build
    from its snapshot; without `harvest_from`, build from `source`. Defaults: pyproject's."""
    s = settings()
    raw = raw or s.raw
    if harvest_from:
        summary = harvest(harvest_from, raw, HarvestOptions(contact=contact))
        get_run_logger().info("%s", summary.lines()[0])
        source = raw / CURRENT
    return build_release(source or s.default_source, output or s.default_output,
                         contributions=contributions or s.contributions / "accepted",
                         cache_dir=cache_dir or s.cache)


def serve(schedule: str | None, interval: float | None, parameters: dict) -> None:
    """Serve `nightly` here until interrupted: on `interval` seconds when given, else on the cron
    `schedule` (default: pyproject's). Needs a Prefect server (PREFECT_API_URL) to schedule runs."""
    timing = {"interval": interval} if interval else {"cron": schedule or settings().schedule}
    # One run at a time: a run that comes due while another builds waits for it.
    nightly.serve(name="nightly", parameters=parameters, global_limit=1, **timing)
