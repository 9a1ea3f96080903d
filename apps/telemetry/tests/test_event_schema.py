"""The JSON Schema file and the ingest validator agree on what an event is."""

from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from apps.telemetry.api.schema import event_json_schema
from apps.telemetry.parsers.events import REQUIRED_FIELDS, Window, event_validate
from apps.telemetry.tests.factories import event

WINDOW = Window(
    oldest=datetime(2000, 1, 1, tzinfo=UTC), newest=datetime.now(tz=UTC) + timedelta(days=1)
)
VALID = event("ep", prompt_hash="abc", cache_hit=True, batch_size=4, attributes={"k": [1, 2]},
              ttft_ms=12.5, queue_ms=None, status="timeout", cached_input_tokens=10)  # fmt: skip
INVALID = [
    {**VALID, "input_tokens": -1},
    {**VALID, "input_tokens": "10"},
    {**VALID, "lane": "fast"},
    {**VALID, "status": "weird"},
    {**VALID, "batch_size": 0},
    {**VALID, "cache_hit": "yes"},
    {**VALID, "attributes": [1]},
    {**VALID, "extra": 1},
    {**VALID, "request_id": ""},
    {**VALID, "ts": "2026-01-01T00:00:00"},
    {**VALID, "latency_ms": 100_000_000},
    *({k: v for k, v in VALID.items() if k != name} for name in REQUIRED_FIELDS),
]


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(event_json_schema())


def test_schema_and_validator_accept_the_same_event():
    jsonschema.Draft202012Validator(event_json_schema()).validate(VALID)
    row, errors = event_validate(VALID, WINDOW)
    assert errors == []
    assert row is not None


@pytest.mark.parametrize("bad", INVALID)
def test_schema_and_validator_refuse_the_same_events(bad):
    validator = jsonschema.Draft202012Validator(event_json_schema())
    assert list(validator.iter_errors(bad)), bad
    _, errors = event_validate(bad, WINDOW)
    assert errors, bad


def test_schema_lists_every_validated_field():
    from apps.telemetry.parsers.events import ALL_FIELDS

    assert set(event_json_schema()["properties"]) == ALL_FIELDS
    assert set(event_json_schema()["required"]) == set(REQUIRED_FIELDS)


def test_openapi_document_describes_the_ingest_endpoints(client_for, admin_user):
    schema = client_for(admin_user).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    event_items = schema["paths"]["/api/v1/telemetry/events"]["post"]["requestBody"]["content"]
    assert event_items["application/json"]["schema"]["items"]["required"] == list(REQUIRED_FIELDS)
    assert "/v1/traces" in schema["paths"]
    assert "/api/v1/usage" in schema["paths"]
