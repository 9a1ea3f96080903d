import gzip
import json

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from apps.telemetry.models import TelemetryRollupHourly
from apps.telemetry.selectors import raw_totals
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply
from apps.telemetry.tests.factories import genai_attributes, otlp_export, recent_ts

pytestmark = pytest.mark.django_db
URL = "/v1/traces"
PROTOBUF = "application/x-protobuf"


def genai_span(endpoint: str, **extra: object) -> dict:
    return {
        "start": recent_ts(),
        "duration_ms": 812,
        "attributes": genai_attributes(endpoint, **extra),
    }


def post_protobuf(client, export, **extra):
    return client.post(URL, export.SerializeToString(), content_type=PROTOBUF, **extra)


def parse_response(response) -> ExportTraceServiceResponse:
    message = ExportTraceServiceResponse()
    message.ParseFromString(response.content)
    return message


def test_protobuf_genai_spans_become_events(ingest_client, endpoint_a):
    export = otlp_export(
        [genai_span(endpoint_a.name, **{"costgov.lane": "batch"}) for _ in range(3)],
        resource={"service.name": "gateway", "host.name": "node-7"},
    )
    response = post_protobuf(ingest_client, export)
    assert response.status_code == 200
    assert response["Content-Type"] == PROTOBUF
    assert not parse_response(response).HasField("partial_success")
    telemetry_rollups_apply()
    rollup = TelemetryRollupHourly.objects.get()
    assert (rollup.requests, rollup.input_tokens, rollup.output_tokens) == (3, 360, 90)
    assert (rollup.lane, rollup.resource_id, rollup.model_version) == (
        "batch",
        "node-7",
        "llama-3-8b-2024-07",
    )
    assert rollup.latency_ms_sum == 3 * 812


def test_endpoint_falls_back_to_service_name(ingest_client, endpoint_a):
    attributes = genai_attributes("ignored")
    del attributes["costgov.endpoint"]
    export = otlp_export(
        [{"start": recent_ts(), "duration_ms": 5, "attributes": attributes}],
        resource={"service.name": endpoint_a.name},
    )
    post_protobuf(ingest_client, export)
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


def test_non_genai_spans_are_ignored_and_counted(ingest_client, endpoint_a):
    export = otlp_export(
        [
            genai_span(endpoint_a.name),
            {"start": recent_ts(), "duration_ms": 3, "attributes": {"http.route": "/x"}},
            {"start": recent_ts(), "duration_ms": 3, "attributes": {}},
        ]
    )
    result = parse_response(post_protobuf(ingest_client, export))
    assert result.partial_success.rejected_spans == 0
    assert "2 non-GenAI spans ignored" in result.partial_success.error_message
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


def test_unknown_endpoint_spans_are_rejected_in_partial_success(ingest_client, endpoint_a):
    export = otlp_export([genai_span(endpoint_a.name), genai_span("ghost"), genai_span("ghost")])
    result = parse_response(post_protobuf(ingest_client, export))
    assert result.partial_success.rejected_spans == 2
    assert "unknown endpoint" in result.partial_success.error_message


def test_retried_export_is_all_duplicates(ingest_client, endpoint_a):
    export = otlp_export(
        [genai_span(endpoint_a.name, **{"costgov.customer": "c1"}) for _ in range(4)]
    )
    post_protobuf(ingest_client, export)
    post_protobuf(ingest_client, export)
    telemetry_rollups_apply()
    assert TelemetryRollupHourly.objects.get().requests == 4


def test_error_status_maps_to_error_and_timeout(ingest_client, endpoint_a):
    spans = [genai_span(endpoint_a.name), genai_span(endpoint_a.name, **{"error.type": "timeout"})]
    spans[0]["error"] = spans[1]["error"] = True
    post_protobuf(ingest_client, otlp_export(spans))
    telemetry_rollups_apply()
    rollup = TelemetryRollupHourly.objects.get()
    assert (rollup.errors, rollup.timeouts) == (1, 1)


def test_json_encoding_with_hex_ids_is_accepted_and_answered_in_json(ingest_client, endpoint_a):
    export = otlp_export([genai_span(endpoint_a.name), genai_span("ghost")])
    tree = json_format.MessageToDict(export)
    for span in tree["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        # OTLP/JSON spells ids in hex, not protobuf-JSON base64.
        span["traceId"] = "0af7651916cd43dd8448eb211c80319c"
        span["spanId"] = span["spanId"].encode().hex()[:16]
    response = ingest_client.post(URL, json.dumps(tree), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] == "1"
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


def test_gzip_protobuf_is_accepted(ingest_client, endpoint_a):
    body = gzip.compress(otlp_export([genai_span(endpoint_a.name)]).SerializeToString())
    response = ingest_client.post(URL, body, content_type=PROTOBUF, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200
    assert raw_totals(endpoint_id=endpoint_a.id)["requests"] == 1


def test_garbage_protobuf_is_400_with_status_and_stores_nothing(ingest_client, endpoint_a):
    response = ingest_client.post(URL, b"\xff\xff\xff\xff", content_type=PROTOBUF)
    assert response.status_code == 400
    assert response.content.startswith(b"\x08\x03")  # google.rpc.Status code INVALID_ARGUMENT
    assert raw_totals()["requests"] == 0


def test_otlp_needs_ingest_scope(client_for, sre_user, endpoint_a):
    client = client_for(sre_user, scopes=["read"])
    assert post_protobuf(client, otlp_export([genai_span(endpoint_a.name)])).status_code == 403
