"""End to end on a generated demo dataset: billing, telemetry and attribution through their
services, then hourly detection scored against the generator's labels (what reaches a person:
alerts, with the anomalies linked to them).

One dataset is generated and scored once for the module; ``evaluate_demo`` runs inside a
transaction it rolls back, so the database is left as it was."""

from datetime import date, timedelta

import pytest

from apps.anomalies.management.commands.evaluate_detector import evaluate_demo
from apps.demo.generator.build import Options, dataset_generate

# pytest-django sets up the test database only for the databases its collected tests are
# marked with; unmarked, the module fixture below would load and score on DATABASE_URL itself.
pytestmark = pytest.mark.django_db

# Three weeks at the traffic of `make demo` (the generator's default, 20,000 requests a day),
# the volume of the primary figures in docs/anomaly-detection.md; the anomalies start on days
# 6 (idle replica) to 16 (runaway batch).
DEMO = Options(
    days=21, seed=7, teams=6, endpoints=24, start=date(2025, 3, 3), requests_per_day=20_000
)
KINDS = [
    "idle_replica", "model_version_regression", "pricing_change", "runaway_batch",
    "traffic_spike",
]  # fmt: skip
TWO_HOURS = timedelta(hours=2).total_seconds()
# Alerts outside every label window on this dataset: 0 when last measured with
# `pytest apps/anomalies/tests/test_demo_detection.py` (see docs/anomaly-detection.md); a
# regression of the detector's precision shows up as more.
MAX_FALSE_ALERTS = 0


@pytest.fixture(scope="module")
def scored(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("demo") / "demo"
    with django_db_blocker.unblock():
        dataset_generate(out=out, opts=DEMO)
        return evaluate_demo(out, load=True)


def _rows(result) -> dict:
    rows = {row["kind"]: row for row in result.per_label}
    assert sorted(rows) == KINDS
    return rows


@pytest.mark.parametrize("kind", KINDS)
def test_injected_incidents_are_caught_within_two_hours_with_their_root_cause_first(scored, kind):
    # The model-version regression is a unit-cost rise (model_version=v2, not the biggest
    # customer) starting at midnight; at this volume its endpoint serves enough requests a
    # night hour to confirm it in 2 hours. At 4,000 requests a day (1-4 an hour at night) it
    # takes 3 to 8 hours on the 35-day datasets (docs/anomaly-detection.md, "Thin traffic").
    row = _rows(scored)[kind]
    assert row["detected"], row
    assert row["root_cause_ok"], row
    assert row["delay_s"] <= TWO_HOURS, row


def test_each_incident_is_one_alert_and_no_alert_is_false(scored):
    false_alerts = scored.events - scored.true_events
    assert false_alerts <= MAX_FALSE_ALERTS, (scored.events, scored.true_events)
    assert scored.recall == 1.0
    # No storm: the idle replica's team, the slower endpoint's team and the runaway batch's
    # extra instances (instance type, team) are linked to the endpoint's alert, and a
    # sustained incident stays one alert through its quiet nights.
    assert scored.events == len(KINDS)
