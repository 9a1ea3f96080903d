"""Series selectors: hourly or daily cost and usage as dense matrices for the detector (reads).

Cost per endpoint and team comes from attribution parts: each part keeps its ledger row, whose
charge period gives the hour, so hourly endpoint cost is exact (no re-split). Instance-type and
account cost come straight from the ledger. Usage (requests, tokens, GPU time) comes from the
telemetry rollups. Values are floats: they feed a statistical model; money reported to people is
recomputed in Decimal from the same rows (``window_cost``).

Missing data: a series is NaN before its first row (a new series has no history: cold start)
and after the last hour the source has data for (not yet arrived); in between, an hour without a
row is a real zero (a paid endpoint dropping to zero is news).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection

from apps.anomalies.choices import Granularity
from apps.common.sql import load_sql

STEP = {Granularity.HOUR: timedelta(hours=1), Granularity.DAY: timedelta(days=1)}
USAGE_COLUMNS = ["requests", "tokens", "input_tokens", "output_tokens", "gpu_ms"]
COST_COLUMNS = ["kind", "key", "team", "ts", "cost", "pooled"]


@dataclass
class SeriesSet:
    """``keys[i] = (kind, subject, team name or None)``; matrices are (series, points)."""

    index: pd.DatetimeIndex
    keys: list[tuple[str, str, str | None]]
    cost: np.ndarray
    requests: np.ndarray  # NaN rows for series without usage (teams, SKUs, accounts)
    tokens: np.ndarray
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    gpu_ms: np.ndarray
    pooled: np.ndarray  # the part of ``cost`` that is a share of a shared pool (endpoints)


def _frame(name: str, params: dict, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cur:
        cur.execute(load_sql("anomalies", name), params)
        return pd.DataFrame(cur.fetchall(), columns=columns)


def _dense(frame: pd.DataFrame, rows: list, value: str, index: pd.DatetimeIndex) -> np.ndarray:
    if frame.empty:
        return np.full((len(rows), len(index)), np.nan)
    frame = frame.assign(**{value: frame[value].astype(float)})
    wide = frame.pivot_table(index="series", columns="ts", values=value, aggfunc="sum")
    wide = wide.reindex(index=rows, columns=index)
    values = wide.to_numpy(dtype=float)
    # Zero between a series' first row and the source's last hour; NaN outside (see module).
    present = ~np.isnan(values)
    first = np.where(present.any(axis=1), present.argmax(axis=1), len(index))
    covered = frame["ts"].max()
    last = int(index.searchsorted(covered, side="right"))
    positions = np.arange(len(index))[None, :]
    inside = (positions >= first[:, None]) & (positions < last)
    return np.where(inside, np.nan_to_num(values, nan=0.0), np.nan)


def series_load(*, granularity: str, start: datetime, end: datetime) -> SeriesSet:
    """Every cost series (endpoint, team, instance type, account) and endpoint usage.

    The index starts at the UTC midnight on or before ``start``: the detector reads the matrix
    as whole days (hour of day = column mod 24).
    """
    step = STEP[Granularity(granularity)]
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == Granularity.DAY:
        index = pd.date_range(start.date(), end.date(), freq="D", inclusive="left", tz="UTC")
        params = {"start": start.date(), "end": end.date()}
        cost_sql, usage_sql = "select_cost_daily", "select_usage_daily"
    else:
        index = pd.date_range(start, end - step, freq="h", tz="UTC")
        params = {"start": start, "end": end}
        cost_sql, usage_sql = "select_cost_hourly", "select_usage_hourly"
    cost = _frame(cost_sql, params, COST_COLUMNS)
    usage = _frame(usage_sql, params, ["key", "team", "ts", *USAGE_COLUMNS])
    for frame in (cost, usage):
        if not frame.empty:
            frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    usage_rows = usage[["key", "team"]].drop_duplicates() if not usage.empty else usage
    keys = sorted(
        {(k, s, t) for k, s, t in cost[["kind", "key", "team"]].itertuples(index=False)}
        | {("endpoint", s, t) for s, t in usage_rows.itertuples(index=False)}
    )
    cost["series"] = list(zip(cost["kind"], cost["key"], cost["team"], strict=True))
    usage["series"] = [("endpoint", s, t) for s, t in zip(usage["key"], usage["team"], strict=True)]
    return SeriesSet(
        index=index,
        keys=keys,
        cost=_dense(cost, keys, "cost", index),
        requests=_dense(usage, keys, "requests", index),
        tokens=_dense(usage, keys, "tokens", index),
        input_tokens=_dense(usage, keys, "input_tokens", index),
        output_tokens=_dense(usage, keys, "output_tokens", index),
        gpu_ms=_dense(usage, keys, "gpu_ms", index),
        pooled=_dense(cost, keys, "pooled", index),
    )


def window_cost(
    *, kind: str, subject: str, granularity: str, start: datetime, end: datetime
) -> Decimal:
    """Exact (Decimal) cost of one series over ``[start, end)``."""
    if granularity == Granularity.DAY:
        params = {"start": start.date(), "end": end.date()}
        frame = _frame("select_cost_daily", params, COST_COLUMNS)
    else:
        frame = _frame(
            "select_cost_hourly",
            {"start": start, "end": end},
            COST_COLUMNS,
        )
    rows = frame[(frame["kind"] == kind) & (frame["key"] == subject)]
    return sum((Decimal(v) for v in rows["cost"]), Decimal(0))
