"""The pure detector: seasonal baseline, flags, incidents (no database)."""

import numpy as np
import pytest

from apps.anomalies.detection.baseline import seasonal_baseline
from apps.anomalies.detection.detector import Thresholds, flag_points, incidents_from_flags

DAYS = 21


def seasonal(days: int = DAYS, seed: int = 1) -> np.ndarray:
    """Hourly traffic: peak at 15:00, weekends at 70 %, Poisson noise."""
    rng = np.random.default_rng(seed)
    hours = np.arange(days * 24)
    daily = 1 + 0.6 * np.cos((hours % 24 - 15) / 24 * 2 * np.pi)
    weekend = np.where((hours // 24) % 7 >= 5, 0.7, 1.0)
    return rng.poisson(200 * daily * weekend).astype(float)[None, :]


ANY_MONEY = Thresholds(min_impact=0.0)


def incidents(
    values: np.ndarray, thresholds: Thresholds = ANY_MONEY, *, counts: bool = False
) -> list:
    baseline = seasonal_baseline(values, counts=counts)
    return incidents_from_flags(flag_points(values, baseline, thresholds=thresholds))


def test_seasonal_traffic_with_weekends_raises_no_incident():
    assert incidents(seasonal(), counts=True) == []


def test_three_hour_spike_is_one_incident_starting_at_its_first_hour():
    values = seasonal()
    values[0, 16 * 24 + 14 : 16 * 24 + 17] *= 4
    found = incidents(values, counts=True)
    assert [(i.start, i.end, i.direction) for i in found] == [(16 * 24 + 14, 16 * 24 + 17, 1)]


def test_drop_to_zero_is_a_downward_incident():
    values = seasonal()
    values[0, 18 * 24 + 3 :] = 0
    found = incidents(values, counts=True)
    assert found[0].start == 18 * 24 + 3
    assert found[0].direction == -1


def test_missing_hours_are_skipped_not_judged():
    values = seasonal()
    values[0, 10 * 24 : 10 * 24 + 6] = np.nan
    assert incidents(values, counts=True) == []


def test_new_series_is_not_judged_before_a_day_of_history():
    values = seasonal()
    values[0, : 5 * 24] = np.nan
    baseline = seasonal_baseline(values)
    assert np.isnan(baseline.expected[0, : 6 * 24]).all()
    assert np.isfinite(baseline.expected[0, 6 * 24 :]).all()


def test_level_shift_becomes_the_new_normal_after_four_days():
    values = np.full((1, DAYS * 24), 10.0)
    values[0, 10 * 24 :] = 15.0
    found = incidents(values, Thresholds(min_impact=0.0))
    assert len(found) == 1
    assert found[0].start == 10 * 24
    assert found[0].end == 14 * 24  # median of 7 days flips after 4 days at the new level


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        (Thresholds(min_impact=0.0, min_relative=0.10), 1),
        (Thresholds(min_impact=100.0, min_relative=0.10), 0),  # too small in money
        (Thresholds(min_impact=0.0, min_relative=0.60), 0),  # too small relative to expected
    ],
)
def test_an_anomaly_needs_the_band_and_both_thresholds(thresholds, expected):
    values = np.full((1, DAYS * 24), 10.0)
    values[0, 15 * 24 : 15 * 24 + 3] = 15.0  # +5 per hour, +50 %
    assert len(incidents(values, thresholds)) == expected


def test_a_lone_anomalous_hour_is_not_an_incident():
    values = np.full((1, DAYS * 24), 10.0)
    values[0, 15 * 24] = 30.0
    assert incidents(values) == []


def test_spikes_seen_in_the_last_week_are_part_of_the_series_but_a_shift_is_not():
    values = np.full((1, DAYS * 24), 1.0)
    for day in (10, 12):
        values[0, day * 24 + 3 : day * 24 + 5] = 20.0  # a pool tenant alone on a node at night
    found = incidents(values)
    assert [i.start for i in found] == [10 * 24 + 3]  # the first is news, the repeat is not
    values[0, 15 * 24 :] = 40.0  # a shift beyond the spikes' height is still news at once
    assert [i.start for i in incidents(values)] == [10 * 24 + 3, 15 * 24]
