"""Scoring alerts against labelled windows (pure)."""

from datetime import UTC, datetime, timedelta

from apps.anomalies.detection.evaluation import Event, Window, score

T0 = datetime(2026, 11, 10, tzinfo=UTC)
H = timedelta(hours=1)
PRICE = Window("instance_type:g6", T0, T0 + 100 * H, "pricing_change", ("instance_type", "g6"))


def test_a_linked_anomaly_makes_its_alert_true_and_the_delay_runs_to_its_confirmation():
    alert = Event(
        "endpoint:a", T0 + H, T0 + 9 * H, ("instance_type", "g6"),
        confirmed_at=T0 + 5 * H, also=(("instance_type:g6", T0, T0 + 9 * H),),
    )  # fmt: skip
    result = score([PRICE], [alert], confirm=2 * H)
    assert (result.events, result.true_events, result.detected) == (1, 1, 1)
    assert result.per_label[0]["delay_s"] == (5 * H).total_seconds()
    assert result.per_label[0]["root_cause_ok"]


def test_an_older_alert_about_another_cause_does_not_detect_a_label():
    idle = Event(
        "endpoint:a", T0 - 90 * H, T0 + 80 * H, ("resource_id", "i-1"),
        confirmed_at=T0 - 88 * H, also=(("instance_type:g6", T0 - 90 * H, T0 + 80 * H),),
    )  # fmt: skip
    result = score([PRICE], [idle], confirm=2 * H)
    assert result.detected == 0
    assert result.true_events == 1  # it overlaps the window: not a false alert
