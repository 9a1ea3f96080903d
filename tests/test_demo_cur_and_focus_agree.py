"""The demo generator's CUR and FOCUS files describe the same spend: imported through the real
billing service as two sources, they store the same totals per period and currency."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from apps.billing.models import CostLineItem
from apps.billing.services.billing_import import billing_import_file


@pytest.mark.django_db
def test_demo_cur_and_focus_import_to_equal_totals(tmp_path):
    start = timezone.now().date() - timedelta(days=40)
    call_command(
        "generate_demo", "--days", "4", "--seed", "11", "--start", start.isoformat(),
        "--out", str(tmp_path),
    )  # fmt: skip
    cur = billing_import_file(
        paths=sorted((tmp_path / "cur").rglob("*.csv.gz")), source_name="cur", triggered_by="t"
    )
    focus = billing_import_file(
        paths=sorted((tmp_path / "focus").rglob("*.csv")), source_name="focus", triggered_by="t"
    )
    assert (cur.status, focus.status) == ("succeeded", "succeeded"), (cur.error, focus.error)
    assert cur.format == "cur"
    assert focus.format == "focus"

    totals: dict = defaultdict(dict)
    rows = (
        CostLineItem.objects.values("source__name", "billing_period_start", "billing_currency")
        .annotate(billed=Sum("billed_cost"), effective=Sum("effective_cost"))
        .order_by()
    )
    for row in rows:
        key = (row["billing_period_start"], row["billing_currency"])
        totals[row["source__name"]][key] = (row["billed"], row["effective"])
    assert totals["cur"] == totals["focus"]
    assert all(billed > Decimal(0) for billed, _ in totals["cur"].values())
