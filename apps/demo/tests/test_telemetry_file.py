from collections import defaultdict
from datetime import datetime

from apps.demo.generator.telemetry import FIELDS


def test_every_event_has_exactly_the_documented_fields(events: list[dict]) -> None:
    assert len(events) > 5000
    for e in events:
        assert tuple(e) == FIELDS
        assert e["ts"].endswith("Z")
        assert len(e["ts"]) == len("2025-03-28T00:00:00.000000Z")
        assert e["lane"] in ("interactive", "nearline", "batch")
        assert e["status"] in ("ok", "error", "timeout")
        assert isinstance(e["cache_hit"], bool)
        assert e["cache_hit"] == (e["cached_input_tokens"] > 0)
        assert 0 <= e["cached_input_tokens"] <= e["input_tokens"]
        assert e["queue_ms"] <= e["ttft_ms"] <= e["latency_ms"]
        assert e["attributes"]["gpu_ms"] >= 1
        int(e["prompt_hash"], 16)


def test_request_ids_are_unique_and_events_are_time_ordered_per_day(events: list[dict]) -> None:
    assert len({e["request_id"] for e in events}) == len(events)
    stamps = [e["ts"] for e in events]
    assert stamps == sorted(stamps)


def test_every_request_ran_on_an_instance_billed_in_that_hour(
    events: list[dict], cur: list[dict[str, str]]
) -> None:
    billed = {
        (r["lineItem/ResourceId"], r["lineItem/UsageStartDate"])
        for r in cur
        if r["product/instanceType"]
    }
    for e in events:
        hour = datetime.fromisoformat(e["ts"]).strftime("%Y-%m-%dT%H:00:00Z")
        assert (e["resource_id"], hour) in billed, e["request_id"]


def test_shared_nodes_serve_several_endpoints_and_prompts_repeat(
    events: list[dict], manifest: dict
) -> None:
    pools = {i["resource_id"] for i in manifest["catalog"]["instances"] if i["pool"]}
    served: dict[str, set[str]] = defaultdict(set)
    for e in events:
        served[e["resource_id"]].add(e["endpoint"])
    assert any(len(served[r]) > 1 for r in pools)
    hashes = [e["prompt_hash"] for e in events]
    assert len(set(hashes)) < len(hashes) * 0.8


def test_traffic_has_a_diurnal_shape(events: list[dict]) -> None:
    by_hour: dict[int, int] = defaultdict(int)
    for e in events:
        if e["lane"] == "interactive":
            by_hour[int(e["ts"][11:13])] += 1
    assert by_hour[15] > 2 * by_hour[3]
