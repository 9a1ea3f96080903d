from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.telemetry.api.body import PayloadTooLarge, read_body
from apps.telemetry.api.schema import event_openapi_schema
from apps.telemetry.api.serializers import (
    TelemetryCsvUploadInputSerializer,
    TelemetryIngestResultSerializer,
    UsageQueryInputSerializer,
    UsageRowSerializer,
)
from apps.telemetry.api.throttles import IngestRateThrottle
from apps.telemetry.models import TelemetryRollupHourly
from apps.telemetry.parsers.bodies import (
    BodyError,
    decode_csv_bytes,
    decode_json_array,
    decode_ndjson,
)
from apps.telemetry.parsers.event_fast import decode_events_typed
from apps.telemetry.selectors import usage_by_group
from apps.telemetry.services.event_ingest import telemetry_events_ingest
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


def _ingest(request: Request, events: list) -> Response:
    result = telemetry_events_ingest(
        events=events,
        team_ids=access_for_request(request).team_ids,
        now=timezone.now(),
        retention_days=settings.TELEMETRY_RETENTION_DAYS,
    )
    # Already the shape TelemetryIngestResultSerializer documents (ints and strings); running
    # it again costs ~7 us per rejection, 7 ms for a batch of 1,000 bad events.
    return Response(result.as_dict())


class TelemetryEventIngestView(APIView):
    """Ingest inference events: a JSON array (``application/json``) or NDJSON, optionally
    gzip-encoded. Valid events are stored, invalid ones reported by index and field."""

    required_scope = Scope.INGEST_TELEMETRY
    throttle_classes = [IngestRateThrottle]

    @extend_schema(
        request={
            "application/json": {"type": "array", "items": event_openapi_schema()},
            "application/x-ndjson": {
                "type": "string",
                "description": "One event object (see application/json items) per line.",
            },
        },
        responses={200: TelemetryIngestResultSerializer, 400: None, 413: None, 429: None},
    )
    def post(self, request: Request) -> Response:
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type == "application/json":
            decode, ndjson = decode_json_array, False
        elif content_type in NDJSON_TYPES:
            decode, ndjson = decode_ndjson, True
        else:
            raise UnsupportedMediaType(content_type)
        try:
            body = read_body(request)
            # Typed decoding first (fast, the common case); any body it does not take whole
            # is decoded as plain JSON, so bad events get their per-field rejections.
            events = decode_events_typed(body, ndjson=ndjson)
            if events is None:
                events = decode(body)
        except BodyError as exc:
            raise ParseError(str(exc)) from exc
        return _ingest(request, events)


class TelemetryCsvUploadView(APIView):
    """Ingest a CSV file of events (multipart field ``file``; header row of field names)."""

    required_scope = Scope.INGEST_TELEMETRY
    throttle_classes = [IngestRateThrottle]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": TelemetryCsvUploadInputSerializer},
        responses={200: TelemetryIngestResultSerializer, 400: None, 413: None, 429: None},
    )
    def post(self, request: Request) -> Response:
        data = TelemetryCsvUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        limit = settings.TELEMETRY_MAX_BODY_BYTES
        if upload.size > limit:
            raise PayloadTooLarge(f"File exceeds {limit} bytes.")
        try:
            events = decode_csv_bytes(upload.read())
        except BodyError as exc:
            raise ParseError(str(exc)) from exc
        return _ingest(request, events)


class UsageView(GenericAPIView):
    """Inference usage from hourly rollups, per period and group; owners see their teams."""

    serializer_class = UsageRowSerializer
    queryset = TelemetryRollupHourly.objects.none()  # schema only; rows come from the selector

    @extend_schema(
        parameters=[UsageQueryInputSerializer],
        responses=UsageRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = UsageQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        telemetry_rollups_apply()  # every event committed before this request is counted
        rows = usage_by_group(access=access_for_request(request), **query.validated_data)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UsageRowSerializer(page, many=True).data)
