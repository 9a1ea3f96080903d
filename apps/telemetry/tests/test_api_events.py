import gzip
import json
from datetime import timedelta

import pytest
from django.db import connection

from apps.telemetry.models import TelemetryEventKey, TelemetryRollupHourly
from apps.telemetry.selectors import raw_totals, rollup_totals
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply
from apps.telemetry.tests.factories import event, recent_ts

pytestmark = pytest.mark.django_db
URL = "/api/v1/telemetry/events"


def post_json(client, events, **extra):
    return client.post(URL, json.dumps(events), content_type="application/json", **extra)


def test_json_array_is_stored_and_counted(ingest_client, endpoint_a):
    response = post_json(ingest_client, [event(endpoint_a.name) for _ in range(3)])
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 3
    telemetry_rollups_apply()
    assert rollup_totals(endpoint_id=endpoint_a.id)["requests"] == 3


def test_ndjson_body_is_accepted(ingest_client, endpoint_a):
    body = "\n".join(json.dumps(event(endpoint_a.name)) for _ in range(4)) + "\n\n"
    response = ingest_client.post(URL, body, content_type="application/x-ndjson")
    assert response.json()["accepted"] == 4


def test_gzip_encoded_ndjson_is_accepted(ingest_client, endpoint_a):
    body = "\n".join(json.dumps(event(endpoint_a.name)) for _ in range(2)).encode()
    response = ingest_client.post(
        URL, gzip.compress(body), content_type="application/x-ndjson", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response.json()["accepted"] == 2


def test_invalid_rows_are_reported_by_index_and_field_and_valid_rows_kept(
    ingest_client, endpoint_a
):
    events = [
        event(endpoint_a.name),
        event(endpoint_a.name, input_tokens=-1),
        event(endpoint_a.name, ts="2026-01-01T00:00:00"),
        "not an object",
        event(endpoint_a.name, lane="sideways", cached_input_tokens=500),
        event("no-such-endpoint"),
        {k: v for k, v in event(endpoint_a.name).items() if k != "model"},
        event(endpoint_a.name, surprise=1),
    ]
    body = post_json(ingest_client, events).json()
    assert body["accepted"] == 1
    pairs = [(r["index"], r["field"]) for r in body["rejected"]]
    assert pairs == [
        (1, "input_tokens"),
        (2, "ts"),
        (3, ""),
        (4, "cached_input_tokens"),
        (4, "lane"),
        (5, "endpoint"),
        (6, "model"),
        (7, "surprise"),
    ]
    assert "UTC offset" in body["rejected"][1]["error"]
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_well_typed_events_with_bad_values_get_the_same_rejections(
    ingest_client, endpoint_a, content_type
):
    # Every field has its JSON type, so the typed decoder takes the body; the values still
    # go through the full validator.
    events = [
        event(endpoint_a.name),
        event(endpoint_a.name, input_tokens=-1),
        event(endpoint_a.name, ts="2026-01-01T00:00:00"),
        event(endpoint_a.name, lane="sideways", cached_input_tokens=500),
        event(endpoint_a.name, customer="a\x00b"),
        event(endpoint_a.name, model=" "),
    ]
    if content_type == "application/json":
        body = json.dumps(events)
    else:
        body = "\n".join(json.dumps(e) for e in events)
    response = ingest_client.post(URL, body, content_type=content_type).json()
    assert response["accepted"] == 1
    assert [(r["index"], r["field"], r["error"]) for r in response["rejected"]] == [
        (1, "input_tokens", "must be between 0 and 10000000000"),
        (2, "ts", "must carry a UTC offset (e.g. 'Z' or '+00:00')"),
        (3, "cached_input_tokens", "must not exceed input_tokens"),
        (3, "lane", "must be one of batch, interactive, nearline"),
        (4, "customer", "must not contain NUL characters"),
        (5, "model", "must not be empty"),
    ]


def test_nan_in_attributes_is_a_rejection_not_a_failed_batch(ingest_client, endpoint_a):
    # Python's json module reads NaN and 1e999 (Infinity); jsonb cannot store them.
    good = json.dumps(event(endpoint_a.name))
    bad = json.dumps(event(endpoint_a.name, attributes={"gpu_ms": 1})).replace("1}", "NaN}")
    huge = json.dumps(event(endpoint_a.name, attributes={"gpu_ms": 1})).replace("1}", "1e999}")
    response = ingest_client.post(URL, f"[{good}, {bad}, {huge}]", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert [(r["index"], r["field"], r["error"]) for r in response.json()["rejected"]] == [
        (1, "attributes", "must not contain NaN or Infinity"),
        (2, "attributes", "must not contain NaN or Infinity"),
    ]


def test_unpaired_surrogate_escape_is_a_rejection_not_a_failed_batch(ingest_client, endpoint_a):
    good = json.dumps(event(endpoint_a.name))
    bad = json.dumps(event(endpoint_a.name, customer="SURROGATE")).replace("SURROGATE", "\\ud800")
    response = ingest_client.post(URL, f"[{good}, {bad}]", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert response.json()["rejected"] == [
        {
            "index": 1,
            "field": "customer",
            "error": "must be valid Unicode (no unpaired surrogate escapes)",
        }
    ]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'[{"ts": ', "application/json"),
        (b'{"not": "an array"}', "application/json"),
        (b'{"a": 1}\n{broken\n', "application/x-ndjson"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_unparseable_body_is_400_and_stores_nothing(ingest_client, endpoint_a, body, content_type):
    response = ingest_client.post(URL, body, content_type=content_type)
    assert response.status_code == 400
    assert TelemetryEventKey.objects.count() == 0


def test_corrupt_gzip_is_400(ingest_client, endpoint_a):
    response = ingest_client.post(
        URL, b"not gzip", content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 400


def test_unsupported_content_type_is_415(ingest_client):
    assert ingest_client.post(URL, "a,b", content_type="text/csv").status_code == 415


def test_unsupported_content_encoding_is_415(ingest_client, endpoint_a):
    response = ingest_client.post(
        URL, b"\x1b\x00", content_type="application/json", HTTP_CONTENT_ENCODING="br"
    )
    assert response.status_code == 415


def test_body_over_limit_is_413(ingest_client, endpoint_a, settings):
    settings.TELEMETRY_MAX_BODY_BYTES = 1000
    response = post_json(ingest_client, [event(endpoint_a.name) for _ in range(20)])
    assert response.status_code == 413
    assert TelemetryEventKey.objects.count() == 0


def test_gzip_body_inflating_over_limit_is_413(ingest_client, endpoint_a, settings):
    settings.TELEMETRY_MAX_BODY_BYTES = 2000
    body = json.dumps([event(endpoint_a.name) for _ in range(50)]).encode()
    compressed = gzip.compress(body)
    assert len(compressed) < 2000
    response = ingest_client.post(
        URL, compressed, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 413


def test_rate_limit_answers_429_with_retry_after(ingest_client, endpoint_a, settings, monkeypatch):
    settings.TELEMETRY_RATE_LIMIT_PER_MINUTE = 2
    # 45 s into a clock minute, frozen, so the window cannot roll over mid-test.
    monkeypatch.setattr("apps.telemetry.api.throttles.time.time", lambda: 1_800_000_045.0)
    codes = [post_json(ingest_client, [event(endpoint_a.name)]).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = post_json(ingest_client, [event(endpoint_a.name)])
    assert refused["Retry-After"] == "15"
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 2


def test_rate_limit_is_per_token(client_for, sre_user, endpoint_a, settings, monkeypatch):
    settings.TELEMETRY_RATE_LIMIT_PER_MINUTE = 1
    monkeypatch.setattr("apps.telemetry.api.throttles.time.time", lambda: 1_800_000_100.0)
    first = client_for(sre_user, scopes=["ingest:telemetry"])
    second = client_for(sre_user, scopes=["ingest:telemetry"])
    assert post_json(first, [event(endpoint_a.name)]).status_code == 200
    assert post_json(first, [event(endpoint_a.name)]).status_code == 429
    assert post_json(second, [event(endpoint_a.name)]).status_code == 200


def test_token_without_ingest_scope_is_403(client_for, sre_user, endpoint_a):
    client = client_for(sre_user, scopes=["read"])
    assert post_json(client, [event(endpoint_a.name)]).status_code == 403


def test_anonymous_is_401(api_client, endpoint_a):
    assert post_json(api_client, [event(endpoint_a.name)]).status_code == 401


def test_team_bound_token_writes_only_its_teams_endpoints(
    client_for, owner_user, team_a, endpoint_a, endpoint_b
):
    client = client_for(owner_user, scopes=["ingest:telemetry"], team=team_a)
    body = post_json(client, [event(endpoint_a.name), event(endpoint_b.name)]).json()
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 1,
            "field": "endpoint",
            "error": "endpoint belongs to a team this credential may not write",
        }
    ]
    assert raw_totals(endpoint_id=endpoint_b.id)["requests"] == 0


def test_resent_batch_counts_duplicates_and_rollups_do_not_change(ingest_client, endpoint_a):
    events = [event(endpoint_a.name) for _ in range(5)]
    post_json(ingest_client, events)
    telemetry_rollups_apply()
    before = list(TelemetryRollupHourly.objects.values())
    again = post_json(ingest_client, events).json()
    assert again == {"accepted": 0, "duplicates": 5, "rejected": []}
    assert telemetry_rollups_apply() == 0
    after = list(TelemetryRollupHourly.objects.values())
    assert [(r["requests"], r["input_tokens"]) for r in after] == [
        (r["requests"], r["input_tokens"]) for r in before
    ]


def test_repeat_inside_one_batch_and_shifted_ts_are_duplicates(ingest_client, endpoint_a):
    first = event(endpoint_a.name)
    shifted = dict(first, ts=(recent_ts() + timedelta(minutes=5, seconds=1)).isoformat())
    body = post_json(ingest_client, [first, dict(first)]).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert post_json(ingest_client, [shifted]).json()["duplicates"] == 1
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


def test_late_event_for_a_day_without_partition_creates_it(ingest_client, endpoint_a):
    late = recent_ts(hours_ago=24 * 20)
    name = f"telemetry_event_p{late:%Y%m%d}"
    body = post_json(ingest_client, [event(endpoint_a.name, ts=late.isoformat())]).json()
    assert body["accepted"] == 1
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        assert cur.fetchone()[0] is True
    telemetry_rollups_apply()
    assert TelemetryRollupHourly.objects.get(hour=late).requests == 1


def test_event_older_than_retention_or_in_future_is_rejected(ingest_client, endpoint_a, settings):
    settings.TELEMETRY_RETENTION_DAYS = 7
    old = recent_ts(hours_ago=24 * 9).isoformat()
    future = (recent_ts(hours_ago=-50)).isoformat()
    body = post_json(
        ingest_client, [event(endpoint_a.name, ts=old), event(endpoint_a.name, ts=future)]
    ).json()
    assert [r["field"] for r in body["rejected"]] == ["ts", "ts"]
    assert "retention" in body["rejected"][0]["error"]


def test_defaults_fill_optional_fields(ingest_client, endpoint_a):
    minimal = {
        k: v
        for k, v in event(endpoint_a.name).items()
        if k not in ("model_version", "lane", "customer")
    }
    post_json(ingest_client, [minimal])
    telemetry_rollups_apply()
    rollup = TelemetryRollupHourly.objects.get()
    assert (rollup.lane, rollup.accelerator, rollup.customer, rollup.model_version) == (
        "interactive",
        "A100-80GB",
        "",
        "",
    )
