"""The cost explorer across the ledger and the allocation.

- ``group_by=team|endpoint|category``: from the allocation (every role, scoped by team).
- Ledger dimensions (provider, account, service, sku, region, resource, tag:KEY): roles that see
  every team read the ledger itself; owners read their teams' allocated parts joined to the
  ledger rows they came from (their share of each row), with their shared-cost parts in one
  ``(shared)`` group. So an owner's totals equal their teams' allocation, never more.
"""

from datetime import date
from decimal import Decimal

from django.db import connection
from psycopg import sql

from apps.accounts.access import Access
from apps.attribution.selectors import allocation_by
from apps.billing.selectors import GROUPS, cost_by_group

ALLOCATION_GROUPS = ("team", "endpoint", "category")


def cost_explore(
    *, access: Access, start: date, end: date, group_by: str, metric: str, granularity: str
) -> list[dict]:
    """``[{period, group, currency, amount}]`` over charge days ``[start, end)``."""
    if group_by in ALLOCATION_GROUPS:
        rows = allocation_by(
            access=access, start=start, end=end, group_by=group_by, granularity=granularity
        )
        return [
            {
                "period": r["period"],
                "group": r["group"],
                "currency": r["currency"],
                "amount": r[metric],
            }
            for r in rows
        ]
    if access.sees_all_teams:
        return cost_by_group(
            access=access,
            start=start,
            end=end,
            group_by=group_by,
            metric=metric,
            granularity=granularity,
        )
    return _owner_ledger_groups(
        access=access,
        start=start,
        end=end,
        group_by=group_by,
        metric=metric,
        granularity=granularity,
    )


def _owner_ledger_groups(
    *, access: Access, start: date, end: date, group_by: str, metric: str, granularity: str
) -> list[dict]:
    if group_by.startswith("tag:"):
        group = sql.SQL("COALESCE(li.tags ->> %(tag_key)s, '')")
    else:
        group = sql.SQL("li.{}").format(sql.Identifier(GROUPS[group_by]))
    period = sql.SQL("date_trunc('month', p.day)::date" if granularity == "month" else "p.day")
    amount = sql.Identifier(metric)
    query = sql.SQL(
        """
        SELECT period, grp, currency, SUM(amount) FROM (
            SELECT {period} AS period, {group} AS grp, p.currency, p.{amount} AS amount
            FROM attribution_allocationpart p
            JOIN billing_costlineitem li ON li.id = p.line_item_id
            WHERE p.day >= %(start)s AND p.day < %(end)s AND p.team_id = ANY(%(team_ids)s)
            UNION ALL
            SELECT {period}, '(shared)', p.currency, p.{amount}
            FROM attribution_allocationpart p
            WHERE p.line_item_id IS NULL
              AND p.day >= %(start)s AND p.day < %(end)s AND p.team_id = ANY(%(team_ids)s)
        ) x
        GROUP BY period, grp, currency
        ORDER BY period, grp, currency
        """
    ).format(period=period, group=group, amount=amount)
    with connection.cursor() as cur:
        cur.execute(
            query.as_string(cur.connection),
            {
                "start": start,
                "end": end,
                "team_ids": sorted(access.team_ids or ()),
                "tag_key": group_by.removeprefix("tag:"),
            },
        )
        rows = cur.fetchall()
    return [
        {"period": p, "group": g, "currency": c, "amount": a if a is not None else Decimal(0)}
        for p, g, c, a in rows
    ]
