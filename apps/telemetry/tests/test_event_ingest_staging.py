"""What the ingest hands event_store: one list per new event, RAW_COLUMNS less the last."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apps.telemetry.parsers.event_fast import decode_events_typed
from apps.telemetry.rollup_delta import RAW_COLUMNS
from apps.telemetry.services import event_ingest
from apps.telemetry.tests.factories import event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _staged(monkeypatch, events: list) -> list[list]:
    captured = []

    def store(*, staged: list[list]) -> int:
        captured.extend(staged)
        return len(staged)

    monkeypatch.setattr(event_ingest, "events_store", store)
    event_ingest.telemetry_events_ingest(events=events, team_ids=None, now=NOW, retention_days=90)
    return captured


@pytest.mark.parametrize("typed", [True, False], ids=["typed", "plain"])
def test_staged_rows_carry_ids_catalog_accelerator_and_gpu_ms_in_raw_column_order(
    monkeypatch, endpoint_a, typed
):
    ts = "2026-06-01T12:15:00.5+02:00"
    events = [
        {**event(endpoint_a.name), "ts": ts, "request_id": "a", "batch_size": 3},
        {
            **event(endpoint_a.name),
            "ts": ts,
            "request_id": "b",
            "accelerator": "L4",
            "prompt_hash": "p1",
            "attributes": {"gpu_ms": 12.3456, "region": "eu"},
        },
        {**event(endpoint_a.name), "ts": ts, "request_id": "c", "attributes": {"gpu_ms": 7}},
    ]
    if typed:
        events = decode_events_typed(json.dumps(events).encode(), ndjson=False)
    staged = _staged(monkeypatch, events)
    assert [len(row) for row in staged] == [len(RAW_COLUMNS) - 1] * 3
    by_name = [dict(zip(RAW_COLUMNS, row, strict=False)) for row in staged]
    first, second, third = by_name
    assert first["ts"] == datetime(2026, 6, 1, 10, 15, 0, 500000, tzinfo=UTC)
    assert first["ts"].tzinfo is UTC
    assert first["endpoint_id"] == endpoint_a.id
    assert (first["accelerator"], second["accelerator"]) == ("A100-80GB", "L4")
    # 250 ms x 2 accelerators / batch of 3, half up to 0.001 ms; a measured gpu_ms wins.
    assert [row["gpu_ms"].as_tuple() for row in by_name] == [
        Decimal("166.667").as_tuple(),
        Decimal("12.346").as_tuple(),
        Decimal("7.000").as_tuple(),
    ]
    assert second["attributes"] == '{"gpu_ms":12.3456,"region":"eu"}'
    assert first["attributes"] == "{}"
    assert (first["prompt_hash"], second["prompt_hash"]) == (None, "p1")
    assert [type(v) for v in staged[1]] == [
        datetime, int, str, str, str, int, int, int, int, type(None), type(None), str, str,
        str, str, str, bool, str, int, Decimal, str,
    ]  # fmt: skip
