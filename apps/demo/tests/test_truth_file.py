from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from apps.demo.tests.conftest import read_csv


def _truth(root: Path) -> list[dict[str, str]]:
    return list(read_csv(root / "truth" / "endpoint_daily_cost.csv"))


def test_truth_accounts_for_every_cent_of_the_cur(
    small_dataset: Path, cur: list[dict[str, str]], manifest: dict
) -> None:
    truth = _truth(small_dataset)
    cur_total = sum((Decimal(r["lineItem/UnblendedCost"]) for r in cur), Decimal(0))
    assert sum((Decimal(r["total_cost"]) for r in truth), Decimal(0)) == cur_total
    for r in (r for r in truth if r["team"]):
        parts = Decimal(r["dedicated_cost"]) + Decimal(r["shared_node_cost"])
        assert parts + Decimal(r["idle_cost"]) == Decimal(r["total_cost"])
    truth_file = next(f for f in manifest["files"] if f["path"].startswith("truth/"))
    assert Decimal(truth_file["totals"]["USD"]) == cur_total


def test_truth_matches_the_cur_day_by_day(small_dataset: Path, cur: list[dict[str, str]]) -> None:
    by_day_cur: dict[str, Decimal] = defaultdict(Decimal)
    for r in cur:
        by_day_cur[r["lineItem/UsageStartDate"][:10]] += Decimal(r["lineItem/UnblendedCost"])
    by_day_truth: dict[str, Decimal] = defaultdict(Decimal)
    for r in _truth(small_dataset):
        by_day_truth[r["usage_date"]] += Decimal(r["total_cost"])
    assert by_day_truth == by_day_cur


def test_truth_names_unallocated_rows_and_separates_idle(
    small_dataset: Path, labels: list[dict], manifest: dict
) -> None:
    truth = _truth(small_dataset)
    unallocated = {r["endpoint"] for r in truth if not r["team"]}
    assert unallocated == {
        "unallocated:shared_idle", "unallocated:network", "unallocated:storage",
        "unallocated:support", "unallocated:tax", "unallocated:commitment_unused",
    }  # fmt: skip
    endpoints = {e["name"]: e for e in manifest["catalog"]["endpoints"]}
    assert {r["endpoint"] for r in truth if r["team"]} == set(endpoints)
    for r in truth:
        if r["team"] and endpoints[r["endpoint"]]["hosting"] == "shared":
            assert Decimal(r["dedicated_cost"]) == Decimal(r["idle_cost"]) == 0
    idle = next(a for a in labels if a["kind"] == "idle_replica")
    last_day = [r for r in truth if r["endpoint"] == idle["endpoint"]][-1]
    first_day = [r for r in truth if r["endpoint"] == idle["endpoint"]][0]
    assert Decimal(last_day["idle_cost"]) > Decimal(first_day["idle_cost"])
