"""Root cause of one anomaly: ranked contributors and the usage / unit-cost split (read-only).

Contributors come from ``detection.rootcause.rank_contributors`` over the anomaly's window
against the detector's reference (the same hours 1..7 days earlier; for daily monitors the
same weekday 1..4 weeks earlier):

- ledger dimensions (resource, instance type, SKU, region, account; endpoint for teams) from
  attribution parts, or from the ledger for instance-type and account monitors;
- telemetry dimensions (model version, lane, customer, accelerator) for endpoints: an hour's
  cost is spread over them by their share of that hour's GPU time (for a requests anomaly:
  their requests; for a unit-cost anomaly: their GPU time itself). Ledger dimensions are left
  out of request and unit-cost anomalies, whose change is not in the ledger.

A price change leaves every share unchanged, so it is tested directly: when the billed rate of
an instance type (cost / instance-hours) changed and that change explains at least half of the
delta, the instance type is named first.
"""

from datetime import datetime, timedelta

import pandas as pd
from django.db import connection

from apps.anomalies.choices import Granularity, MonitorKind, Signal
from apps.anomalies.detection.rootcause import rank_contributors
from apps.anomalies.models import Anomaly
from apps.common.sql import load_sql

LEDGER_DIMENSIONS = ["resource_id", "instance_type", "sku_id", "region", "account"]
TELEMETRY_DIMENSIONS = ["model_version", "lane", "customer", "accelerator"]
PRICE_EFFECT_SHARE = 0.5


