"""Property: whatever the ledger, tags, rules and telemetry, allocation conserves every cent."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.attribution.models import AllocationPart, CostAllocation, SharedCostRule
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.services.rule_set import attribution_settings_get
from apps.attribution.tests.builders import line_item, rollup
from apps.billing.models import CostLineItem
from apps.catalog.tests.factories import (
    AttributionRuleFactory,
    ModelEndpointFactory,
    PriceBookEntryFactory,
)
from apps.telemetry.models import TelemetryRollupHourly

pytestmark = pytest.mark.django_db

RESOURCES = ["", "i-a", "i-b", "i-pool"]
INSTANCE_TYPES = ["", "g5.xlarge", "g5.12xlarge"]
TAGS = [{}, {"costgov:endpoint": "e1"}, {"costgov:endpoint": "nope"}, {"team": "search"}]

money = st.integers(min_value=-(10**14), max_value=10**14).map(lambda n: Decimal(n).scaleb(-10))
ledger_rows = st.lists(
    st.tuples(
        money,
        money,
        st.sampled_from(["USD", "EUR"]),
        st.sampled_from(RESOURCES),
        st.sampled_from(INSTANCE_TYPES),
        st.sampled_from(TAGS),
        st.sampled_from(["Usage", "Tax", "Credit"]),
        st.integers(min_value=0, max_value=3),
        st.sampled_from([1, 1, 3]),
    ),
    min_size=1,
    max_size=12,
)
usage = st.lists(
    st.tuples(
        st.sampled_from(["e1", "e2", "e3"]),
        st.sampled_from(RESOURCES[1:]),
        st.integers(min_value=0, max_value=20_000_000).map(lambda n: Decimal(n).scaleb(-3)),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=10,
)
shared = st.sampled_from(["none", "proportional", "even", "fixed", "team"])


@pytest.fixture
def endpoints(team_a, team_b):
    PriceBookEntryFactory(instance_type="g5.xlarge", gpus_per_instance=1)
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    e1 = ModelEndpointFactory(name="e1", team=team_a)
    e2 = ModelEndpointFactory(name="e2", team=team_b)
    e3 = ModelEndpointFactory(name="e3", team=team_b)
    AttributionRuleFactory(endpoint=e2, kind="resource", tag_key="", values=[], pattern="i-a")
    return {"e1": e1, "e2": e2, "e3": e3, "search": team_a, "assistant": team_b}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ledger_rows, measured=usage, method=shared, by_tokens=st.booleans())
def test_every_ledger_row_is_split_into_parts_that_sum_to_it_exactly(
    endpoints, rows, measured, method, by_tokens
):
    CostLineItem.objects.all().delete()
    TelemetryRollupHourly.objects.all().delete()
    SharedCostRule.objects.all().delete()
    conf = attribution_settings_get()
    conf.split_basis = "tokens" if by_tokens else "gpu_seconds"
    conf.save()
    if method != "none":
        SharedCostRule.objects.create(
            name="all",
            method=method,
            team=endpoints["search"] if method == "team" else None,
            percentages={"search": "33.3", "assistant": "33.3"} if method == "fixed" else {},
        )
    expected = {}
    for billed, effective, currency, resource, itype, tags, category, hour, hours in rows:
        item = line_item(
            cost=str(billed),
            effective=str(effective),
            list_cost=str(billed + effective),
            currency=currency,
            resource_id=resource,
            instance_type=itype,
            tags=tags,
            charge_category=category,
            hour=hour,
            hours=hours,
        )
        expected[item.id] = (billed, effective, billed + effective, currency)
    for index, (name, resource, gpu_s, hour) in enumerate(measured):
        rollup(
            endpoint=endpoints[name],
            resource_id=resource,
            gpu_seconds=str(gpu_s),
            hour=hour,
            customer=f"c{index}",
            tokens=int(gpu_s) % 997,
        )

    run = period_allocate(period_start=date(2024, 1, 1))

    # Endpoint-level parts keep their ledger row and sum to it exactly; the rows they do not
    # cover (shared, unallocated) sum exactly to the day-level parts without a ledger row.
    per_item = defaultdict(lambda: [Decimal(0)] * 3)
    rest = defaultdict(lambda: [Decimal(0)] * 3)
    for part in AllocationPart.objects.filter(run_id=run.id):
        key = part.line_item_id
        sums = per_item[key] if key is not None else rest[(part.day, part.currency)]
        sums[0] += part.billed_cost
        sums[1] += part.effective_cost
        sums[2] += part.list_cost
        if key is not None:
            assert part.currency == expected[key][3]
    for key, sums in per_item.items():
        assert tuple(sums) == expected[key][:3]
    uncovered = defaultdict(lambda: [Decimal(0)] * 3)
    items = CostLineItem.objects.in_bulk(list(expected))
    for key, (billed, effective, list_cost, currency) in expected.items():
        if key not in per_item:
            sums = uncovered[(items[key].charge_date, currency)]
            sums[0] += billed
            sums[1] += effective
            sums[2] += list_cost
    assert {k: tuple(v) for k, v in rest.items() if any(v) or k in uncovered} == {
        k: tuple(v) for k, v in uncovered.items()
    }
    assert run.ledger_totals == run.allocated_totals
    # The daily allocations are exactly the parts summed per day, endpoint, team and category
    # (summed in PostgreSQL: amounts have up to 38 digits, beyond Python's default precision).
    keys = ("day", "currency", "endpoint_id", "team_id", "category", "evidence")
    from_parts = {
        tuple(row[k] for k in keys): [row["n"], row["b"], row["e"], row["l"]]
        for row in AllocationPart.objects.filter(run_id=run.id)
        .values(*keys)
        .annotate(
            n=Sum("line_items"), b=Sum("billed_cost"), e=Sum("effective_cost"), l=Sum("list_cost")
        )
    }
    assert {
        tuple(getattr(a, k) for k in keys): [
            a.line_items,
            a.billed_cost,
            a.effective_cost,
            a.list_cost,
        ]
        for a in CostAllocation.objects.filter(run_id=run.id)
    } == from_parts
