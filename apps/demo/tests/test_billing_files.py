from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from apps.demo.generator import cur as cur_module
from apps.demo.tests.conftest import focus_rows, read_csv

REAL_CUR_COLUMNS = {
    "identity/LineItemId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
    "bill/PayerAccountId", "lineItem/UsageAccountId", "lineItem/LineItemType",
    "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
    "lineItem/UsageType", "lineItem/Operation", "lineItem/ResourceId", "lineItem/UsageAmount",
    "lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/BlendedCost",
    "lineItem/CurrencyCode", "lineItem/LineItemDescription", "product/instanceType",
    "product/region", "product/ProductName", "pricing/publicOnDemandCost", "pricing/term",
    "savingsPlan/SavingsPlanEffectiveCost", "reservation/EffectiveCost",
    "resourceTags/user:costgov:endpoint", "resourceTags/user:team",
}  # fmt: skip


def test_cur_has_the_real_column_names(small_dataset: Path) -> None:
    path = next(small_dataset.glob("cur/*/*/*.csv.gz"))
    header = list(next(read_csv(path)).keys())
    assert set(header) >= REAL_CUR_COLUMNS
    assert header == list(cur_module.COLUMNS)


def test_cur_line_items_are_unique_and_well_formed(cur: list[dict[str, str]]) -> None:
    ids = [r["identity/LineItemId"] for r in cur]
    assert len(ids) == len(set(ids))
    types = {r["lineItem/LineItemType"] for r in cur}
    assert types == {
        "Usage", "Fee", "Tax", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
    }  # fmt: skip
    for r in cur:
        assert r["lineItem/UsageStartDate"].endswith("Z")
        assert r["lineItem/UsageEndDate"] > r["lineItem/UsageStartDate"]
        cost = Decimal(r["lineItem/UnblendedCost"])
        assert cost.as_tuple().exponent >= -10
        assert r["lineItem/BlendedCost"] == r["lineItem/UnblendedCost"]
    terms = {r["pricing/term"] for r in cur if r["product/instanceType"]}
    assert terms == {"OnDemand", "Spot"}
    hourly = [r for r in cur if r["product/instanceType"]]
    assert all(Decimal(r["lineItem/UsageAmount"]) == 1 for r in hourly)
    assert {r["product/instanceType"].split(".")[0] for r in hourly} >= {"g5", "g6", "p5"}


def _totals(rows: list[dict[str, str]], period: str, currency: str, cost: str) -> dict:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        totals[(r[period], r[currency])] += Decimal(r[cost])
    return dict(totals)


def test_focus_describes_the_same_spend_as_the_cur(
    small_dataset: Path, cur: list[dict[str, str]], manifest: dict
) -> None:
    focus = list(focus_rows(small_dataset))
    cur_totals = _totals(
        cur, "bill/BillingPeriodStartDate", "lineItem/CurrencyCode", "lineItem/UnblendedCost"
    )
    assert len(cur_totals) == 2
    assert _totals(focus, "BillingPeriodStart", "BillingCurrency", "BilledCost") == cur_totals
    assert _totals(focus, "BillingPeriodStart", "BillingCurrency", "EffectiveCost") == cur_totals
    list_cur = _totals(
        cur, "bill/BillingPeriodStartDate", "lineItem/CurrencyCode", "pricing/publicOnDemandCost"
    )
    assert _totals(focus, "BillingPeriodStart", "BillingCurrency", "ListCost") == list_cur
    for (period, currency), total in cur_totals.items():
        assert Decimal(manifest["billing_period_totals"][period[:7]][currency]) == total
    assert {r["PricingCategory"] for r in focus} == {"Standard", "Dynamic", "Committed", ""}
    assert {r["ChargeCategory"] for r in focus} == {"Usage", "Purchase", "Tax"}


def test_focus_instance_rows_sum_the_cur_hours_per_resource(
    small_dataset: Path, cur: list[dict[str, str]]
) -> None:
    by_resource_cur: dict[str, Decimal] = defaultdict(Decimal)
    for r in cur:
        by_resource_cur[r["lineItem/ResourceId"]] += Decimal(r["lineItem/UnblendedCost"])
    by_resource_focus: dict[str, Decimal] = defaultdict(Decimal)
    for r in focus_rows(small_dataset):
        by_resource_focus[r["ResourceId"]] += Decimal(r["BilledCost"])
    assert by_resource_focus == by_resource_cur


def test_savings_plan_lines_net_to_the_fee_and_amortise_exactly(cur: list[dict[str, str]]) -> None:
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    covered_effective: dict[str, Decimal] = defaultdict(Decimal)
    fee: dict[str, Decimal] = defaultdict(Decimal)
    unused: dict[str, Decimal] = defaultdict(Decimal)
    for r in cur:
        kind, hour = r["lineItem/LineItemType"], r["lineItem/UsageStartDate"]
        if kind in ("SavingsPlanCoveredUsage", "SavingsPlanNegation"):
            net[(r["lineItem/ResourceId"], hour)] += Decimal(r["lineItem/UnblendedCost"])
            assert r["savingsPlan/SavingsPlanARN"]
        if kind == "SavingsPlanCoveredUsage":
            covered_effective[hour] += Decimal(r["savingsPlan/SavingsPlanEffectiveCost"])
            assert Decimal(r["savingsPlan/SavingsPlanRate"]) < Decimal(r["lineItem/UnblendedRate"])
        if kind == "SavingsPlanRecurringFee":
            fee[hour] += Decimal(r["lineItem/UnblendedCost"])
            unused[hour] += Decimal(r["savingsPlan/SavingsPlanEffectiveCost"])
    assert net
    assert set(net.values()) == {Decimal(0)}
    assert len(fee) == 24 * 6
    for hour, amount in fee.items():
        assert covered_effective[hour] + unused[hour] == amount
        assert unused[hour] > 0
