"""The ingest response body is the documented TelemetryIngestResultSerializer shape."""

import json

import pytest

from apps.telemetry.api.serializers import TelemetryIngestResultSerializer
from apps.telemetry.tests.factories import event

pytestmark = pytest.mark.django_db
URL = "/api/v1/telemetry/events"


def test_response_with_accepted_duplicate_and_rejected_events_is_the_serializers_output(
    ingest_client, endpoint_a
):
    first = event(endpoint_a.name)
    events = [
        first,
        first,
        event(endpoint_a.name, input_tokens=-1, lane="sideways"),
        "not an object",
        event("no-such-endpoint"),
    ]
    response = ingest_client.post(URL, json.dumps(events), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body == TelemetryIngestResultSerializer(body).data
    assert list(body) == ["accepted", "duplicates", "rejected"]
    assert body["accepted"] == 1
    assert body["duplicates"] == 1
    assert body["rejected"] == [
        {"index": 2, "field": "input_tokens", "error": "must be between 0 and 10000000000"},
        {"index": 2, "field": "lane", "error": "must be one of batch, interactive, nearline"},
        {"index": 3, "field": "", "error": "must be a JSON object"},
        {"index": 4, "field": "endpoint", "error": "unknown endpoint"},
    ]
    assert all(type(r["index"]) is int for r in body["rejected"])
