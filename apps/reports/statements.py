"""Chargeback statement content: built live for open months, read from the snapshot when closed.

A statement is a plain JSON-ready dict (amounts are exact decimal strings) so that the snapshot,
the API, CSV/XLSX exports and the printable page all show the same thing.

Restatements: when a later allocation run changes a closed month, the difference between the
month's current allocation and its snapshot (less what earlier adjustments already carried) shows
as an adjustment line in the next month of that team that is still open. The closed snapshot
itself never changes.
"""

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from apps.accounts.models import Team
from apps.attribution.choices import RunStatus
from apps.attribution.models import AllocationRun
from apps.common.clock import next_month
from apps.common.money import round_display
from apps.common.sql import load_sql
from apps.reports.models import Statement

AMOUNTS = ("billed_cost", "effective_cost", "list_cost")


def dec(value: Decimal | None) -> str:
    """Exact decimal text without exponent or trailing zeros ("12.5", "0")."""
    value = Decimal(0) if value is None else value
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _rows(name: str, params: dict) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(load_sql("reports", name), params)
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def content_sha256(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def latest_run(period_start: date) -> AllocationRun | None:
    return (
        AllocationRun.objects.filter(billing_period_start=period_start, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def _adjustments(*, team: Team, period_start: date, currency: str) -> list[dict]:
    """Restatement lines of earlier closed months whose next open month is ``period_start``."""
    closed = {
        s.period_start: s
        for s in Statement.objects.filter(team=team, currency=currency).only(
            "period_start", "content"
        )
    }
    if period_start in closed:
        return []
    sources = []
    for month in sorted(m for m in closed if m < period_start):
        following = next_month(month)
        while following in closed:
            following = next_month(following)
        if following == period_start:
            sources.append(month)
    if not sources:
        return []
    current = {
        row["billing_period_start"]: row
        for row in _rows(
            "select_period_totals",
            {"team_id": team.id, "periods": sources, "currency": currency},
        )
    }
    lines = []
    for month in sources:
        carried = dict.fromkeys(AMOUNTS, Decimal(0))
        snapshot = closed[month].content
        for metric in AMOUNTS:
            carried[metric] += Decimal(snapshot["allocated_totals"][metric])
        # Adjustments for the same month already carried by later closed statements.
        for later in closed.values():
            for adj in later.content.get("adjustments", []):
                if adj["source_period"] == month.strftime("%Y-%m"):
                    for metric in AMOUNTS:
                        carried[metric] += Decimal(adj[metric])
        now = current.get(month, {})
        delta = {m: (now.get(m) or Decimal(0)) - carried[m] for m in AMOUNTS}
        if any(delta.values()):
            lines.append(
                {
                    "source_period": month.strftime("%Y-%m"),
                    "description": f"Restatement of {month:%Y-%m} after its close",
                    **{m: dec(delta[m]) for m in AMOUNTS},
                }
            )
    return lines


def statement_build(*, team: Team, period_start: date, currency: str = "USD") -> dict:
    """The live statement of ``team`` for the month starting ``period_start``."""
    params = {"team_id": team.id, "period_start": period_start, "currency": currency}
    lines = _rows("select_statement_lines", params)
    shared = _rows("select_statement_shared", params)
    usage = {
        row["endpoint"]: row
        for row in _rows(
            "select_statement_usage",
            {"team_id": team.id, "start": period_start, "end": next_month(period_start)},
        )
    }
    allocated = dict.fromkeys(AMOUNTS, Decimal(0))
    endpoint_cost: dict[str, Decimal] = {}
    for line in lines:
        for metric in AMOUNTS:
            allocated[metric] += line[metric]
        if line["endpoint"] and line["category"] in {"usage", "idle"}:
            endpoint_cost[line["endpoint"]] = (
                endpoint_cost.get(line["endpoint"], Decimal(0)) + line["billed_cost"]
            )
    unit_economics = []
    for name in sorted(endpoint_cost):
        tokens = int(usage.get(name, {}).get("tokens") or 0)
        requests = int(usage.get(name, {}).get("requests") or 0)
        cost = endpoint_cost[name]
        unit_economics.append(
            {
                "endpoint": name,
                "billed_cost": dec(cost),
                "requests": requests,
                "tokens": tokens,
                "cost_per_1k_tokens": dec((cost * 1000 / tokens).quantize(Decimal("1E-10")))
                if tokens
                else None,
                "cost_per_request": dec((cost / requests).quantize(Decimal("1E-10")))
                if requests
                else None,
            }
        )
    adjustments = _adjustments(team=team, period_start=period_start, currency=currency)
    totals = dict(allocated)
    for adj in adjustments:
        for metric in AMOUNTS:
            totals[metric] += Decimal(adj[metric])
    run = latest_run(period_start)
    return {
        "team": team.name,
        "team_id": team.id,
        "cost_center": team.cost_center,
        "period": period_start.strftime("%Y-%m"),
        "period_start": period_start.isoformat(),
        "period_end": (next_month(period_start) - timedelta(days=1)).isoformat(),
        "currency": currency,
        "status": "open",
        "allocation_run_id": run.id if run else None,
        "rule_set_id": run.rule_set_id if run else None,
        "lines": [
            {
                "endpoint": line["endpoint"] or "(team level)",
                "category": line["category"],
                **{m: dec(line[m]) for m in AMOUNTS},
            }
            for line in lines
        ],
        "shared_allocations": [
            {
                "rule": row["rule"] or "(rule)",
                "line_items": int(row["line_items"]),
                **{m: dec(row[m]) for m in AMOUNTS},
            }
            for row in shared
        ],
        "unit_economics": unit_economics,
        "adjustments": adjustments,
        "allocated_totals": {m: dec(allocated[m]) for m in AMOUNTS},
        "totals": {m: dec(totals[m]) for m in AMOUNTS},
    }


def statement_get(*, team: Team, period_start: date, currency: str = "USD") -> dict:
    """The closed snapshot if the month is closed for the team, else the live statement."""
    closed = Statement.objects.filter(
        team=team, period_start=period_start, currency=currency
    ).first()
    if closed is not None:
        return {
            **closed.content,
            "status": "closed",
            "content_sha256": closed.content_sha256,
            "closed_at": closed.closed_at.isoformat(),
        }
    return statement_build(team=team, period_start=period_start, currency=currency)


def display(value: str | None) -> str:
    """A statement amount rounded once for display and export (cents, banker's rounding)."""
    if value is None:
        return ""
    return f"{round_display(Decimal(value)):,}"