def _query(name: str, params: dict, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cur:
        cur.execute(load_sql("anomalies", name), params)
        frame = pd.DataFrame(cur.fetchall(), columns=columns)
    if not frame.empty:
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def _reference_shifts(granularity: str) -> list[timedelta]:
    if granularity == Granularity.DAY:
        return [timedelta(days=7 * k) for k in range(1, 5)]
    return [timedelta(days=k) for k in range(1, 8)]


def _long(frame: pd.DataFrame, dimensions: list[str], amount: str) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {"dimension": d, "value": frame[d], "ts": frame["ts"], "amount": frame[amount]}
        )
        for d in dimensions
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _split(
    frame: pd.DataFrame,
    *,
    start: datetime,
    end: datetime,
    shifts: list[timedelta],
    granularity: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ts = frame["ts"]
    if granularity == Granularity.DAY:
        ts = ts.dt.floor("D")
    actual = frame[(ts >= start) & (ts < end)]
    mask = pd.Series(False, index=frame.index)
    for shift in shifts:
        mask |= (ts >= start - shift) & (ts < end - shift) & ((ts < start) | (ts >= end))
    return actual, frame[mask]


def _cost_rows(anomaly: Anomaly, lo: datetime, hi: datetime) -> pd.DataFrame:
    monitor = anomaly.monitor
    columns = ["ts", *LEDGER_DIMENSIONS, "endpoint", "cost"]
    if monitor.kind in (MonitorKind.ENDPOINT, MonitorKind.TEAM):
        params = {
            "start": lo,
            "end": hi,
            "endpoint": monitor.subject if monitor.kind == MonitorKind.ENDPOINT else None,
            "team": monitor.subject if monitor.kind == MonitorKind.TEAM else None,
        }
        frame = _query("select_breakdown_parts", params, columns)
    else:
        params = {
            "start": lo,
            "end": hi,
            "instance_type": monitor.subject if monitor.kind == MonitorKind.INSTANCE_TYPE else None,
            "account": monitor.subject if monitor.kind == MonitorKind.ACCOUNT else None,
        }
        frame = _query("select_breakdown_ledger", params, columns)
    if not frame.empty:
        frame["cost"] = frame["cost"].astype(float)
    return frame


def _telemetry_rows(
    anomaly: Anomaly, lo: datetime, hi: datetime, cost: pd.DataFrame, signal: str
) -> pd.DataFrame:
    columns = ["ts", *TELEMETRY_DIMENSIONS, "resource_id", "requests", "tokens", "gpu_ms"]
    frame = _query(
        "select_breakdown_telemetry",
        {"start": lo, "end": hi, "endpoint": anomaly.monitor.subject},
        columns,
    )
    if frame.empty:
        return frame
    for column in ("requests", "tokens", "gpu_ms"):
        frame[column] = frame[column].astype(float)
    if signal == Signal.REQUESTS:
        frame["amount"] = frame["requests"]
        return frame
    if signal == Signal.UNIT_COST:
        # More GPU time for the same tokens: the value whose share of GPU time moved is the one
        # whose requests got slower (a new model version), not the biggest customer.
        frame["amount"] = frame["gpu_ms"]
        return frame
    hourly_cost = cost.groupby("ts")["cost"].sum() if not cost.empty else pd.Series(dtype=float)
    gpu_total = frame.groupby("ts")["gpu_ms"].transform("sum")
    share = (frame["gpu_ms"] / gpu_total.where(gpu_total > 0)).fillna(0.0)
    frame["amount"] = share * frame["ts"].map(hourly_cost).fillna(0.0)
    return frame


def _price_effect(
    anomaly: Anomaly,
    cost: pd.DataFrame,
    start: datetime,
    end: datetime,
    shifts: list[timedelta],
    delta: float,
) -> dict | None:
    if cost.empty or delta <= 0:
        return None
    types = sorted(t for t in cost["instance_type"].unique() if t)
    if not types:
        return None
    lo, hi = start - max(shifts), end
    rates = _query(
        "select_instance_rates",
        {"start": lo, "end": hi, "instance_types": types},
        ["ts", "instance_type", "cost", "hours"],
    )
    if rates.empty:
        return None
    rates["cost"] = rates["cost"].astype(float)
    rates["hours"] = rates["hours"].astype(float)
    now_rows, ref_rows = _split(
        rates, start=start, end=end, shifts=shifts, granularity=anomaly.monitor.granularity
    )
    best = None
    window_cost = cost[(cost["ts"] >= start) & (cost["ts"] < end)]
    for itype in types:
        now = now_rows[now_rows["instance_type"] == itype]
        ref = ref_rows[ref_rows["instance_type"] == itype]
        if now["hours"].sum() <= 0 or ref["hours"].sum() <= 0:
            continue
        rate_now = now["cost"].sum() / now["hours"].sum()
        rate_ref = ref["cost"].sum() / ref["hours"].sum()
        if rate_now <= rate_ref * 1.01:
            continue
        spent = window_cost.loc[window_cost["instance_type"] == itype, "cost"].sum()
        effect = spent * (1 - rate_ref / rate_now)
        if effect >= PRICE_EFFECT_SHARE * delta and (best is None or effect > best["delta"]):
            best = {
                "dimension": "instance_type",
                "value": itype,
                "expected": rate_ref,
                "actual": rate_now,
                "delta": effect,
                "share_of_delta": effect / delta,
                "surprise": 0.0,
                "reason": "unit price",
            }
    return best


def anomaly_contributors(*, anomaly: Anomaly) -> list[dict]:
    """Ranked contributors of ``anomaly`` (JSON-ready; amounts are floats for display)."""
    monitor = anomaly.monitor
    shifts = _reference_shifts(monitor.granularity)
    start, end = anomaly.start_at, anomaly.end_at
    lo, hi = start - max(shifts), end
    cost = _cost_rows(anomaly, lo, hi)
    longs = []
    dimensions = list(LEDGER_DIMENSIONS)
    if monitor.kind == MonitorKind.TEAM:
        dimensions.append("endpoint")
    if anomaly.signal == Signal.COST and not cost.empty:
        longs.append(_long(cost, dimensions, "cost"))
    if monitor.kind == MonitorKind.ENDPOINT:
        telemetry = _telemetry_rows(anomaly, lo, hi, cost, anomaly.signal)
        if not telemetry.empty:
            longs.append(_long(telemetry, TELEMETRY_DIMENSIONS, "amount"))
    frame = (
        pd.concat(longs, ignore_index=True)
        if longs
        else pd.DataFrame(columns=["dimension", "value", "ts", "amount"])
    )
    actual, reference = _split(
        frame, start=start, end=end, shifts=shifts, granularity=monitor.granularity
    )
    ranked = rank_contributors(
        actual,
        reference,
        reference_days=len(shifts),
        series_dimension=monitor.kind,
        series_value=monitor.subject,
    )
    if anomaly.signal == Signal.COST:
        delta = float(anomaly.actual_cost - anomaly.expected_cost)
        price = _price_effect(anomaly, cost, start, end, shifts, delta)
        if price is not None:
            ranked = [price, *[r for r in ranked if r["dimension"] != monitor.kind]]
    return [
        {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()} for row in ranked
    ]
