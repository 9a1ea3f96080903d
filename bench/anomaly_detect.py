"""Anomaly-detection benchmark: 10,000 hourly series × 90 days, beside a rolling-median baseline.

    .venv/bin/python -m bench.anomaly_detect [--series 10000] [--days 90] [--seed 3]

1. Generates, with numpy, ``--series`` hourly cost series: a daily cycle (peak 15:00, ±60 %),
   weekends at 70 %, Poisson-like noise, and in every fifth series one injected anomaly
   (spike ×3 for 3 hours, level shift +50 %, or drop to zero for 6 hours) in the last 30 days.
2. Times costgov's detector (``seasonal_baseline`` + ``flag_points`` + ``incidents_from_flags``,
   the code ``anomalies_detect`` runs) over every point of every series.
3. Baseline in the same run: a plain rolling-median detector (median and MAD of the previous 24
   hours, same flag and incident rules), over the same series.
4. Scores both against the injected windows (precision, recall, F1, as ``evaluate_detector``).
5. With statsmodels installed, times MSTL (periods 24 and 168) on ``--stl-sample`` series and
   extrapolates to all series: the reason the detector does not run STL per series.
6. Times the whole hourly judging path that ``anomalies_detect`` runs on endpoint series
   (``judge``: cost, requests and unit cost, the 3-hour pooled unit cost; then incidents and
   step splits) on the same number of endpoints, with Poisson requests, tokens per request and
   GPU time on a two-rate line with 20 % per-request spread. Not scored: it is timed.
No database is used.
"""

import argparse
import resource
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from apps.anomalies.detection.baseline import rolling_median_baseline, seasonal_baseline
from apps.anomalies.detection.detector import (
    Thresholds,
    flag_points,
    incidents_from_flags,
    split_at_steps,
)
from apps.anomalies.detection.evaluation import Event, Window, score
from apps.anomalies.detection.judge import judge
from apps.anomalies.series import SeriesSet

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def generate(series: int, days: int, seed: int) -> tuple[np.ndarray, list[Window]]:
    rng = np.random.default_rng(seed)
    hours = np.arange(days * 24)
    daily = 1 + 0.6 * np.cos((hours % 24 - 15) / 24 * 2 * np.pi)
    weekend = np.where((hours // 24) % 7 >= 5, 0.7, 1.0)
    level = rng.uniform(2, 200, size=(series, 1))
    values = level * daily * weekend
    values = values * (1 + rng.normal(0, 0.05, size=values.shape))
    windows = []
    for s in range(0, series, 5):
        start = int(rng.integers((days - 30) * 24, days * 24 - 24))
        kind = s // 5 % 3
        if kind == 0:
            end = start + 3
            values[s, start:end] *= 3
        elif kind == 1:
            end = days * 24
            values[s, start:] *= 1.5
        else:
            end = start + 6
            values[s, start:end] = 0
        windows.append(
            Window(str(s), T0 + timedelta(hours=start), T0 + timedelta(hours=end), str(kind))
        )
    return values, windows


def detect(values: np.ndarray, baseline_fn: object) -> tuple[float, list]:
    started = time.perf_counter()
    baseline = baseline_fn(values)
    flags = flag_points(values, baseline, thresholds=Thresholds(min_impact=0.5))
    found = incidents_from_flags(flags, max_gap=2, min_points=2)
    return time.perf_counter() - started, found


def events(found: list) -> list[Event]:
    return [
        Event(str(i.series), T0 + timedelta(hours=i.start), T0 + timedelta(hours=i.end))
        for i in found
    ]


def endpoint_series(values: np.ndarray, seed: int) -> SeriesSet:
    """Endpoints whose cost is ``values``: requests follow the cost, tokens the requests, GPU
    time the tokens (prefill and decode rates, lognormal per-request spread)."""
    rng = np.random.default_rng(seed)
    series, points = values.shape
    requests = rng.poisson(values * rng.uniform(0.5, 20, size=(series, 1))).astype(float)
    input_tokens = requests * rng.uniform(200, 2_000, size=(series, 1))
    output_tokens = requests * rng.uniform(50, 500, size=(series, 1))
    spread = np.exp(rng.normal(0, 0.2 / np.sqrt(np.maximum(requests, 1))))
    gpu_ms = (0.05 * input_tokens + 1.5 * output_tokens) * spread
    return SeriesSet(
        index=pd.date_range(T0, periods=points, freq="h"),
        keys=[("endpoint", f"ep-{i}", None) for i in range(series)],
        cost=values,
        requests=requests,
        tokens=input_tokens + output_tokens,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        gpu_ms=gpu_ms,
        pooled=np.zeros_like(values),
    )


def judge_seconds(data: SeriesSet) -> tuple[float, int]:
    """Time of the hourly path of ``anomalies_detect`` from loaded series to incidents."""
    thresholds = np.tile([4.0, 0.5, 0.1], (len(data.keys), 1))
    started = time.perf_counter()
    judged = judge(
        data, thresholds, season=24, history_seasons=7, weekly=7, hourly=True, band_k=4.0
    )
    found = incidents_from_flags(
        judged.flags, max_gap=2, min_points=2, holding=judged.holding, signal=judged.signal
    )
    found = split_at_steps(
        found,
        judged.flags,
        data.cost,
        judged.cost.expected,
        judged.cost.scale,
        band_k=thresholds[:, :1],
        min_relative=thresholds[:, 2:3],
        judged=np.zeros_like(judged.flags, dtype=bool),
        min_points=2,
    )
    return time.perf_counter() - started, len(found)


def stl_seconds(values: np.ndarray, sample: int) -> float | None:
    try:
        from statsmodels.tsa.seasonal import MSTL
    except ImportError:
        return None
    started = time.perf_counter()
    for row in values[:sample]:
        MSTL(row, periods=(24, 168)).fit()
    return (time.perf_counter() - started) / sample


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--stl-sample", type=int, default=10)
    args = parser.parse_args()
    values, windows = generate(args.series, args.days, args.seed)
    points = values.size
    print(f"series {args.series:,} x {args.days} days hourly = {points:,} points")
    for name, fn in (
        ("costgov seasonal", seasonal_baseline),
        ("rolling median 24h", rolling_median_baseline),
    ):
        seconds, found = detect(values, fn)
        result = score(windows, events(found), confirm=timedelta(hours=2))
        print(
            f"{name:20s} {seconds:7.1f} s  {points / seconds / 1e6:6.2f} M points/s  "
            f"incidents {len(found):6d}  precision {result.precision:.3f}  "
            f"recall {result.recall:.3f}  F1 {result.f1:.3f}"
        )
    seconds, found = judge_seconds(endpoint_series(values, args.seed))
    print(
        f"{'endpoint judging':20s} {seconds:7.1f} s  {points / seconds / 1e6:6.2f} M points/s  "
        f"incidents {found:6d}  (cost, requests, unit cost, pooled unit cost; not scored)"
    )
    per_series = stl_seconds(values, args.stl_sample)
    if per_series is not None:
        print(
            f"{'statsmodels MSTL':20s} {per_series * 1000:7.0f} ms per series "
            f"(sample of {args.stl_sample}) -> ~{per_series * args.series:,.0f} s for all series"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
