"""The ingest's Python GPU time equals what PostgreSQL computes; raw row layout."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from apps.telemetry.rollup_delta import RAW_COLUMNS, RAW_TYPES, gpu_milli_ms, milli_to_decimal
from apps.telemetry.services import event_store

ESTIMATES = [
    (latency, count, batch)
    for latency in (0, 1, 5, 7, 999, 1000, 86_400_000)
    for count in (1, 2, 3, 8)
    for batch in (1, 3, 7, 8, 16, 100_000)
]
MEASURED = [
    0,
    3,
    4200.5,
    0.0005,
    2.0005,
    0.0015,
    1e-07,
    12.3456789,
    1e16,
    123456789012.9995,
    9.999999999999998e16,
]


@pytest.mark.django_db
def test_estimate_rounds_half_up_like_the_numeric_column():
    with connection.cursor() as cur:
        for latency, count, batch in ESTIMATES:
            cur.execute("SELECT round(%s::numeric * %s / %s, 3)", [latency, count, batch])
            expected = cur.fetchone()[0]
            milli = gpu_milli_ms(
                latency_ms=latency, accelerator_count=count, batch_size=batch, attributes=None
            )
            assert milli_to_decimal(milli) == expected, (latency, count, batch)


@pytest.mark.django_db
def test_measured_gpu_ms_is_read_as_postgresql_reads_the_stored_attributes():
    with connection.cursor() as cur:
        for value in MEASURED:
            attributes = {"gpu_ms": value}
            cur.execute(
                "SELECT round((%s::jsonb ->> 'gpu_ms')::numeric, 3)", [json.dumps(attributes)]
            )
            expected = cur.fetchone()[0]
            milli = gpu_milli_ms(
                latency_ms=10, accelerator_count=1, batch_size=1, attributes=attributes
            )
            assert milli_to_decimal(milli) == expected, value


@pytest.mark.parametrize("value", [-1, -0.5, "12", True, None, [1]])
def test_measured_gpu_ms_that_is_not_a_non_negative_number_falls_back_to_the_estimate(value):
    milli = gpu_milli_ms(
        latency_ms=1000, accelerator_count=2, batch_size=3, attributes={"gpu_ms": value}
    )
    assert milli_to_decimal(milli) == Decimal("666.667")


def test_staged_row_positions_read_by_event_store_are_the_columns_it_means():
    assert len(RAW_TYPES) == len(RAW_COLUMNS)
    assert RAW_COLUMNS[-1] == "is_duplicate_prompt"  # appended by event_store
    positions = (event_store.S_TS, event_store.S_ENDPOINT, event_store.S_REQUEST_ID,
                 event_store.S_PROMPT_HASH)  # fmt: skip
    assert [RAW_COLUMNS[p] for p in positions] == ["ts", "endpoint_id", "request_id", "prompt_hash"]
