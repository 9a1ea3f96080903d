from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.attribution.models import AllocationPart, AllocationRun, CostAllocation, SharedCostRule
from apps.attribution.services.period_allocate import ConservationError, period_allocate
from apps.attribution.services.rule_set import attribution_settings_get
from apps.attribution.tests.builders import line_item, rollup
from apps.catalog.tests.factories import (
    AttributionRuleFactory,
    ModelEndpointFactory,
    PriceBookEntryFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = date(2024, 1, 1)


@pytest.fixture
def world(team_a, team_b):
    """search owns `rank` (resource rule i-rank*); assistant owns `chat` (tagged).
    i-pool is a 4-GPU node both use, with no tag and no rule."""
    PriceBookEntryFactory(instance_type="g5.xlarge", gpus_per_instance=1)
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    rank = ModelEndpointFactory(name="rank", team=team_a)
    chat = ModelEndpointFactory(name="chat", team=team_b)
    AttributionRuleFactory(endpoint=rank, kind="resource", tag_key="", values=[], pattern="i-rank*")
    return {"rank": rank, "chat": chat, "search": team_a, "assistant": team_b}


def parts(**filters):
    return {
        (p.endpoint_id, p.team_id, p.category): p.billed_cost
        for p in AllocationPart.objects.filter(**filters)
    }


def shared_parts(rule_ref: str):
    """Shared and unallocated parts are kept per day, currency, rule and team."""
    return {
        (p.team_id, p.category): (p.billed_cost, p.line_items)
        for p in AllocationPart.objects.filter(rule_ref=rule_ref, line_item_id__isnull=True)
    }


def total(**filters) -> Decimal:
    return AllocationPart.objects.filter(**filters).aggregate(s=Sum("billed_cost"))["s"] or Decimal(
        0
    )


def test_dedicated_capacity_splits_into_usage_and_idle_by_measured_utilization(world):
    li = line_item(cost="1.0060", resource_id="i-rank-1", instance_type="g5.xlarge")
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="1800")
    period_allocate(period_start=PERIOD)
    rank, search = world["rank"].id, world["search"].id
    assert parts(line_item_id=li.id) == {
        (rank, search, "usage"): Decimal("0.503"),
        (rank, search, "idle"): Decimal("0.503"),
    }
    assert set(AllocationPart.objects.values_list("evidence", "rule_ref")) == {
        ("rule", f"rule:{world['rank'].attribution_rules.get().id}")
    }


def test_endpoint_tag_beats_a_resource_rule(world):
    li = line_item(
        cost="2", resource_id="i-rank-9", instance_type="", tags={"costgov:endpoint": "chat"}
    )
    period_allocate(period_start=PERIOD)
    assert parts(line_item_id=li.id) == {
        (world["chat"].id, world["assistant"].id, "usage"): Decimal("2")
    }


def test_endpoint_without_any_telemetry_is_all_usage_not_idle(world):
    li = line_item(cost="1.0060", resource_id="i-rank-1", instance_type="g5.xlarge")
    period_allocate(period_start=PERIOD)
    assert parts(line_item_id=li.id) == {
        (world["rank"].id, world["search"].id, "usage"): Decimal("1.0060")
    }


def test_reporting_endpoint_with_no_use_of_a_replica_pays_it_all_as_idle(world):
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="3600")
    forgotten = line_item(cost="1.0060", resource_id="i-rank-2", instance_type="g5.xlarge")
    period_allocate(period_start=PERIOD)
    assert parts(line_item_id=forgotten.id) == {
        (world["rank"].id, world["search"].id, "usage"): Decimal("0"),
        (world["rank"].id, world["search"].id, "idle"): Decimal("1.0060"),
    }


def test_shared_node_is_split_by_gpu_seconds_with_its_idle_share(world):
    li = line_item(cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge")
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="2160", tokens=9000)
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="5040", tokens=1000)
    period_allocate(period_start=PERIOD)
    # capacity 4 GPUs x 3600 s = 14400; used 7200 -> utilization 0.5; shares 0.3 / 0.7
    rank, chat = world["rank"].id, world["chat"].id
    search, assistant = world["search"].id, world["assistant"].id
    assert parts(line_item_id=li.id) == {
        (rank, search, "usage"): Decimal("0.8508"),
        (chat, assistant, "usage"): Decimal("1.9852"),
        (rank, search, "idle"): Decimal("0.8508"),
        (chat, assistant, "idle"): Decimal("1.9852"),
    }
    part = AllocationPart.objects.get(line_item_id=li.id, endpoint_id=rank, category="usage")
    assert (part.evidence, part.pool_resource_id) == ("telemetry", "i-pool")
    assert (part.weight, part.weight_total) == (Decimal("2160"), Decimal("7200"))


def test_pool_can_be_split_by_tokens(world):
    settings = attribution_settings_get()
    settings.split_basis = "tokens"
    settings.save()
    li = line_item(cost="10", resource_id="i-pool", service_name="Data Transfer")
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="2160", tokens=9000)
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="5040", tokens=1000)
    period_allocate(period_start=PERIOD)
    assert parts(line_item_id=li.id) == {
        (world["rank"].id, world["search"].id, "usage"): Decimal("9"),
        (world["chat"].id, world["assistant"].id, "usage"): Decimal("1"),
    }


