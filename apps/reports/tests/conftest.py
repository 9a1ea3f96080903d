import pytest

from apps.reports.tests.builders import FEB, JAN, reports_world

__all__ = ["FEB", "JAN"]


@pytest.fixture
def world(team_a, team_b) -> dict:
    return reports_world(team_a, team_b)
