"""End to end on a generated demo dataset: billing, telemetry and attribution through their
services, then hourly detection scored against the generator's labels."""

from datetime import date, timedelta

import pytest

from apps.anomalies.management.commands.evaluate_detector import evaluate_demo
from apps.demo.generator.build import Options, dataset_generate

SMALL = Options(
    days=16, seed=7, teams=6, endpoints=24, start=date(2025, 3, 3), requests_per_day=2000
)


@pytest.mark.django_db
def test_injected_incidents_are_caught_within_two_hours_with_their_root_cause_first(tmp_path):
    dataset_generate(out=tmp_path / "demo", opts=SMALL)
    result = evaluate_demo(tmp_path / "demo", load=True)
    rows = {row["kind"]: row for row in result.per_label}
    assert sorted(rows) == [
        "idle_replica", "model_version_regression", "pricing_change", "runaway_batch",
        "traffic_spike",
    ]  # fmt: skip
    # The model-version regression shifts a shared node's split by a few percent an hour; on a
    # dataset this small and this quiet it is not reliably separable from noise (see
    # docs/anomaly-detection.md for the measured 35-day figures), so it is not asserted here.
    for kind in ("idle_replica", "pricing_change", "traffic_spike", "runaway_batch"):
        row = rows[kind]
        assert row["detected"], row
        assert row["root_cause_ok"], row
        assert row["delay_s"] <= timedelta(hours=2).total_seconds(), row
