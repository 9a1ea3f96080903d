"""The chart's view of a unit-cost series: priced GPU time per 1k tokens, a gap where unpriced."""

import numpy as np
import pandas as pd

from apps.anomalies.detection.baseline import Baseline
from apps.anomalies.detection.judge import Judged, signal_view
from apps.anomalies.series import SeriesSet


def _one_series(gpu_price: list[float]) -> tuple[SeriesSet, Judged]:
    points = len(gpu_price)
    ones = np.ones((1, points))
    data = SeriesSet(
        index=pd.date_range("2026-11-01", periods=points, freq="h", tz="UTC"),
        keys=[("endpoint", "ep", None)],
        cost=ones * 2,
        requests=ones * 10,
        tokens=ones * 4_000,
        input_tokens=ones * 3_000,
        output_tokens=ones * 1_000,
        gpu_ms=ones * 800,
        pooled=ones * 0,
    )
    gpu = Baseline(expected=ones * 500, scale=ones * 50, history=ones * 7)
    zero = np.zeros((1, points))
    judged = Judged(
        flags=zero.astype(int),
        strong=zero.astype(bool),
        cost=gpu,
        requests=gpu,
        unit=zero,
        gpu=gpu,
        gpu_price=np.array([gpu_price]),
        signal=zero.astype(int),
        holding=np.zeros((3, 1, points)),
    )
    return data, judged


def test_unit_cost_is_priced_gpu_time_per_1k_tokens():
    data, judged = _one_series([0.002, 0.002])
    actual, expected, scale = signal_view(data, judged, "unit_cost", 0)
    # 800 GPU-ms x $0.002 over 4,000 tokens = $0.40 per 1k tokens; expected 500 GPU-ms: $0.25.
    np.testing.assert_allclose(actual, [0.4, 0.4])
    np.testing.assert_allclose(expected, [0.25, 0.25])
    np.testing.assert_allclose(scale, [0.025, 0.025])


def test_unit_cost_before_a_price_is_known_is_a_gap_not_zero():
    data, judged = _one_series([0.0, 0.002])
    actual, expected, _ = signal_view(data, judged, "unit_cost", 0)
    assert np.isnan(actual[0])
    assert np.isnan(expected[0])
    assert actual[1] > 0