def test_tax_is_spread_by_direct_cost_and_the_residue_goes_to_the_largest_team(world):
    line_item(cost="1", tags={"costgov:endpoint": "rank"})
    line_item(cost="2", tags={"costgov:endpoint": "chat"})
    line_item(cost="0.006", charge_category="Tax", service_name="Tax", service_category="")
    line_item(cost="0.004", charge_category="Tax", service_name="Tax", service_category="")
    SharedCostRule.objects.create(name="tax", match_charge_category="tax", method="proportional")
    period_allocate(period_start=PERIOD)
    third = (Decimal("0.01") / 3).quantize(Decimal("1e-24"))
    assert shared_parts("shared:tax") == {
        (world["search"].id, "shared"): (third, 2),
        (world["assistant"].id, "shared"): (Decimal("0.01") - third, 2),
    }


def test_fixed_percentages_leave_the_rest_unallocated(world):
    line_item(cost="100", service_name="AWS Support (Business)", service_category="")
    SharedCostRule.objects.create(
        name="support",
        match_service_name="AWS Support*",
        method="fixed",
        percentages={"search": "25", "assistant": "50"},
    )
    period_allocate(period_start=PERIOD)
    assert shared_parts("shared:support") == {
        (world["search"].id, "shared"): (Decimal("25"), 1),
        (world["assistant"].id, "shared"): (Decimal("50"), 1),
        (None, "unallocated"): (Decimal("25"), 1),
    }


def test_team_rule_and_team_tag(world):
    line_item(cost="3", service_name="Data Transfer", service_category="Networking")
    bucket = line_item(cost="0.2", service_name="S3", tags={"team": "SEARCH"})
    SharedCostRule.objects.create(
        name="network", match_service_category="network*", method="team", team=world["assistant"]
    )
    period_allocate(period_start=PERIOD)
    assert shared_parts("shared:network") == {(world["assistant"].id, "shared"): (Decimal("3"), 1)}
    assert parts(line_item_id=bucket.id) == {(None, world["search"].id, "usage"): Decimal("0.2")}


def test_unclaimed_cost_is_unallocated_and_kept(world):
    line_item(cost="0.30", service_name="AWS Support", service_category="")
    line_item(cost="0.20", service_name="AWS Support", service_category="", hour=5)
    period_allocate(period_start=PERIOD)
    assert shared_parts("") == {(None, "unallocated"): (Decimal("0.50"), 2)}
    row = CostAllocation.objects.get(category="unallocated")
    assert (row.billed_cost, row.evidence, row.line_items) == (Decimal("0.50"), "none", 2)


def test_every_metric_and_currency_is_conserved_and_recorded_on_the_run(world):
    line_item(
        cost="1.0060",
        effective="0.6",
        list_cost="1.2",
        resource_id="i-rank-1",
        instance_type="g5.xlarge",
    )
    line_item(cost="7.77", currency="EUR", resource_id="i-pool", instance_type="g5.12xlarge")
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="1000")
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="333")
    run = period_allocate(period_start=PERIOD)
    assert run.status == "succeeded"
    assert run.ledger_totals == run.allocated_totals
    assert run.allocated_totals["USD"]["effective_cost"] == "0.600000000000000000000000"
    assert total(currency="EUR") == Decimal("7.77")


def test_recompute_replaces_the_period_and_is_idempotent(world):
    line_item(cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge")
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="2160")
    period_allocate(period_start=PERIOD)
    first = sorted(AllocationPart.objects.values_list("line_item_id", "endpoint_id", "billed_cost"))
    second_run = period_allocate(period_start=PERIOD)
    second = sorted(
        AllocationPart.objects.values_list("line_item_id", "endpoint_id", "billed_cost")
    )
    assert first == second
    assert set(AllocationPart.objects.values_list("run_id", flat=True)) == {second_run.id}
    assert (
        CostAllocation.objects.filter(run_id=second_run.id).count()
        == CostAllocation.objects.count()
    )


def test_rule_change_makes_a_new_rule_set_version_used_from_the_next_recompute(world):
    li = line_item(cost="4", resource_id="i-new-1")
    first = period_allocate(period_start=PERIOD)
    assert parts(line_item_id=li.id) == {}
    assert shared_parts("") == {(None, "unallocated"): (Decimal("4"), 1)}
    AttributionRuleFactory(
        endpoint=world["chat"], kind="resource", tag_key="", values=[], pattern="i-new-*"
    )
    second = period_allocate(period_start=PERIOD)
    third = period_allocate(period_start=PERIOD)
    assert first.rule_set_id != second.rule_set_id == third.rule_set_id
    assert parts(line_item_id=li.id) == {
        (world["chat"].id, world["assistant"].id, "usage"): Decimal("4")
    }
    assert any(r["pattern"] == "i-new-*" for r in second.rule_set.content["catalog_rules"])


