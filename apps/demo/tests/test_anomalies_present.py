import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path


def _label(labels: list[dict], kind: str) -> dict:
    return next(a for a in labels if a["kind"] == kind)


def test_all_five_kinds_are_labelled(labels: list[dict]) -> None:
    assert sorted(a["kind"] for a in labels) == [
        "idle_replica", "model_version_regression", "pricing_change", "runaway_batch",
        "traffic_spike",
    ]  # fmt: skip
    for a in labels:
        assert a["start"] < a["end"]
        assert set(a["root_cause"]) == {"dimension", "value"}


def test_traffic_spike_multiplies_requests_in_its_window(
    labels: list[dict], events: list[dict]
) -> None:
    spike = _label(labels, "traffic_spike")
    day_before = f"{int(spike['start'][8:10]) - 1:02d}"
    window = previous = 0
    for e in events:
        if e["endpoint"] != spike["endpoint"]:
            continue
        if spike["start"] <= e["ts"] < spike["end"]:
            window += 1
        hour = e["ts"][11:13]
        if e["ts"][8:10] == day_before and spike["start"][11:13] <= hour < spike["end"][11:13]:
            previous += 1
    assert window > 4 * max(previous, 1)


def test_model_version_v2_starts_at_the_label_and_costs_more_gpu_per_token(
    labels: list[dict], events: list[dict]
) -> None:
    regression = _label(labels, "model_version_regression")
    assert regression["root_cause"] == {"dimension": "model_version", "value": "v2"}
    per_token: dict[str, list[float]] = defaultdict(list)
    for e in events:
        if e["endpoint"] != regression["endpoint"]:
            continue
        assert (e["model_version"] == "v2") == (e["ts"] >= regression["start"])
        tokens = e["input_tokens"] * 0.3 + e["output_tokens"]
        per_token[e["model_version"]].append(e["attributes"]["gpu_ms"] / tokens)
    mean = {v: sum(x) / len(x) for v, x in per_token.items()}
    assert mean["v2"] > 1.3 * mean["v1"]


def test_runaway_batch_customer_appears_only_in_its_window_on_extra_instances(
    labels: list[dict], events: list[dict], cur: list[dict[str, str]], manifest: dict
) -> None:
    runaway = _label(labels, "runaway_batch")
    customer = runaway["root_cause"]["value"]
    flood = [e for e in events if e["customer"] == customer]
    assert len(flood) > 200
    assert all(runaway["start"] <= e["ts"] < runaway["end"] for e in flood)
    assert all(e["lane"] == "batch" and e["endpoint"] == runaway["endpoint"] for e in flood)
    extra = {e["resource_id"] for e in flood}
    assert len(extra) == 2
    hours = [r["lineItem/UsageStartDate"] for r in cur if r["lineItem/ResourceId"] in extra]
    assert len(hours) == 2 * 10
    assert runaway["start"] <= min(hours)
    assert max(hours) < runaway["end"]


def test_idle_replica_is_billed_but_serves_nothing(
    labels: list[dict], events: list[dict], cur: list[dict[str, str]]
) -> None:
    idle = _label(labels, "idle_replica")
    resource = idle["resource_id"]
    billed = [r for r in cur if r["lineItem/ResourceId"] == resource]
    assert billed
    assert min(r["lineItem/UsageStartDate"] for r in billed) == idle["start"]
    assert not any(e["resource_id"] == resource for e in events)


def test_pricing_change_raises_the_on_demand_rate_from_its_start(
    labels: list[dict], cur: list[dict[str, str]]
) -> None:
    change = _label(labels, "pricing_change")
    rates = defaultdict(set)
    for r in cur:
        if r["product/instanceType"] == change["instance_type"] and r["pricing/term"] == "OnDemand":
            rates[r["lineItem/UsageStartDate"] >= change["start"]].add(
                Decimal(r["lineItem/UnblendedRate"])
            )
    (before,), (after,) = rates[False], rates[True]
    assert after == (before * Decimal(change["factor"])).quantize(Decimal("0.0001"))


def test_nab_layout_holds_the_same_windows(small_dataset: Path, labels: list[dict]) -> None:
    nab = json.loads((small_dataset / "labels_nab.json").read_text())
    windows = sorted(w for ws in nab.values() for w in ws)
    expected = sorted(
        [a["start"].replace("T", " ").replace("Z", ".000000"),
         a["end"].replace("T", " ").replace("Z", ".000000")]
        for a in labels
    )  # fmt: skip
    assert windows == expected
