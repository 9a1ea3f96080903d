"""OTLP/HTTP trace export -> telemetry events (pure code, no ORM).

A span is a GenAI span when it carries any ``gen_ai.*`` attribute (OpenTelemetry GenAI
semantic conventions); other spans are ignored and counted. Mapping (see docs/telemetry.md):

- ``endpoint``: span attribute ``costgov.endpoint``, else resource attribute
  ``costgov.endpoint``, else resource ``service.name``.
- ``request_id``: ``costgov.request_id``, else ``<trace_id hex>:<span_id hex>`` (stable when an
  exporter retries, so retries are duplicates).
- ``ts``: span start; ``latency_ms``: end - start.
- ``model``: ``gen_ai.request.model`` (else ``gen_ai.response.model``); ``model_version``:
  ``gen_ai.response.model``.
- tokens: ``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
  ``gen_ai.usage.cache_read.input_tokens``.
- ``status``: span status ERROR -> ``error`` (``timeout`` when ``error.type`` says so).
- ``resource_id``: resource ``k8s.pod.name``, else ``host.name``, else ``service.instance.id``.
- ``costgov.<field>`` span attributes set the remaining event fields (``lane``, ``customer``,
  ``accelerator``, ``ttft_ms``, ``queue_ms``, ``cache_hit``, ``prompt_hash``, ``batch_size``);
  all other span attributes go to ``attributes``.
"""

import base64
import json
from datetime import UTC, datetime

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Status

from apps.telemetry.parsers.bodies import BodyError

COSTGOV_FIELDS = (
    "lane",
    "customer",
    "accelerator",
    "ttft_ms",
    "queue_ms",
    "cache_hit",
    "prompt_hash",
    "batch_size",
    "model_version",
)
CONSUMED = frozenset(
    {
        "costgov.endpoint",
        "costgov.request_id",
        "gen_ai.request.model",
        "gen_ai.response.model",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.cache_read.input_tokens",
        *(f"costgov.{name}" for name in COSTGOV_FIELDS),
    }
)
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def _value(any_value: object) -> object:
    kind = any_value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind)


def _attributes(key_values: object) -> dict:
    return {kv.key: _value(kv.value) for kv in key_values}


def _hex_ids_to_base64(node: object) -> None:
    """OTLP/JSON writes trace and span ids as hex; protobuf's JSON mapping expects base64."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_FIELDS and isinstance(value, str) and value:
                try:
                    node[key] = base64.b64encode(bytes.fromhex(value)).decode()
                except ValueError as exc:
                    raise BodyError(f"{key} {value!r} is not hex") from exc
            else:
                _hex_ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids_to_base64(item)


def decode_request(data: bytes, *, is_json: bool) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    if is_json:
        try:
            tree = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BodyError(f"body is not valid JSON: {exc}") from exc
        _hex_ids_to_base64(tree)
        try:
            json_format.ParseDict(tree, request, ignore_unknown_fields=True)
        except json_format.ParseError as exc:
            raise BodyError(f"body is not an OTLP trace export: {exc}") from exc
    else:
        try:
            request.ParseFromString(data)
        except DecodeError as exc:
            raise BodyError(f"body is not an OTLP trace export: {exc}") from exc
    return request


def _iso(unix_nano: int) -> str:
    seconds, nanos = divmod(unix_nano, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000).isoformat()


def span_event(span: object, resource: dict) -> dict:
    """The telemetry event of one GenAI span (validated later like any other event)."""
    attrs = _attributes(span.attributes)
    endpoint = attrs.get("costgov.endpoint") or resource.get("costgov.endpoint")
    event: dict = {
        "ts": _iso(span.start_time_unix_nano),
        "request_id": attrs.get("costgov.request_id")
        or f"{span.trace_id.hex()}:{span.span_id.hex()}",
        "endpoint": endpoint or resource.get("service.name"),
        "model": attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model"),
        "input_tokens": attrs.get("gen_ai.usage.input_tokens", 0),
        "output_tokens": attrs.get("gen_ai.usage.output_tokens", 0),
        "latency_ms": max(span.end_time_unix_nano - span.start_time_unix_nano, 0) / 1e6,
    }
    if "gen_ai.response.model" in attrs:
        event["model_version"] = attrs["gen_ai.response.model"]
    if "gen_ai.usage.cache_read.input_tokens" in attrs:
        event["cached_input_tokens"] = attrs["gen_ai.usage.cache_read.input_tokens"]
    for name in COSTGOV_FIELDS:
        if f"costgov.{name}" in attrs:
            event[name] = attrs[f"costgov.{name}"]
    if span.status.code == Status.STATUS_CODE_ERROR:
        error_type = str(attrs.get("error.type", "")).lower()
        event["status"] = "timeout" if "timeout" in error_type else "error"
    resource_id = (
        resource.get("k8s.pod.name")
        or resource.get("host.name")
        or resource.get("service.instance.id")
    )
    if resource_id:
        event["resource_id"] = str(resource_id)
    extra = {k: v for k, v in attrs.items() if k not in CONSUMED}
    if extra:
        event["attributes"] = extra
    return event


def request_events(request: ExportTraceServiceRequest) -> tuple[list[dict], int]:
    """GenAI spans as events, and how many spans were not GenAI (ignored)."""
    events: list[dict] = []
    ignored = 0
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                if not any(kv.key.startswith("gen_ai.") for kv in span.attributes):
                    ignored += 1
                    continue
                events.append(span_event(span, resource))
    return events, ignored


def encode_response(*, rejected: int, message: str, is_json: bool) -> bytes:
    response = ExportTraceServiceResponse()
    if rejected or message:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    if is_json:
        return json_format.MessageToJson(response).encode()
    return response.SerializeToString()


def encode_status(*, code: int, message: str, is_json: bool) -> bytes:
    """A ``google.rpc.Status`` for error responses (OTLP/HTTP spec). Written by hand:
    field 1 ``code`` (varint), field 2 ``message`` (string)."""
    if is_json:
        return json.dumps({"code": code, "message": message}).encode()
    text = message.encode()
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(text)) + text


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
