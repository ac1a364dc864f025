"""The harvest flow: captures from a web site or a folder into a raw store. Orchestration only.

The crawl's steps are `etl.harvest`'s; here they run as Prefect tasks, a few batches a
round, and a batch whose URLs failed for a passing reason (timeout, 5xx) is retried by
Prefect with exponential backoff. Why batches and not a task per URL: see etl.harvest.
"""


from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from etl import harvest as harvesting
from etl.harvest import Batch, BatchResult, Crawl, HarvestOptions, HarvestSummary, TransientFetchError

stage = task(cache_policy=NO_CACHE)


def only_transient_errors(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's retry_condition_fn
    """Retry a batch only for TransientFetchError: a 4xx or a bug is not cured by waiting."""
    try:
        state.result()
    except TransientFetchError:
        return True
    except Exception:  # noqa: BLE001 - any other failure is final
        return False
    return False


def last_attempt() -> bool:
    """True in the task run's last try, when failures are recorded instead of retried."""
    context = TaskRunContext.get()
    return context.task_run.run_count > context.task.retries


@stage
def copy_directory(source: Path, raw: Path) -> HarvestSummary:
    return harvesting.copy_directory(source, raw)


@stage
def open_crawl(sources: list[str], raw: Path, options: HarvestOptions) -> Crawl:
    return harvesting.open_crawl(sources, raw, options)


@task(cache_policy=NO_CACHE, retry_condition_fn=only_transient_errors)
def fetch_batch(batch: Batch, crawl: Crawl) -> BatchResult:
    return harvesting.fetch_batch(crawl, batch, last_attempt=last_attempt())


@flow(name="harvest", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=8))
def harvest(sources: list[str], raw: Path, options: HarvestOptions | None = None) -> HarvestSummary:
    """Harvest from start URLs on one host (listing or search pages), or from one folder, into
    the raw store `raw`; returns what the run did."""
    options = options or HarvestOptions()
    logger = get_run_logger()
    if harvesting.check_harvest(sources, raw, options) == "directory":
        summary = copy_directory(Path(sources[0]), raw)
    else:
        crawl = open_crawl(sources, raw, options)
        fetch = fetch_batch.with_options(retries=options.retries,
                                         retry_delay_seconds=exponential_backoff(options.retry_delay))
        summary = harvesting.crawl_site(crawl, lambda batches: fetch.map(batches, unmapped(crawl)).result())
    logger.info("%s", summary.lines()[0])
    return summary
