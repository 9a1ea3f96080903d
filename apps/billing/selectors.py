"""Reads over the billing ledger: import runs and cost aggregates (SQL-side sums, exact)."""

from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Sum, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncMonth

from apps.accounts.access import Access
from apps.billing.choices import Granularity
from apps.billing.models import BillingImport, CloudConnection, CostLineItem
from apps.common.errors import ValidationFailed

MAX_COST_ROWS = 20_000
GROUPS = {
    "provider": "provider",
    "account": "sub_account_id",
    "service": "service_name",
    "sku": "sku_id",
    "region": "region",
    "resource": "resource_id",
}


def billing_import_list() -> QuerySet[BillingImport]:
    return BillingImport.objects.select_related("source", "created_by")


def billing_import_get(*, import_id: int) -> BillingImport:
    return billing_import_list().get(pk=import_id)


def cloud_connection_list(*, is_enabled: bool | None = None) -> QuerySet[CloudConnection]:
    connections = CloudConnection.objects.select_related("source")
    if is_enabled is not None:
        connections = connections.filter(is_enabled=is_enabled)
    return connections


def line_items_visible(*, access: Access) -> QuerySet[CostLineItem]:
    """Billing cost is visible to roles that see every team; owners see it once attributed."""
    if not access.sees_all_teams:
        return CostLineItem.objects.none()
    return CostLineItem.objects.all()


def cost_by_group(
    *,
    access: Access,
    start: date,
    end: date,
    group_by: str,
    metric: str,
    granularity: str,
    max_rows: int | None = None,
) -> list[dict]:
    """``[{period, group, currency, amount}]`` over charge days ``[start, end)``, summed in SQL.

    Raises ValidationFailed when the answer has more than ``max_rows`` rows (default
    MAX_COST_ROWS): narrow the dates, use monthly granularity or a coarser grouping.
    """
    limit = MAX_COST_ROWS if max_rows is None else max_rows
    queryset = line_items_visible(access=access).filter(charge_date__gte=start, charge_date__lt=end)
    if group_by.startswith("tag:"):
        key = group_by.removeprefix("tag:")
        untagged = Value("", output_field=TextField())
        queryset = queryset.annotate(group=Coalesce(KeyTextTransform(key, "tags"), untagged))
    else:
        queryset = queryset.annotate(group=F(GROUPS[group_by]))
    period = F("charge_date") if granularity == Granularity.DAY else TruncMonth("charge_date")
    rows = (
        queryset.annotate(period=period)
        .values("period", "group", "billing_currency")
        .annotate(amount=Sum(metric))
        .order_by("period", "group", "billing_currency")
    )[: limit + 1]
    if len(rows) > limit:
        raise ValidationFailed(
            f"more than {limit} rows: narrow the dates, use granularity=month or a coarser group_by"
        )
    return [
        {
            "period": row["period"],
            "group": row["group"],
            "currency": row["billing_currency"],
            "amount": row["amount"] if row["amount"] is not None else Decimal(0),
        }
        for row in rows
    ]
