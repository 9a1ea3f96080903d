"""Reads for dashboards, statements and reports: SQL aggregates over allocations, scoped by Access.

Every figure a page shows comes from these functions, and the matching API returns the same
dicts, so a page and the API always agree. Amounts are exact Decimals; rounding is left to the
display edge (``round_display``).
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from apps.accounts.access import Access
from apps.accounts.models import Team
from apps.common.clock import next_month
from apps.common.errors import NotFound
from apps.common.sql import load_sql
from apps.reports.forecast import HISTORY_DAYS, forecast_month_end
from apps.reports.models import Budget

AMOUNTS = ("billed_cost", "effective_cost", "list_cost")
CATEGORIES = ("usage", "idle", "shared", "unallocated")
UNALLOCATED = "(unallocated)"
TEAM_LEVEL = "(team level)"
TOP_MOVERS = 10


def zero_amounts() -> dict[str, Decimal]:
    return dict.fromkeys(AMOUNTS, Decimal(0))


def _add(target: dict, row: dict) -> None:
    for metric in AMOUNTS:
        target[metric] += row[metric] or Decimal(0)


def _fetch(name: str, params: dict) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(load_sql("reports", name), params)
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def _scope(access: Access) -> dict:
    team_ids = None if access.team_ids is None else sorted(access.team_ids)
    return {"all_teams": team_ids is None, "team_ids": team_ids}


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` to 6 places, None when ``whole`` is zero."""
    if whole == 0:
        return None
    return (part / whole).quantize(Decimal("0.000001"))


