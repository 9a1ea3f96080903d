"""Reads over the billing ledger: import runs and cost aggregates (SQL-side sums, exact)."""

from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Sum, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncMonth

from apps.accounts.access import Access
from apps.billing.choices import Granularity
from apps.billing.models import BillingImport, CostLineItem

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
) -> list[dict]:
    """``[{period, group, currency, amount}]`` over charge days ``[start, end)``, summed in SQL."""
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
