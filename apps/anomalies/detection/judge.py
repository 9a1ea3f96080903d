"""Judging every point of every series on three signals (pure numpy, no ORM).

A point is judged on its cost, its requests (priced at the expected cost per request) and its
unit cost (GPU time of its tokens, priced per GPU-millisecond; see ``unitcost``), and carries
the flagged signal with the largest impact. ``holding`` records, per signal, which way each
point still leans, so incidents end only when their own signal is back to normal.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from apps.anomalies.detection.baseline import Baseline, seasonal_baseline
from apps.anomalies.detection.detector import (
    Incident,
    flag_points,
    holding_points,
    strong_points,
)
from apps.anomalies.detection.unitcost import trailing_sum, unit_cost_baseline

if TYPE_CHECKING:
    from apps.anomalies.series import SeriesSet

SIGNALS = ("cost", "requests", "unit_cost")  # index = code in Judged.signal (Signal values)
POOLED_SHARE = 0.5
UNIT_POOL_HOURS = 3


@dataclass
class Judged:
    flags: np.ndarray
    strong: np.ndarray
    cost: Baseline
    requests: Baseline
    unit: np.ndarray  # expected cost per request
    gpu: Baseline  # expected GPU time of the hour's tokens
    gpu_price: np.ndarray  # cost per GPU-millisecond
    signal: np.ndarray  # per point: index into SIGNALS
    holding: np.ndarray  # (signals, series, points): see detector.holding_points


def pooled_rows(data: "SeriesSet") -> np.ndarray:
    """Series whose cost is mostly a share of shared pools."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nansum(data.pooled, axis=1) / np.nansum(data.cost, axis=1)
    return np.nan_to_num(share) > POOLED_SHARE


def judge(
    data: "SeriesSet",
    thresholds: np.ndarray,
    *,
    season: int,
    history_seasons: int,
    weekly: int,
    hourly: bool,
    band_k: float,
) -> Judged:
    """Cost, request and unit-cost flags per point; a point's signal is the one with the
    largest impact.

    Hourly, an endpoint that lives mostly on shared pools is not judged on its cost: its share
    of a node moves hour by hour with its neighbours' traffic (alone on a node at night, it is
    billed the whole node's hour). Its own doing is judged instead: its requests (priced at its
    cost per request) and its unit cost (GPU time per token, priced per GPU-millisecond). Its
    daily cost is still judged, and the pools themselves are seen on the instance-type, account
    and team series.
    """
    season_args = {"season": season, "history_seasons": history_seasons, "weekly": weekly}
    cost_base = seasonal_baseline(data.cost, **season_args)
    cost_flags = flag_points(data.cost, cost_base, thresholds=thresholds)
    if hourly:
        cost_flags[pooled_rows(data)] = 0
    req_base = seasonal_baseline(data.requests, counts=True, **season_args)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(req_base.expected > 0, cost_base.expected / req_base.expected, 0.0)
    unit = np.nan_to_num(unit, nan=0.0, posinf=0.0)
    req_flags = flag_points(data.requests, req_base, thresholds=thresholds, unit_value=unit)
    usage = (data.gpu_ms, data.input_tokens, data.output_tokens, data.requests, data.cost)
    unit_season = {
        "season": season,
        "history_seasons": history_seasons,
        "min_history": 7 if hourly else 2,  # a week of traffic
        "band_k": band_k,
    }
    gpu_base, gpu_price = unit_cost_baseline(*usage, **unit_season)
    gpu_price = np.nan_to_num(gpu_price, nan=0.0, posinf=0.0)
    gpu_flags = flag_points(data.gpu_ms, gpu_base, thresholds=thresholds, unit_value=gpu_price)
    if hourly:
        # A night hour of one or two requests cannot show a unit-cost shift on its own; the
        # same shift over the last UNIT_POOL_HOURS hours can. Impact: per hour, on average.
        pooled = [trailing_sum(m, UNIT_POOL_HOURS) for m in usage]
        pool_base, pool_price = unit_cost_baseline(*pooled, **unit_season)
        pool_price = np.nan_to_num(pool_price, nan=0.0, posinf=0.0) / UNIT_POOL_HOURS
        pool_flags = flag_points(pooled[0], pool_base, thresholds=thresholds, unit_value=pool_price)
        # The hour itself must have moved by the relative threshold: the pool carries an
        # incident through thin hours, it does not lend one hour's excess to its neighbours.
        with np.errstate(invalid="ignore", divide="ignore"):
            own = (data.gpu_ms - gpu_base.expected) / gpu_base.expected >= thresholds[:, 2:3]
        gpu_flags = np.where(gpu_flags > 0, gpu_flags, pool_flags * own)
    gpu_flags[gpu_flags < 0] = 0  # cheaper tokens cost no one money (see detection.unitcost)
    with np.errstate(invalid="ignore"):
        impacts = np.stack(
            [
                np.abs(data.cost - cost_base.expected),
                np.abs((data.requests - req_base.expected) * unit),
                np.abs((data.gpu_ms - gpu_base.expected) * gpu_price),
            ]
        )
    every = np.stack([cost_flags, req_flags, gpu_flags])
    impacts = np.where(every != 0, np.nan_to_num(impacts), -1.0)
    signal = np.argmax(impacts, axis=0)
    flags = np.take_along_axis(every, signal[None], axis=0)[0]
    k = thresholds[:, :1]
    strong = np.choose(
        signal,
        [
            strong_points(data.cost, cost_base, band_k=k),
            strong_points(data.requests, req_base, band_k=k),
            strong_points(data.gpu_ms, gpu_base, band_k=k),
        ],
    ) & (flags != 0)
    min_rel = thresholds[:, 2:3]
    holding = np.stack(
        [
            holding_points(data.cost, cost_base.expected, min_rel),
            holding_points(data.requests, req_base.expected, min_rel),
            holding_points(data.gpu_ms, gpu_base.expected, min_rel),
        ]
    )
    return Judged(flags, strong, cost_base, req_base, unit, gpu_base, gpu_price, signal, holding)


def incident_signal(j: Judged, row: int, inc: Incident) -> str:
    codes = j.signal[row, inc.start : inc.end][j.flags[row, inc.start : inc.end] != 0]
    return SIGNALS[int(np.bincount(codes, minlength=len(SIGNALS)).argmax())]


def signal_view(
    data: "SeriesSet", j: Judged, signal: str, row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actual, expected and scale of one series in the units its chart shows. Unit cost is
    shown as cost per 1k tokens: GPU time priced per GPU-millisecond, over the hour's tokens."""
    if signal == "requests":
        return data.requests[row], j.requests.expected[row], j.requests.scale[row]
    if signal == "unit_cost":
        with np.errstate(invalid="ignore", divide="ignore"):
            # Before the history gives a price per GPU-millisecond (0 here), the unit cost is
            # unknown, not zero: NaN, a gap in the chart.
            price = np.where(j.gpu_price[row] > 0, j.gpu_price[row], np.nan)
            per_1k = price * 1000 / data.tokens[row]
            return (
                data.gpu_ms[row] * per_1k,
                j.gpu.expected[row] * per_1k,
                j.gpu.scale[row] * per_1k,
            )
    return data.cost[row], j.cost.expected[row], j.cost.scale[row]
