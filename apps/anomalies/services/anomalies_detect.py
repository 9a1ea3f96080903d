"""Detect anomalies over a window and keep one incident (alert) per monitor up to date.

Idempotent: an incident is keyed by (monitor, first anomalous point); running the same window
twice updates the same rows, and the partial unique index allows one open incident per monitor.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.accounts.models import Team
from apps.anomalies.choices import AnomalyStatus, Direction, Granularity, MonitorKind, Signal
from apps.anomalies.detection.detector import (
    Incident,
    incidents_from_flags,
    normal_points,
    split_at_steps,
)
from apps.anomalies.detection.judge import SIGNALS, Judged, incident_signal, judge, signal_view
from apps.anomalies.models import Anomaly, Monitor
from apps.anomalies.series import STEP, SeriesSet, series_load, window_cost
from apps.anomalies.services.alert_enqueue import alerts_enqueue
from apps.anomalies.services.anomaly_explain import anomaly_contributors
from apps.catalog.models import ModelEndpoint
from apps.common.money import STORAGE_QUANTUM
from apps.common.sql import load_sql
from apps.telemetry.services.rollup_apply import after_rollups_applied

logger = logging.getLogger(__name__)

LOOKBACK = {Granularity.HOUR: timedelta(days=35), Granularity.DAY: timedelta(days=70)}
MAX_GAP = 2  # normal points inside one incident
MIN_POINTS = 2  # a lone anomalous point is noise; a second one confirms the incident
CHART_CONTEXT = 48  # points shown before an incident
LINK_SHARE = 0.5  # of an anomaly's delta carried by an endpoint that has an anomaly too
KIND_ORDER = {
    MonitorKind.ENDPOINT: 0,
    MonitorKind.INSTANCE_TYPE: 1,
    MonitorKind.TEAM: 2,
    MonitorKind.ACCOUNT: 3,
}


@dataclass
class DetectSummary:
    granularity: str
    series: int = 0
    created: int = 0
    updated: int = 0
    resolved: int = 0
    suppressed: int = 0
    anomaly_ids: list[int] = field(default_factory=list)


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(STORAGE_QUANTUM)


def _season(granularity: str) -> dict:
    if granularity == Granularity.DAY:
        return {"season": 7, "history_seasons": 4, "weekly": 1}
    return {"season": 24, "history_seasons": 7, "weekly": 7}


def monitors_ensure(*, keys: list[tuple[str, str, str | None]], granularity: str) -> list[Monitor]:
    """The monitor of every series, created on first sight (cold start: no history yet)."""
    wanted = {
        f"{kind}:{subject}:{granularity}": (kind, subject, team) for kind, subject, team in keys
    }
    existing = {m.key: m for m in Monitor.objects.filter(key__in=wanted)}
    missing = [k for k in wanted if k not in existing]
    if missing:
        endpoints = dict(ModelEndpoint.objects.values_list("name", "id"))
        endpoint_team = dict(ModelEndpoint.objects.values_list("name", "team_id"))
        teams = dict(Team.objects.values_list("name", "id"))
        Monitor.objects.bulk_create(
            [
                Monitor(
                    key=key,
                    kind=wanted[key][0],
                    subject=wanted[key][1],
                    granularity=granularity,
                    endpoint_id=endpoints.get(wanted[key][1])
                    if wanted[key][0] == MonitorKind.ENDPOINT
                    else None,
                    team_id=endpoint_team.get(wanted[key][1])
                    if wanted[key][0] == MonitorKind.ENDPOINT
                    else teams.get(wanted[key][1])
                    if wanted[key][0] == MonitorKind.TEAM
                    else None,
                )
                for key in missing
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        existing = {m.key: m for m in Monitor.objects.filter(key__in=wanted)}
    return [existing[f"{kind}:{subject}:{granularity}"] for kind, subject, _ in keys]


def _thresholds(monitors: list[Monitor], granularity: str) -> np.ndarray:
    default_impact = float(
        settings.ANOMALY_MIN_IMPACT_DAILY
        if granularity == Granularity.DAY
        else settings.ANOMALY_MIN_IMPACT_HOURLY
    )
    default_rel = float(settings.ANOMALY_MIN_RELATIVE_PCT) / 100
    default_k = float(settings.ANOMALY_BAND_K)
    return np.array(
        [
            (
                (m.band_k or default_k) * m.sensitivity,
                float(m.min_impact) if m.min_impact is not None else default_impact,
                float(m.min_relative_pct) / 100 if m.min_relative_pct is not None else default_rel,
            )
            for m in monitors
        ]
    ).reshape(len(monitors), 3)


def _apply_shifts(data: SeriesSet, monitors: list[Monitor]) -> None:
    """Re-baselining: history before an accepted change is scaled to the new level."""
    for row, monitor in enumerate(monitors):
        for shift in monitor.baseline_shifts:
            at = datetime.fromisoformat(shift["at"])
            before = data.index < at
            data.cost[row, before] *= float(shift["factor"])


def _chart_points(
    data: SeriesSet, j: Judged, row: int, inc: Incident, k: float, signal: str
) -> list[dict]:
    lo = max(inc.start - CHART_CONTEXT, 0)
    hi = min(inc.end + 12, len(data.index))
    values, expected, scale = signal_view(data, j, signal, row)
    points = []
    for t in range(lo, hi):
        exp, sig, val = expected[t], scale[t], values[t]
        known = np.isfinite(exp) and np.isfinite(sig)
        points.append(
            {
                "t": data.index[t].isoformat(),
                "actual": None if not np.isfinite(val) else round(float(val), 6),
                "expected": None if not np.isfinite(exp) else round(float(exp), 6),
                "lower": round(float(max(exp - k * sig, 0.0)), 6) if known else None,
                "upper": round(float(exp + k * sig), 6) if known else None,
                "anomalous": bool(j.flags[row, t] != 0),
            }
        )
    return points


def _expected_cost(j: Judged, row: int, inc: Incident, granularity: str) -> np.ndarray:
    """Expected cost over an incident. One that follows another (a step on top of it) is
    measured from the level the series had reached: the same position of the season just before
    the step × that level, or the baseline once it has caught up with it. Its impact is then the
    new step, and its root cause what took it there."""
    expected = j.cost.expected[row, inc.start : inc.end]
    if not inc.follows:
        return expected
    season = _season(granularity)["season"]
    t = np.arange(inc.start, inc.end)
    before = inc.start - season + (t - inc.start) % season
    reached = np.where(before >= 0, inc.level * j.cost.expected[row, np.maximum(before, 0)], 0.0)
    return np.fmax(expected, reached)


def _incident_fields(
    data: SeriesSet, j: Judged, row: int, inc: Incident, monitor: Monitor, k: float
) -> dict:
    step = STEP[Granularity(monitor.granularity)]
    sl = slice(inc.start, inc.end)
    start_at = data.index[inc.start].to_pydatetime()
    end_at = data.index[inc.end - 1].to_pydatetime() + step
    signal = incident_signal(j, row, inc)
    expected_cost = float(np.nansum(_expected_cost(j, row, inc, monitor.granularity)))
    actual_cost = window_cost(
        kind=monitor.kind,
        subject=monitor.subject,
        granularity=monitor.granularity,
        start=start_at,
        end=end_at,
    )
    if signal == Signal.REQUESTS:
        impact = float(
            np.nansum((data.requests[row, sl] - j.requests.expected[row, sl]) * j.unit[row, sl])
        )
        expected_value = float(np.nansum(j.requests.expected[row, sl]))
        actual_value = float(np.nansum(data.requests[row, sl]))
    elif signal == Signal.UNIT_COST:
        price = j.gpu_price[row, sl]
        expected_value = float(np.nansum(j.gpu.expected[row, sl] * price))
        actual_value = float(
            np.nansum(
                np.where(np.isfinite(j.gpu.expected[row, sl]), data.gpu_ms[row, sl], np.nan) * price
            )
        )
        impact = actual_value - expected_value
    else:
        impact = float(actual_cost) - expected_cost
        expected_value, actual_value = expected_cost, float(actual_cost)
    # Usage effect: the usage change priced at the expected unit cost; the rest is unit cost.
    exp_req = float(np.nansum(j.requests.expected[row, sl]))
    act_req = float(np.nansum(data.requests[row, sl]))
    usage_effect = (act_req / exp_req - 1) * expected_cost if exp_req > 0 else 0.0
    cost_delta = float(actual_cost) - expected_cost
    peak = 0.0
    if expected_value > 0:
        peak = (actual_value - expected_value) / expected_value * 100
    return {
        "signal": signal,
        "direction": Direction.UP if inc.direction > 0 else Direction.DOWN,
        "start_at": start_at,
        "end_at": end_at,
        "anomalous_points": inc.points,
        "actual_cost": actual_cost.quantize(STORAGE_QUANTUM),
        "expected_cost": _money(expected_cost),
        "impact": _money(impact),
        "usage_effect": _money(usage_effect),
        "unit_cost_effect": _money(cost_delta - usage_effect),
        "peak_deviation_pct": Decimal(f"{max(min(peak, 9.99e9), -9.99e9):.2f}"),
        "points": _chart_points(data, j, row, inc, k, signal),
    }


def _upsert(
    monitor: Monitor,
    fields: dict,
    *,
    now: datetime,
    summary: DetectSummary,
    currency: str,
    follows: bool = False,
) -> None:
    """Create or grow the anomaly of one incident. ``follows``: the incident starts where the
    series stepped to a new level on top of the open one, so it is not merged into it."""
    if (
        monitor.suppress_below_impact is not None
        and abs(fields["impact"]) < monitor.suppress_below_impact
    ):
        summary.suppressed += 1
        return
    step = STEP[Granularity(monitor.granularity)]
    same = Anomaly.objects.filter(monitor=monitor, start_at=fields["start_at"]).first()
    current = (
        Anomaly.objects.select_for_update()
        .filter(monitor=monitor)
        .exclude(status=AnomalyStatus.RESOLVED)
        .first()
    )
    if same is not None and same.feedback:
        return  # people have judged this incident; detection does not reopen or rewrite it
    target = same
    if target is None and current is not None:
        adjacent = current.end_at + MAX_GAP * step >= fields["start_at"]
        if adjacent and current.direction == fields["direction"] and not follows:
            fields["start_at"] = min(current.start_at, fields["start_at"])
            target = current
        else:
            _resolve(current, now=now, summary=summary)
    if target is None:
        anomaly = Anomaly.objects.create(
            monitor=monitor,
            team_id=monitor.team_id,
            endpoint_id=monitor.endpoint_id,
            currency=currency,
            **fields,
        )
        anomaly.contributors = anomaly_contributors(anomaly=anomaly)
        anomaly.parent = _same_incident(anomaly)
        anomaly.save(update_fields=["contributors", "parent"])
        summary.created += 1
        summary.anomaly_ids.append(anomaly.id)
        alerts_enqueue(anomaly=anomaly, event="opened")
        return
    changed = target.end_at != fields["end_at"] or target.impact != fields["impact"]
    for name, value in fields.items():
        setattr(target, name, value)
    if changed:
        target.contributors = anomaly_contributors(anomaly=target)
    target.save()
    summary.updated += int(changed)
    summary.anomaly_ids.append(target.id)
    if target.status != AnomalyStatus.RESOLVED and abs(target.impact) >= 2 * abs(
        target.notified_impact
    ):
        alerts_enqueue(anomaly=target, event="escalated")


def _same_incident(anomaly: Anomaly) -> Anomaly | None:
    """The anomaly this one is part of, which becomes its parent, so an incident alerts once:

    - an anomaly on another monitor with the same top cause, overlapping in time: the same
      incident seen through another series (an idle replica raises its endpoint, team,
      instance type and account);
    - an endpoint anomaly overlapping in time, when that endpoint carries at least
      ``LINK_SHARE`` of this one's delta (a team whose endpoint got slower), or when this one's
      top cause is a resource billed to that endpoint (a runaway job's extra instances also
      raise their instance type).

    Overlap in time decides, not status: a backfill judges a later incident of the parent's
    monitor (and so resolves the parent) before it reaches this one.
    """
    if not anomaly.contributors:
        return None
    top = anomaly.contributors[0]
    cause = (top["dimension"], top["value"])
    candidates = list(
        Anomaly.objects.select_related("monitor")
        .filter(
            parent__isnull=True,
            direction=anomaly.direction,
            start_at__lt=anomaly.end_at,
            end_at__gt=anomaly.start_at,
            monitor__granularity=anomaly.monitor.granularity,
        )
        .exclude(pk=anomaly.pk)
        .order_by("start_at", "id")
    )
    for candidate in candidates:
        first = candidate.contributors[0] if candidate.contributors else None
        if first and (first["dimension"], first["value"]) == cause:
            return candidate
    endpoints_behind = {
        c["value"]
        for c in anomaly.contributors
        if c["dimension"] == "endpoint" and (c.get("share_of_delta") or 0) >= LINK_SHARE
    }
    for candidate in candidates:
        if (
            candidate.monitor.kind == MonitorKind.ENDPOINT
            and candidate.monitor.subject in endpoints_behind
        ):
            return candidate
    if top["dimension"] == "resource_id" and anomaly.monitor.kind != MonitorKind.ENDPOINT:
        with connection.cursor() as cur:
            cur.execute(
                load_sql("anomalies", "select_resource_endpoints"),
                {"start": anomaly.start_at, "end": anomaly.end_at, "resource_id": top["value"]},
            )
            billed = {row[0] for row in cur.fetchall()}
        for candidate in candidates:
            if candidate.monitor.kind == MonitorKind.ENDPOINT and candidate.endpoint_id in billed:
                return candidate
    return None


def _resolve(anomaly: Anomaly, *, now: datetime, summary: DetectSummary) -> None:
    anomaly.status = AnomalyStatus.RESOLVED
    anomaly.resolved_at = now
    anomaly.save(update_fields=["status", "resolved_at", "updated_at"])
    summary.resolved += 1
    alerts_enqueue(anomaly=anomaly, event="resolved")


@after_rollups_applied  # every committed telemetry event counts
def anomalies_detect(
    *,
    granularity: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    currency: str = "USD",
) -> DetectSummary:
    """Judge every point in ``[start, end)`` of every series; create, grow or resolve incidents.

    History before ``start`` (35 days hourly, 70 days daily) feeds the baseline only.
    """
    now = now or timezone.now()
    summary = DetectSummary(granularity=granularity)
    data = series_load(granularity=granularity, start=start - LOOKBACK[granularity], end=end)
    if not data.keys:
        return summary
    monitors = monitors_ensure(keys=data.keys, granularity=granularity)
    _apply_shifts(data, monitors)
    summary.series = len(monitors)
    thresholds = _thresholds(monitors, granularity)
    judged = judge(
        data,
        thresholds,
        **_season(granularity),
        hourly=granularity == Granularity.HOUR,
        band_k=float(settings.ANOMALY_BAND_K),
    )
    enabled = np.array([m.is_enabled for m in monitors])
    judged.flags[~enabled] = 0
    first_judged = int(data.index.searchsorted(start))
    incidents = incidents_from_flags(
        judged.flags,
        max_gap=MAX_GAP,
        min_points=MIN_POINTS,
        holding=judged.holding,
        signal=judged.signal,
    )
    # A series that adds up many owners' costs (instance type, account, team) can carry two
    # incidents at once: a step on top of an open one is split off and judged on its own. An
    # endpoint's own step is more of its incident; the shared series name the new cause.
    shared = np.array([m.kind != MonitorKind.ENDPOINT for m in monitors])[:, None]
    incidents = split_at_steps(
        incidents,
        judged.flags,
        data.cost,
        judged.cost.expected,
        judged.cost.scale,
        band_k=thresholds[:, :1],
        min_relative=thresholds[:, 2:3],
        judged=(judged.signal == SIGNALS.index(Signal.COST)) & shared,
        min_points=MIN_POINTS,
    )
    # Endpoints first: when several series show one incident, the most specific one alerts.
    incidents.sort(key=lambda inc: (KIND_ORDER[monitors[inc.series].kind], inc.start))
    for inc in incidents:
        if inc.end <= first_judged:
            continue
        monitor = monitors[inc.series]
        fields = _incident_fields(
            data, judged, inc.series, inc, monitor, float(thresholds[inc.series, 0])
        )
        _upsert(monitor, fields, now=now, summary=summary, currency=currency, follows=inc.follows)
    # Incidents whose series has been back to normal (on the incident's signal) for more than
    # MAX_GAP points since are over; points that still lean the incident's way do not count.
    rows = {monitor.id: row for row, monitor in enumerate(monitors)}
    seen_until = {}
    for row, monitor in enumerate(monitors):
        finite = np.flatnonzero(~np.isnan(data.cost[row]) | ~np.isnan(data.requests[row]))
        if finite.size:
            seen_until[monitor.id] = int(finite[-1]) + 1
    open_rows = (
        Anomaly.objects.select_for_update()
        .filter(monitor__granularity=granularity, monitor_id__in=seen_until)
        .exclude(status=AnomalyStatus.RESOLVED)
    )
    for anomaly in open_rows:
        row = rows[anomaly.monitor_id]
        after = int(data.index.searchsorted(anomaly.end_at))
        direction = 1 if anomaly.direction == Direction.UP else -1
        held = judged.holding[
            SIGNALS.index(anomaly.signal), row, after : seen_until[anomaly.monitor_id]
        ]
        if np.count_nonzero(normal_points(held, direction)) > MAX_GAP:
            _resolve(anomaly, now=now, summary=summary)
    logger.info("anomaly detection %s", summary)
    return summary
