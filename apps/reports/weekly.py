"""Weekly owner report content: last week's cost and change, top endpoints, unit cost trend, chart.

Weeks are Monday to Sunday in UTC billing days (allocations are daily UTC amounts); only the
sending time follows the team's time zone.
"""

import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from apps.accounts.access import Access
from apps.accounts.models import Team
from apps.common.errors import NotFound
from apps.reports.sections import team_sections
from apps.reports.selectors import share, team_endpoint_days

TOP_ENDPOINTS = 5


def weekly_report_context(*, team: Team, week_start: date, access: Access) -> dict:
    """Everything the weekly email shows for ``team`` and the week starting ``week_start``."""
    if not access.sees_team(team.id):
        raise NotFound("No such team.")
    previous_start = week_start - timedelta(days=7)
    week_end = week_start + timedelta(days=7)
    rows = team_endpoint_days(team_id=team.id, start=previous_start, end=week_end)
    daily = {previous_start + timedelta(days=i): Decimal(0) for i in range(14)}
    daily_tokens: dict[date, int] = defaultdict(int)
    by_endpoint: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        daily[row["day"]] += row["cost"]
        daily_tokens[row["day"]] += int(row["tokens"])
        if row["day"] >= week_start:
            by_endpoint[row["endpoint"]] += row["cost"]
    this_week = sum((v for d, v in daily.items() if d >= week_start), Decimal(0))
    last_week = sum((v for d, v in daily.items() if d < week_start), Decimal(0))
    base = settings.COSTGOV_BASE_URL.rstrip("/")
    return {
        "team": team,
        "week_start": week_start,
        "week_end": week_end - timedelta(days=1),
        "cost": this_week,
        "previous_cost": last_week,
        "change": this_week - last_week,
        "change_share": share(this_week - last_week, last_week),
        "top_endpoints": sorted(by_endpoint.items(), key=lambda kv: (-kv[1], kv[0]))[
            :TOP_ENDPOINTS
        ],
        "unit_cost_trend": [
            {
                "day": day,
                "cost": cost,
                "cost_per_1k_tokens": (cost * 1000 / daily_tokens[day]).quantize(Decimal("0.0001"))
                if daily_tokens[day]
                else None,
            }
            for day, cost in sorted(daily.items())
            if day >= week_start
        ],
        "daily": sorted(daily.items()),
        "dashboard_url": f"{base}/reports/owner?team={team.id}&month={week_start:%Y-%m}",
        "preview_url": f"{base}/reports/weekly/{team.id}?week={week_start.isoformat()}",
        "extra_sections": team_sections(access=access, team_ids=[team.id]),
    }


def weekly_chart_png(context: dict) -> bytes:
    """A PNG bar chart of the last two weeks' daily cost (matplotlib Agg: no display or browser)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    days = [d for d, _ in context["daily"]]
    # Chart heights only: the figures in the email text stay exact Decimals.
    values = [float(v) for _, v in context["daily"]]
    colors = ["#9ca3af" if d < context["week_start"] else "#2856d6" for d in days]
    figure = Figure(figsize=(6, 2.4), dpi=100)
    axes = figure.add_subplot()
    axes.bar([d.strftime("%a %d") for d in days], values, color=colors)
    axes.set_ylabel(context["team"].name + " cost")
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
