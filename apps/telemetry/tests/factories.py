"""Builders of telemetry events (plain dicts, as clients send them) and OTLP exports."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

_ids = itertools.count(1)


def recent_ts(hours_ago: float = 1.0) -> datetime:
    """A whole-hour-aligned instant some hours back, so tests stay inside one rollup hour."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def event(endpoint: str, **overrides: object) -> dict:
    """A valid event for ``endpoint``; each call gets a fresh request_id."""
    data = {
        "ts": (recent_ts() + timedelta(minutes=5)).isoformat(),
        "request_id": f"req-{next(_ids)}",
        "endpoint": endpoint,
        "model": "llama-3-8b",
        "model_version": "2024-07",
        "input_tokens": 100,
        "output_tokens": 20,
        "latency_ms": 250,
        "lane": "interactive",
        "customer": "acme",
    }
    data.update(overrides)
    return data


def _kv(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        any_value = AnyValue(bool_value=value)
    elif isinstance(value, int):
        any_value = AnyValue(int_value=value)
    elif isinstance(value, float):
        any_value = AnyValue(double_value=value)
    else:
        any_value = AnyValue(string_value=str(value))
    return KeyValue(key=key, value=any_value)


def otlp_export(spans: list[dict], *, resource: dict | None = None) -> ExportTraceServiceRequest:
    """An export with one resource and one scope. Each span dict has ``attributes``,
    ``start`` (datetime), ``duration_ms``, optional ``span_id`` (int) and ``error``."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    for key, value in (resource or {"service.name": "unused"}).items():
        resource_spans.resource.attributes.append(_kv(key, value))
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = "tests"
    for spec in spans:
        span = scope_spans.spans.add()
        span.trace_id = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
        span.span_id = spec.get("span_id", next(_ids)).to_bytes(8, "big")
        span.name = spec.get("name", "chat llama")
        start_ns = int(spec["start"].timestamp()) * 1_000_000_000
        span.start_time_unix_nano = start_ns
        span.end_time_unix_nano = start_ns + int(spec["duration_ms"] * 1_000_000)
        for key, value in spec.get("attributes", {}).items():
            span.attributes.append(_kv(key, value))
        if spec.get("error"):
            span.status.code = Status.STATUS_CODE_ERROR
    return request


def genai_attributes(endpoint: str, **extra: object) -> dict:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "llama-3-8b",
        "gen_ai.response.model": "llama-3-8b-2024-07",
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 30,
        "costgov.endpoint": endpoint,
        **extra,
    }
