"""OTLP/HTTP trace receiver: ``POST /v1/traces`` (what a Collector ``otlphttp`` exporter
sends). Binary protobuf and JSON encodings; the response uses the request's encoding."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.telemetry.api.body import read_body
from apps.telemetry.api.throttles import IngestRateThrottle
from apps.telemetry.parsers.bodies import BodyError
from apps.telemetry.parsers.otlp import (
    decode_request,
    encode_response,
    encode_status,
    request_events,
)
from apps.telemetry.services.event_ingest import telemetry_events_ingest

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
# google.rpc.Code INVALID_ARGUMENT
_INVALID_ARGUMENT = 3


class OtlpTracesView(APIView):
    """Accept GenAI spans as telemetry events; other spans are ignored and counted.

    ``partial_success.rejected_spans`` counts GenAI spans refused (unknown endpoint, missing
    model, …); ``error_message`` lists the first reasons and the number of ignored spans.
    """

    required_scope = Scope.INGEST_TELEMETRY
    throttle_classes = [IngestRateThrottle]

    @extend_schema(
        request={PROTOBUF: bytes, JSON: dict},
        responses={200: OpenApiResponse(description="ExportTraceServiceResponse")},
        summary="OTLP/HTTP trace export (GenAI spans)",
    )
    def post(self, request: Request) -> HttpResponse:
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type not in (PROTOBUF, JSON):
            raise UnsupportedMediaType(content_type)
        is_json = content_type == JSON
        try:
            export = decode_request(read_body(request), is_json=is_json)
        except BodyError as exc:
            return HttpResponse(
                encode_status(code=_INVALID_ARGUMENT, message=str(exc), is_json=is_json),
                status=400,
                content_type=content_type,
            )
        events, ignored = request_events(export)
        result = telemetry_events_ingest(
            events=events,
            team_ids=access_for_request(request).team_ids,
            now=timezone.now(),
            retention_days=settings.TELEMETRY_RETENTION_DAYS,
        )
        rejected_spans = len({r.index for r in result.rejected})
        notes = [f"span {r.index}: {r.field} {r.error}" for r in result.rejected[:5]]
        if ignored:
            notes.append(f"{ignored} non-GenAI spans ignored")
        body = encode_response(rejected=rejected_spans, message="; ".join(notes), is_json=is_json)
        return HttpResponse(body, status=200, content_type=content_type)
