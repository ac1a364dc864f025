"""Shared fixtures: one Prefect test server for the whole run, and the folders tests read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
SAMPLES = PROJECT_ROOT / "samples" / "captures"


@pytest.fixture(scope="session")
def prefect_server() -> str:
    """Start Prefect's ephemeral test server once; flows in any test reuse it, and so can
    child processes given its URL (PREFECT_API_URL), which this fixture yields."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The bundled sample captures (part of the repository: never skipped)."""
    return SAMPLES


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not (SEEDS / "expected.json").exists():  # a failure, not a skip: the seeds are the acceptance test
        pytest.fail(f"the shared seeds are not beside this checkout (expected {SEEDS}); clone the project "
                    "next to the shared folder, as CI does")
    return SEEDS
