"""Endpoint profiles for the engine: configuration, allocated cost, telemetry and prices.

Reads only, through the other apps' selectors where they exist (allocations per endpoint and
day, telemetry usage per endpoint, lane and hour) and one SQL file for the hourly on-demand cost
(allocation parts joined to their ledger rows).
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max

from apps.accounts.access import system_access
from apps.attribution.selectors import allocations_visible
from apps.catalog.models import ModelEndpoint
from apps.catalog.selectors import price_book_list
from apps.common.sql import load_sql
from apps.recommendations.levers.base import MONTH_DAYS, EndpointProfile, LaneUsage, PriceInfo
from apps.telemetry.selectors import usage_by_group

SYSTEM_ACCESS = system_access()  # jobs see every team


def evidence_window(*, today: date, days: int) -> tuple[date, date]:
    """The last ``days`` UTC days with allocations, ending at ``today`` at the latest."""
    last = (
        allocations_visible(access=SYSTEM_ACCESS)
        .filter(day__lt=today)
        .aggregate(last=Max("day"))["last"]
    )
    end = (last + timedelta(days=1)) if last else today
    return end - timedelta(days=days), end


def _price_info(entry: object) -> PriceInfo:
    return PriceInfo(
        instance_type=entry.instance_type,
        gpu_model=entry.gpu_model,
        gpus_per_instance=entry.gpus_per_instance,
        gpu_memory_gb=entry.gpu_memory_gb,
        supports_fp8=entry.supports_fp8,
        on_demand_hourly=entry.on_demand_hourly,
        spot_hourly=entry.spot_hourly,
        commit_1y_hourly=entry.commit_1y_hourly,
        commit_3y_hourly=entry.commit_3y_hourly,
        source=entry.source,
        source_date=entry.source_date.isoformat(),
    )


def _costs(start: date, end: date, ids: list[int]) -> dict[int, dict]:
    """Per endpoint: currency with the most cost, its usage + idle and idle sums, days.

    Effective (amortised) cost: capacity covered by a savings plan costs its plan rate, not the
    zero its billed lines net to.
    """
    rows = (
        allocations_visible(access=SYSTEM_ACCESS)
        .filter(day__gte=start, day__lt=end, endpoint_id__in=ids, category__in=["usage", "idle"])
        .values("endpoint_id", "currency", "day", "category", "effective_cost", "list_cost")
    )
    per: dict[int, dict] = defaultdict(
        lambda: defaultdict(
            lambda: {"cost": Decimal(0), "idle": Decimal(0), "list": Decimal(0), "days": set()}
        )
    )
    for row in rows.iterator(chunk_size=5000):
        bucket = per[row["endpoint_id"]][row["currency"]]
        bucket["cost"] += row["effective_cost"]
        bucket["list"] += row["list_cost"]
        if row["category"] == "idle":
            bucket["idle"] += row["effective_cost"]
        bucket["days"].add(row["day"])
    result = {}
    for endpoint_id, currencies in per.items():
        currency, bucket = max(currencies.items(), key=lambda item: item[1]["cost"])
        result[endpoint_id] = {"currency": currency, **bucket}
    return result


def _usage(start: date, end: date) -> tuple[dict, dict]:
    """Per endpoint name: lanes, latency sum, duplicate prompts; and active hours."""
    start_at = datetime(start.year, start.month, start.day, tzinfo=UTC)
    end_at = datetime(end.year, end.month, end.day, tzinfo=UTC)
    usage: dict[str, dict] = defaultdict(
        lambda: {"lanes": defaultdict(dict), "latency_ms_sum": 0, "duplicate_prompts": 0}
    )
    hours: dict[str, int] = defaultdict(int)
    rows = usage_by_group(
        access=SYSTEM_ACCESS,
        start=start_at,
        end=end_at,
        group_by=["endpoint", "lane"],
        granularity="hour",
    )
    seen: set[tuple[str, datetime]] = set()
    for row in rows.iterator(chunk_size=5000):
        name = row["endpoint__name"]
        entry = usage[name]
        lane = entry["lanes"][row["lane"]]
        lane["requests"] = lane.get("requests", 0) + row["requests"]
        lane["gpu_ms"] = lane.get("gpu_ms", Decimal(0)) + row["gpu_ms_sum"]
        lane["input_tokens"] = lane.get("input_tokens", 0) + row["input_tokens"]
        lane["output_tokens"] = lane.get("output_tokens", 0) + row["output_tokens"]
        entry["latency_ms_sum"] += row["latency_ms_sum"]
        entry["duplicate_prompts"] += row["duplicate_prompts"]
        if row["requests"] and (name, row["period_start"]) not in seen:
            seen.add((name, row["period_start"]))
            hours[name] += 1
    return usage, hours


def _hourly_on_demand(start: date, end: date, ids: list[int]) -> dict[int, dict[datetime, Decimal]]:
    result: dict[int, dict[datetime, Decimal]] = defaultdict(dict)
    if not ids:
        return result
    with connection.cursor() as cur:
        cur.execute(
            load_sql("recommendations", "select_hourly_on_demand_cost"),
            {"start": start, "end": end, "endpoint_ids": ids},
        )
        for endpoint_id, hour, cost in cur.fetchall():
            result[endpoint_id][hour] = cost
    return result


def endpoint_profiles(
    *, start: date, end: date, endpoint_ids: list[int] | None = None
) -> list[EndpointProfile]:
    """One profile per active endpoint over ``[start, end)``; costs scaled to 30 days."""
    endpoints = ModelEndpoint.objects.filter(is_active=True).order_by("id")
    if endpoint_ids is not None:
        endpoints = endpoints.filter(id__in=endpoint_ids)
    endpoints = list(endpoints)
    ids = [e.id for e in endpoints]
    costs = _costs(start, end, ids)
    usage, active_hours = _usage(start, end)
    hourly = _hourly_on_demand(start, end, ids)
    prices = list(price_book_list())
    window_hours = (end - start).days * 24
    hour_starts = [
        datetime(start.year, start.month, start.day, tzinfo=UTC) + timedelta(hours=i)
        for i in range(window_hours)
    ]
    profiles = []
    for e in endpoints:
        cost = costs.get(e.id) or {
            "currency": "USD",
            "cost": Decimal(0),
            "idle": Decimal(0),
            "list": Decimal(0),
            "days": set(),
        }
        days = len(cost["days"])
        scale = Decimal(MONTH_DAYS) / days if days else Decimal(0)
        catalog = tuple(
            _price_info(p) for p in prices if p.provider == e.provider and p.region == e.region
        )
        price = next((p for p in catalog if p.instance_type == e.instance_type), None)
        if price is None:
            price = next((p for p in catalog if p.gpu_model == e.accelerator_type), None)
        use = usage.get(e.name, {"lanes": {}, "latency_ms_sum": 0, "duplicate_prompts": 0})
        lanes = {
            lane: LaneUsage(
                requests=v.get("requests", 0),
                gpu_seconds=v.get("gpu_ms", Decimal(0)) / 1000,
                input_tokens=v.get("input_tokens", 0),
                output_tokens=v.get("output_tokens", 0),
            )
            for lane, v in use["lanes"].items()
        }
        series = hourly.get(e.id)
        profiles.append(
            EndpointProfile(
                endpoint_id=e.id,
                name=e.name,
                team_id=e.team_id,
                parameter_count=e.parameter_count,
                precision=e.precision,
                accelerator_type=e.accelerator_type,
                accelerator_count=e.accelerator_count,
                instance_type=e.instance_type,
                provider=e.provider,
                region=e.region,
                pricing_category=e.pricing_category,
                is_interruption_tolerant=e.is_interruption_tolerant,
                currency=cost["currency"],
                window_start=start,
                window_end=end,
                days_covered=days,
                monthly_cost=cost["cost"] * scale,
                monthly_idle_cost=cost["idle"] * scale,
                monthly_list_cost=cost["list"] * scale,
                lanes=lanes,
                latency_ms_sum=use["latency_ms_sum"],
                duplicate_prompts=use["duplicate_prompts"],
                active_hours=active_hours.get(e.name, 0),
                window_hours=window_hours,
                hourly_on_demand_cost=tuple(series.get(h, Decimal(0)) for h in hour_starts)
                if series
                else (),
                price=price,
                catalog=catalog,
            )
        )
    return profiles