def test_a_failed_run_leaves_the_previous_allocation_and_is_recorded(world, monkeypatch):
    line_item(cost="1", tags={"costgov:endpoint": "rank"})
    good = period_allocate(period_start=PERIOD)

    def broken(**kwargs):
        raise ConservationError("allocated 0.99 != ledger 1")

    monkeypatch.setattr("apps.attribution.services.period_allocate.conservation_check", broken)
    line_item(cost="5", tags={"costgov:endpoint": "chat"})
    with pytest.raises(ConservationError):
        period_allocate(period_start=PERIOD)
    assert set(AllocationPart.objects.values_list("run_id", flat=True)) == {good.id}
    assert total() == Decimal("1")
    failed = AllocationRun.objects.exclude(pk=good.pk).get()
    assert (failed.status, failed.error) == ("failed", "allocated 0.99 != ledger 1")


def test_rule_precedence_is_priority_then_tag_resource_account_instance_type(world):
    rank, chat = world["rank"], world["chat"]
    AttributionRuleFactory(endpoint=chat, kind="account", tag_key="", values=[], pattern="777")
    by_account = line_item(cost="1", resource_id="i-rank-7", account="777")
    other = line_item(cost="2", resource_id="i-x", account="777")
    AttributionRuleFactory(
        endpoint=chat, kind="instance_type", tag_key="", values=[], pattern="g5.48xlarge",
        priority=10,
    )  # fmt: skip
    by_priority = line_item(cost="3", resource_id="i-rank-8", instance_type="g5.48xlarge")
    period_allocate(period_start=PERIOD)
    # Same priority: rank's resource rule (i-rank*) beats chat's account rule.
    assert parts(line_item_id=by_account.id) == {
        (rank.id, world["search"].id, "usage"): Decimal("1")
    }
    assert parts(line_item_id=other.id) == {(chat.id, world["assistant"].id, "usage"): Decimal("2")}
    # A lower priority number wins over the kind order.
    assert parts(line_item_id=by_priority.id) == {
        (chat.id, world["assistant"].id, "usage"): Decimal("3")
    }


def test_a_multi_hour_row_uses_the_telemetry_of_every_hour_of_its_charge_window(world):
    # 3 instance-hours of one GPU: capacity 10,800 GPU-s; hours 0 and 2 used 5,400 GPU-s, the
    # hour after the window does not count.
    dedicated = line_item(cost="3.0180", resource_id="i-rank-1", instance_type="g5.xlarge", hours=3)
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="1800", hour=0)
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="3600", hour=2)
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="3600", hour=3)
    # A day-long row of a shared resource, split by each endpoint's GPU-seconds that day.
    daily = line_item(cost="10", resource_id="i-pool", service_name="Data Transfer", hours=24)
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="100", hour=1)
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="300", hour=5)
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="100", hour=23)
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="9000", day=date(2024, 1, 6))
    period_allocate(period_start=PERIOD)
    rank, chat = world["rank"].id, world["chat"].id
    search, assistant = world["search"].id, world["assistant"].id
    assert parts(line_item_id=dedicated.id) == {
        (rank, search, "usage"): Decimal("1.509"),
        (rank, search, "idle"): Decimal("1.509"),
    }
    assert parts(line_item_id=daily.id) == {
        (rank, search, "usage"): Decimal("2"),
        (chat, assistant, "usage"): Decimal("8"),
    }
    part = AllocationPart.objects.get(line_item_id=daily.id, endpoint_id=chat)
    assert (part.weight, part.weight_total) == (Decimal("400"), Decimal("500"))


def test_daily_allocations_are_the_sums_of_the_stored_parts(world):
    line_item(cost="1.0060", resource_id="i-rank-1", instance_type="g5.xlarge")
    line_item(cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge")
    line_item(cost="2", tags={"costgov:endpoint": "chat"}, hour=3)
    line_item(cost="0.5", charge_category="Tax", service_name="Tax", service_category="")
    line_item(cost="0.25", service_name="Unknown", service_category="")
    rollup(endpoint=world["rank"], resource_id="i-rank-1", gpu_seconds="1200")
    rollup(endpoint=world["rank"], resource_id="i-pool", gpu_seconds="2000")
    rollup(endpoint=world["chat"], resource_id="i-pool", gpu_seconds="3000")
    SharedCostRule.objects.create(name="tax", match_charge_category="tax", method="proportional")
    run = period_allocate(period_start=PERIOD)
    keys = ("day", "currency", "endpoint_id", "team_id", "category", "evidence")
    from_parts = {
        tuple(row[k] for k in keys): (row["n"], row["b"], row["e"], row["l"])
        for row in AllocationPart.objects.values(*keys).annotate(
            n=Sum("line_items"), b=Sum("billed_cost"), e=Sum("effective_cost"), l=Sum("list_cost")
        )
    }
    daily = {
        tuple(getattr(a, k) for k in keys): (
            a.line_items,
            a.billed_cost,
            a.effective_cost,
            a.list_cost,
        )
        for a in CostAllocation.objects.all()
    }
    assert daily == from_parts
    assert {c for _, _, _, _, c, _ in daily} == {"usage", "idle", "shared", "unallocated"}
    assert run.part_rows == AllocationPart.objects.count()