def team_for_access(*, access: Access, team_id: int) -> Team:
    """The team, if the caller may see it; otherwise NotFound (no hint that it exists)."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not access.sees_team(team.id):
        raise NotFound("No such team.")
    return team


def cost_by_day(*, access: Access, start: date, end: date, currency: str = "USD") -> list[dict]:
    """Rows ``{day, team_id, endpoint_id, billed/effective/list cost}`` over ``[start, end)``."""
    return _fetch(
        "select_cost_by_day",
        {"start": start, "end": end, "currency": currency, **_scope(access)},
    )


def budget_status_by_target(
    *, access: Access, month_start: date, as_of: date, currency: str = "USD"
) -> list[dict]:
    """Each visible budget of the month with its actual (billed, month to date) and forecast.

    ``as_of`` is the first day not yet counted as complete (normally today, UTC).
    """
    budgets = list(
        access.filter_teams(Budget.objects.filter(period_start=month_start, currency=currency))
        .select_related("team", "endpoint")
        .order_by("team__name", "endpoint__name")
    )
    if not budgets:
        return []
    month_end = next_month(month_start)
    history_start = min(month_start, as_of - timedelta(days=HISTORY_DAYS))
    by_team: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_endpoint: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in cost_by_day(access=access, start=history_start, end=month_end, currency=currency):
        if row["team_id"] is not None:
            by_team[row["team_id"]][row["day"]] += row["billed_cost"]
        if row["endpoint_id"] is not None:
            by_endpoint[row["endpoint_id"]][row["day"]] += row["billed_cost"]
    result = []
    for budget in budgets:
        daily = by_endpoint[budget.endpoint_id] if budget.endpoint_id else by_team[budget.team_id]
        actual, forecast = forecast_month_end(daily=daily, month_start=month_start, as_of=as_of)
        result.append(
            {
                "budget_id": budget.id,
                "team": budget.team.name,
                "team_id": budget.team_id,
                "endpoint": budget.endpoint.name if budget.endpoint_id else None,
                "budget": budget.amount,
                "actual": actual,
                "forecast": forecast,
                "actual_share": share(actual, budget.amount),
                "forecast_share": share(forecast, budget.amount),
                "currency": budget.currency,
            }
        )
    return result


def finance_summary(
    *, access: Access, month_start: date, as_of: date, currency: str = "USD"
) -> dict:
    """Every figure of the finance dashboard for one month (UTC days of allocated cost)."""
    month_end = next_month(month_start)
    previous_start = (month_start - timedelta(days=1)).replace(day=1)
    params = {"currency": currency, **_scope(access)}
    rows = _fetch(
        "select_cost_by_team_endpoint_category",
        {"start": month_start, "end": month_end, **params},
    )
    previous = _fetch(
        "select_cost_by_team_endpoint_category",
        {"start": previous_start, "end": month_start, **params},
    )
    totals = zero_amounts()
    teams: dict[str, dict] = {}
    cost_centers: dict[str, dict] = {}
    categories = {c: zero_amounts() for c in CATEGORIES}
    treemap: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        team = row["team"] or UNALLOCATED
        _add(totals, row)
        _add(categories.setdefault(row["category"], zero_amounts()), row)
        entry = teams.setdefault(
            team,
            {
                "team": team,
                "team_id": row["team_id"],
                "cost_center": row["cost_center"] or "",
                **zero_amounts(),
            },
        )
        _add(entry, row)
        center = row["cost_center"] or ("" if row["team"] else UNALLOCATED)
        _add(cost_centers.setdefault(center, {"cost_center": center, **zero_amounts()}), row)
        treemap[(team, row["endpoint"] or TEAM_LEVEL)] += row["billed_cost"]

    def endpoint_totals(source: list[dict]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for row in source:
            if row["endpoint"]:
                out[row["endpoint"]] += row["billed_cost"]
        return out

    now_by_endpoint, before_by_endpoint = endpoint_totals(rows), endpoint_totals(previous)
    movers = [
        {
            "endpoint": name,
            "previous": before_by_endpoint.get(name, Decimal(0)),
            "current": now_by_endpoint.get(name, Decimal(0)),
            "change": now_by_endpoint.get(name, Decimal(0))
            - before_by_endpoint.get(name, Decimal(0)),
        }
        for name in set(now_by_endpoint) | set(before_by_endpoint)
    ]
    movers.sort(key=lambda m: (-abs(m["change"]), m["endpoint"]))
    daily: dict[date, dict] = {}
    for row in cost_by_day(access=access, start=month_start, end=month_end, currency=currency):
        _add(daily.setdefault(row["day"], {"day": row["day"], **zero_amounts()}), row)
    billed = totals["billed_cost"]
    return {
        "month": month_start,
        "currency": currency,
        "totals": totals,
        "savings": {
            # list - effective: what commitments, discounts and spot saved against list prices.
            "vs_list": totals["list_cost"] - totals["effective_cost"],
            "billed_minus_effective": totals["billed_cost"] - totals["effective_cost"],
        },
        "by_team": sorted(teams.values(), key=lambda t: (t["team"] == UNALLOCATED, t["team"])),
        "by_cost_center": sorted(cost_centers.values(), key=lambda c: c["cost_center"]),
        "by_category": [
            {"category": c, **amounts, "share": share(amounts["billed_cost"], billed)}
            for c, amounts in categories.items()
        ],
        "daily": [daily[d] for d in sorted(daily)],
        "treemap": [
            {"team": team, "endpoint": endpoint, "billed_cost": amount}
            for (team, endpoint), amount in sorted(treemap.items())
        ],
        "top_movers": movers[:TOP_MOVERS],
        "budgets": budget_status_by_target(
            access=access, month_start=month_start, as_of=as_of, currency=currency
        ),
    }


def team_endpoint_days(
    *, team_id: int, start: date, end: date, currency: str = "USD"
) -> list[dict]:
    """Per endpoint of the team and UTC day: cost (usage + idle), idle cost, requests, tokens."""
    return _fetch(
        "select_team_endpoint_days",
        {"team_id": team_id, "start": start, "end": end, "currency": currency},
    )


def per_1k(cost: Decimal, tokens: int) -> Decimal | None:
    """Cost per 1,000 tokens to 10 places; None without tokens."""
    if not tokens:
        return None
    return (cost * 1000 / tokens).quantize(Decimal("1E-10"))


def owner_summary(
    *, access: Access, team_id: int, month_start: date, currency: str = "USD"
) -> dict:
    """One team's endpoints for a month: daily cost, cost per 1k tokens and idle share."""
    team = team_for_access(access=access, team_id=team_id)
    rows = team_endpoint_days(
        team_id=team.id, start=month_start, end=next_month(month_start), currency=currency
    )
    endpoints: dict[str, dict] = {}
    for row in rows:
        entry = endpoints.setdefault(
            row["endpoint"],
            {
                "endpoint": row["endpoint"],
                "cost": Decimal(0),
                "idle_cost": Decimal(0),
                "tokens": 0,
                "requests": 0,
                "daily": [],
            },
        )
        entry["cost"] += row["cost"]
        entry["idle_cost"] += row["idle_cost"]
        entry["tokens"] += int(row["tokens"])
        entry["requests"] += int(row["requests"])
        entry["daily"].append(
            {
                "day": row["day"],
                "cost": row["cost"],
                "cost_per_1k_tokens": per_1k(row["cost"], int(row["tokens"])),
            }
        )
    for entry in endpoints.values():
        entry["cost_per_1k_tokens"] = per_1k(entry["cost"], entry["tokens"])
        entry["idle_share"] = share(entry["idle_cost"], entry["cost"])
    total = sum((e["cost"] for e in endpoints.values()), Decimal(0))
    idle = sum((e["idle_cost"] for e in endpoints.values()), Decimal(0))
    return {
        "team": team.name,
        "team_id": team.id,
        "month": month_start,
        "currency": currency,
        "total_cost": total,
        "idle_cost": idle,
        "idle_share": share(idle, total),
        "endpoints": sorted(endpoints.values(), key=lambda e: (-e["cost"], e["endpoint"])),
    }


def budget_list(*, access: Access):  # noqa: ANN201 - a QuerySet[Budget]
    """Budgets of the visible teams, with their team and endpoint."""
    return access.filter_teams(Budget.objects.select_related("team", "endpoint")).order_by(
        "-period_start", "team__name", "endpoint__name", "id"
    )
