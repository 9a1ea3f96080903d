"""Reads of allocations, scoped to what the caller may see.

Owners see allocations of their teams only (Unallocated has no team, so only all-team roles see
it); finance, SRE and admins see everything.
"""

import json
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from apps.accounts.access import Access
from apps.attribution.models import AllocationPart, AllocationRun, CostAllocation
from apps.catalog.models import ModelEndpoint
from apps.common.errors import NotFound
from apps.common.sql import load_sql

ALLOCATION_GROUPS = {
    "team": ("team__name", "(unallocated)"),
    "endpoint": ("endpoint__name", "(team or platform)"),
    "category": ("category", ""),
}
AMOUNTS = ("billed_cost", "effective_cost", "list_cost")


def allocations_visible(*, access: Access) -> QuerySet[CostAllocation]:
    return access.filter_teams(CostAllocation.objects.all())


def allocation_by(
    *, access: Access, start: date, end: date, group_by: str, granularity: str
) -> list[dict]:
    """Rows ``{period, group, currency, billed/effective/list cost}`` over ``[start, end)``.

    ``group_by``: team, endpoint, category or customer. Sums are exact (SQL NUMERIC).
    """
    if group_by == "customer":
        return _allocation_by_customer(access=access, start=start, end=end, granularity=granularity)
    field, missing = ALLOCATION_GROUPS[group_by]
    period = F("day") if granularity == "day" else TruncMonth("day")
    rows = (
        allocations_visible(access=access)
        .filter(day__gte=start, day__lt=end)
        .annotate(period=period, group=Coalesce(F(field), Value(missing)))
        .values("period", "group", "currency")
        .annotate(**{m: Sum(m) for m in AMOUNTS})
        .order_by("period", "group", "currency")
    )
    return [
        {
            "period": row["period"],
            "group": row["group"],
            "currency": row["currency"],
            **{m: row[m] if row[m] is not None else Decimal(0) for m in AMOUNTS},
        }
        for row in rows
    ]


def _allocation_by_customer(
    *, access: Access, start: date, end: date, granularity: str
) -> list[dict]:
    """Showback per customer: each endpoint-day's usage cost split by the customers' share of
    its GPU-seconds that day; idle, shared and unallocated cost stay in their own groups."""
    team_ids = None if access.team_ids is None else list(access.team_ids)
    with connection.cursor() as cur:
        cur.execute(
            load_sql("attribution", "select_allocation_by_customer"),
            {
                "start": start,
                "end": end,
                "team_ids": team_ids,
                "all_teams": team_ids is None,
                "by_month": granularity == "month",
            },
        )
        rows = cur.fetchall()
    return [
        {
            "period": period,
            "group": group,
            "currency": currency,
            "billed_cost": billed,
            "effective_cost": effective,
            "list_cost": list_cost,
        }
        for period, group, currency, billed, effective, list_cost in rows
    ]


def allocation_explain(*, access: Access, endpoint_name: str, day: date) -> dict:
    """Every ledger row, rule and share behind one endpoint's cost on one day."""
    endpoint = ModelEndpoint.objects.select_related("team").filter(name=endpoint_name).first()
    if endpoint is None or not access.sees_team(endpoint.team_id):
        raise NotFound(f"No endpoint named {endpoint_name!r}.")
    parts = list(
        AllocationPart.objects.filter(endpoint_id=endpoint.id, day=day).order_by(
            "category", "line_item_id"
        )
    )
    runs = {
        run.id: run
        for run in AllocationRun.objects.filter(id__in={p.run_id for p in parts}).select_related(
            "rule_set"
        )
    }
    with connection.cursor() as cur:
        cur.execute(
            load_sql("attribution", "select_line_items_by_id"),
            {"ids": [p.line_item_id for p in parts]},
        )
        columns = [c.name for c in cur.description]
        items = {row[0]: dict(zip(columns, row, strict=True)) for row in cur.fetchall()}
    for item in items.values():
        # Django's PostgreSQL backend hands jsonb to raw cursors as text.
        if isinstance(item["tags"], str):
            item["tags"] = json.loads(item["tags"])
    totals: dict = {}
    for part in parts:
        bucket = totals.setdefault(part.currency, {}).setdefault(
            part.category, dict.fromkeys(AMOUNTS, Decimal(0))
        )
        for metric in AMOUNTS:
            bucket[metric] += getattr(part, metric)
    return {
        "endpoint": endpoint.name,
        "team": endpoint.team.name,
        "day": day,
        "totals": totals,
        "runs": [
            {
                "id": run.id,
                "billing_period_start": run.billing_period_start,
                "rule_set_version": run.rule_set_id,
                "finished_at": run.finished_at,
            }
            for run in runs.values()
        ],
        "parts": [
            {
                "line_item": items.get(part.line_item_id),
                "category": part.category,
                "evidence": part.evidence,
                "rule": part.rule_ref,
                "pool_resource_id": part.pool_resource_id,
                "weight": part.weight,
                "weight_total": part.weight_total,
                "currency": part.currency,
                **{m: getattr(part, m) for m in AMOUNTS},
            }
            for part in parts
        ],
    }


def unit_costs_by_endpoint_day(
    *, access: Access, start: date, end: date, endpoint_name: str | None = None
) -> list[dict]:
    """Per endpoint and day: cost (usage + idle), requests, tokens and unit costs.

    cost_per_1k_input_tokens = cost / input tokens x 1000 (likewise output and all tokens);
    cost_per_request and cost_per_successful_request divide by requests and by requests
    without error or timeout; idle_share = idle / (usage + idle). Billed cost; None where a
    denominator is zero.
    """
    team_ids = None if access.team_ids is None else list(access.team_ids)
    with connection.cursor() as cur:
        cur.execute(
            load_sql("attribution", "select_unit_costs"),
            {
                "start": start,
                "end": end,
                "team_ids": team_ids,
                "all_teams": team_ids is None,
                "endpoint": endpoint_name,
            },
        )
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def allocation_run_list() -> QuerySet[AllocationRun]:
    return AllocationRun.objects.select_related("rule_set")
