import pytest

from apps.reports.tests.builders import reports_world


@pytest.fixture
def world(team_a, team_b) -> dict:
    return reports_world(team_a, team_b)


@pytest.fixture(autouse=True)
def _no_report_cache(settings) -> None:
    """Report caching is tested on its own (test_cache.py); elsewhere every read is fresh."""
    settings.REPORTS_CACHE_SECONDS = 0
