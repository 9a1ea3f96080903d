"""Unit cost (GPU time per token) baseline and the incident rules around it (no database)."""

import numpy as np

from apps.anomalies.detection.baseline import seasonal_baseline
from apps.anomalies.detection.detector import (
    Thresholds,
    flag_points,
    holding_points,
    incidents_from_flags,
    split_at_steps,
)
from apps.anomalies.detection.unitcost import trailing_sum, unit_cost_baseline

DAYS = 14
SHIFT_DAY = 10
ANY_MONEY = Thresholds(min_impact=0.0)


def endpoint(*, slowdown: float, seed: int = 5, days: int = DAYS) -> tuple[np.ndarray, ...]:
    """Hourly requests (day/night cycle), tokens and GPU time of a two-rate endpoint: each
    request costs 2 ms per input token and 20 ms per output token, ±20 % (lognormal); from
    ``SHIFT_DAY`` on every request is ``slowdown`` times slower."""
    rng = np.random.default_rng(seed)
    hours = np.arange(days * 24)
    rate = 8 * (1 + 0.7 * np.cos((hours % 24 - 15) / 24 * 2 * np.pi))
    req = rng.poisson(rate)
    tin, tout, gpu = (np.zeros(hours.size) for _ in range(3))
    for h, n in enumerate(req):
        i = rng.lognormal(np.log(800), 0.5, n)
        o = rng.lognormal(np.log(200), 0.4, n)
        factor = slowdown if h >= SHIFT_DAY * 24 else 1.0
        tin[h], tout[h] = i.sum(), o.sum()
        gpu[h] = (factor * (2 * i + 20 * o) * rng.lognormal(0, 0.2, n)).sum()
    cost = np.full(hours.size, 3.0)  # a share of a node: flat, whatever the endpoint does
    return tuple(m[None, :].astype(float) for m in (gpu, tin, tout, req, cost))


def unit_incidents(*usage: np.ndarray) -> list:
    base, price = unit_cost_baseline(*usage)
    flags = flag_points(usage[0], base, thresholds=ANY_MONEY, unit_value=price)
    flags[flags < 0] = 0
    holding = holding_points(usage[0], base.expected, np.array([[0.1]]))[None]
    return incidents_from_flags(flags, holding=holding, signal=np.zeros_like(flags))


def test_the_two_rate_fit_learns_the_tokens_cost_and_raises_nothing_on_steady_traffic():
    usage = endpoint(slowdown=1.0)
    base, price = unit_cost_baseline(*usage)
    judged = np.isfinite(base.expected)
    assert not judged[0, : 7 * 24].any()  # a week of the traffic mix first
    assert judged[0, 7 * 24 :].mean() > 0.9  # then every hour with requests
    ratio = usage[0][judged] / base.expected[judged]
    assert abs(np.median(ratio) - 1) < 0.03
    assert np.nanmax(price) < 1  # cost per GPU-millisecond: $3 an hour over ~10^5 ms
    assert unit_incidents(*usage) == []


def test_a_slower_model_version_is_one_incident_from_its_first_hours_while_cost_is_flat():
    usage = endpoint(slowdown=1.6)
    found = unit_incidents(*usage)
    assert len(found) == 1
    # It starts at midnight, at two or three requests an hour: the first hours are thin.
    assert SHIFT_DAY * 24 <= found[0].start <= SHIFT_DAY * 24 + 8
    assert found[0].end >= (SHIFT_DAY + 2) * 24  # nights of few requests do not split it
    cost = usage[4]
    assert (
        incidents_from_flags(flag_points(cost, seasonal_baseline(cost), thresholds=ANY_MONEY)) == []
    )  # the cost series alone shows nothing


def test_trailing_sum_adds_each_point_and_the_ones_before_it():
    values = np.array([[1.0, np.nan, 3.0, 4.0, np.nan, np.nan, np.nan]])
    assert np.array_equal(
        trailing_sum(values, 3), np.array([[1.0, 1.0, 4.0, 7.0, 7.0, 4.0, np.nan]]), equal_nan=True
    )


def test_points_that_still_lean_the_incident_way_do_not_split_it():
    flags = np.zeros((1, 12), dtype=np.int8)
    flags[0, [1, 2, 8, 9]] = 1
    values = np.ones((1, 12))
    values[0, 3:8] = np.array([1.2, np.nan, 1.15, 1.3, 1.2])  # leaning up, or no data
    holding = holding_points(values, np.ones((1, 12)), np.array([[0.1]]))[None]
    signal = np.zeros_like(flags)
    joined = incidents_from_flags(flags, holding=holding, signal=signal)
    assert [(i.start, i.end, i.points) for i in joined] == [(1, 10, 4)]
    values[0, 3:8] = 1.0  # back to normal: two incidents
    holding = holding_points(values, np.ones((1, 12)), np.array([[0.1]]))[None]
    split = incidents_from_flags(flags, holding=holding, signal=signal)
    assert [(i.start, i.end) for i in split] == [(1, 3), (8, 10)]


def test_daily_points_are_judged_after_two_weeks_of_history():
    hourly = endpoint(slowdown=1.0, days=21)
    daily = [m.reshape(1, 21, 24).sum(axis=2) for m in hourly]
    base, _ = unit_cost_baseline(*daily, season=7, history_seasons=4, min_history=2)
    judged = np.isfinite(base.expected[0])
    assert not judged[:14].any()
    assert judged[14:].all()
    ratio = daily[0][0, 14:] / base.expected[0, 14:]
    assert np.all(np.abs(ratio - 1) < 0.1)


def test_a_step_on_top_of_an_open_incident_starts_a_new_one_from_its_level():
    expected = np.full((1, 30), 10.0)
    values = expected.copy()
    values[0, 5:] = 12.5  # +25 %: an idle replica
    values[0, 15:] = 14.5  # +16 % on top of it: a price rise
    flags = np.where(values > expected * 1.1, 1, 0).astype(np.int8)
    found = incidents_from_flags(flags)
    assert [(i.start, i.end) for i in found] == [(5, 30)]
    steps = {
        "band_k": np.array([[4.0]]),
        "min_relative": np.array([[0.1]]),
        "judged": flags != 0,
    }
    split = split_at_steps(found, flags, values, expected, np.full((1, 30), 0.3), **steps)
    assert [(i.start, i.end, i.follows, i.level) for i in split] == [
        (5, 15, False, 1.0),
        (15, 30, True, 1.25),
    ]
    values[0, 15:] = 13.0  # +4 %: noise around the incident's level, not a new step
    flags = np.where(values > expected * 1.1, 1, 0).astype(np.int8)
    same = split_at_steps(found, flags, values, expected, np.full((1, 30), 0.3), **steps)
    assert [(i.start, i.end, i.follows) for i in same] == [(5, 30, False)]
