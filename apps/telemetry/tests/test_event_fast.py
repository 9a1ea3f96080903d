"""The ingest fast path agrees with the full validator, and bad fields keep their messages."""

import json
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.telemetry.parsers.event_fast import (
    attributes_text,
    decode_events_typed,
    event_row_fast,
    struct_as_dict,
    struct_row_fast,
)
from apps.telemetry.parsers.events import Window, event_validate, is_utf8_encodable
from apps.telemetry.rollup_delta import milli_to_decimal
from apps.telemetry.services.event_ingest import (
    GPU_MILLI_LIMIT,
    MS_PER_MILLI,
    telemetry_events_ingest,
)
from apps.telemetry.tests.factories import event

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
WINDOW = Window(oldest=NOW - timedelta(days=30), newest=NOW + timedelta(days=1))
GOOD = {
    "ts": "2026-06-01T10:15:00+00:00",
    "request_id": "r-1",
    "endpoint": "ep",
    "model": "m",
    "model_version": "v1",
    "input_tokens": 120,
    "output_tokens": 30,
    "cached_input_tokens": 20,
    "latency_ms": 250,
    "ttft_ms": 40,
    "queue_ms": 3,
    "accelerator": "L4",
    "resource_id": "pod-1",
    "lane": "batch",
    "customer": "acme",
    "status": "error",
    "cache_hit": True,
    "prompt_hash": "p1",
    "batch_size": 4,
    "attributes": {"region": "eu", "gpu_ms": 12.5},
}
# Values that are valid, and values that are wrong in each way the validator knows, per field.
# Drawn mostly from one flat list, so that each has a fair chance on every field.
ODD_LIST = [
            None, True, False, -1, 0, 3, 12, 0.4, 12.0, 12.5, 12.7, -0.0, float("nan"),
            float("inf"), 1e300, 10_000_000_000, 10_000_000_001, 86_400_000, 86_400_001,
            100_000, 100_001, "", "  ", " padded ", "a\x00b", "x" * 201, "x" * 257, "ok",
            "error", "timeout", "batch", "nearline", "interactive", "10",
            "2026-06-01T10:15:00Z", "2026-06-01T10:15:00", "2026-06-01T12:15:00+02:00",
            "2026-06-01 10:15:00+00:00", "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z",
            "2026-13-01T00:00:00Z", "2026-06-02T12:00:00Z", "2026-05-02T12:00:00Z",
            "2026-05-02T11:59:59Z", "x\ud800y", {"k": "\udc00"}, "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            [1], ["batch"], {}, {"k": [1, 2]}, {"big": "x" * 9000},
            {"nul": "\x00"}, {"gpu_ms": -1}, {"x": float("nan")}, {"x": [float("inf")]},
            {"gpu_ms": 1e-05}, {"x": 1e16}, {"x": [0.0001, 1.5e-7]}, {"x": None},
            {"x": "null", "y": "1e5"}, {"k\u2028": "\x1f\x7f\"\\é😀"},
            {"x": 10**30}, {"x": -0.0},
]  # fmt: skip
ODD_VALUES = st.one_of(st.sampled_from(ODD_LIST), st.integers(), st.floats(), st.text(max_size=4))


def assert_agree(candidate: dict) -> bool:
    """Both fast paths return the validator's row, or None; and the typed event, handed
    back to the validator, gets the same answer as the plain one. Returns whether the dict
    and typed paths were both fast."""
    fast = event_row_fast(candidate, WINDOW)
    row, errors = event_validate(candidate, WINDOW)
    if fast is not None:
        assert errors == [], candidate
        assert fast == row, candidate
    body = json.dumps([candidate]).encode()
    typed = decode_events_typed(body, ndjson=False)
    if typed is None:
        return False
    plain = json.loads(body)[0]
    assert event_validate(struct_as_dict(typed[0]), WINDOW) == event_validate(plain, WINDOW)
    typed_fast = struct_row_fast(typed[0], WINDOW)
    if typed_fast is not None:
        assert event_validate(plain, WINDOW) == (typed_fast, []), candidate
    return fast is not None and typed_fast is not None


def test_fast_path_agrees_for_every_single_field_change_and_removal():
    fast = 0
    for name in [*GOOD, "surprise"]:
        for value in ODD_LIST:
            fast += assert_agree({**GOOD, name: value})
        fast += assert_agree({k: v for k, v in GOOD.items() if k != name})
    assert fast > 100  # the fast path is taken for the valid variants, not just skipped


@settings(max_examples=1500, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from([*GOOD, "surprise"]), ODD_VALUES, max_size=3),
    removed=st.sets(st.sampled_from(list(GOOD)), max_size=1),
)
def test_fast_path_gives_the_validators_row_or_defers_to_it(changes, removed):
    assert_agree({k: v for k, v in {**GOOD, **changes}.items() if k not in removed})


@pytest.mark.parametrize(
    "candidate",
    [
        GOOD,
        {k: GOOD[k] for k in ("ts", "request_id", "endpoint", "model", "input_tokens",
                              "output_tokens", "latency_ms")},
        {**GOOD, "ts": "2026-06-01T12:15:00.5+02:00", "latency_ms": 12.7, "ttft_ms": None},
        {**GOOD, "request_id": " r-2 ", "accelerator": "", "prompt_hash": None},
    ],
)  # fmt: skip
def test_common_events_take_the_fast_path(candidate):
    assert assert_agree(candidate)


def test_typed_decoding_defers_bodies_it_cannot_take_whole():
    good = json.dumps(GOOD)
    assert len(decode_events_typed(f"[{good}, {good}]".encode(), ndjson=False)) == 2
    assert len(decode_events_typed(f"{good}\n\n{good}\n".encode(), ndjson=True)) == 2
    for body in (
        f'[{good}, "not an object"]',
        json.dumps([{**GOOD, "input_tokens": 12.0}]),
        json.dumps([{**GOOD, "surprise": 1}]),
        json.dumps([{k: v for k, v in GOOD.items() if k != "model"}]),
        json.dumps([{**GOOD, "latency_ms": float("nan")}]),
        f"[{good}",
        json.dumps(GOOD),
    ):
        assert decode_events_typed(body.encode(), ndjson=False) is None, body


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"ts": "yesterday"}, "ts", "must be an ISO-8601 string with a UTC offset"),
        ({"ts": "2026-06-01T10:15:00"}, "ts", "must carry a UTC offset (e.g. 'Z' or '+00:00')"),
        ({"ts": 1_780_000_000}, "ts", "must be an ISO-8601 string with a UTC offset"),
        ({"ts": "2030-01-01T00:00:00Z"}, "ts", "is too far in the future"),
        ({"ts": "9999-12-31T23:59:59-01:00"}, "ts", "is too far in the future"),
        ({"ts": "0001-01-01T00:00:00+01:00"}, "ts",
         "is older than the retention window (before 2026-03-03)"),
        ({"request_id": ""}, "request_id", "must not be empty"),
        ({"request_id": 7}, "request_id", "must be a string"),
        ({"model": "m" * 201}, "model", "must be at most 200 characters"),
        ({"customer": "a\x00b"}, "customer", "must not contain NUL characters"),
        ({"endpoint": "x\ud800"}, "endpoint",
         "must be valid Unicode (no unpaired surrogate escapes)"),
        ({"attributes": {"k": "\udc00"}}, "attributes",
         "must be valid Unicode (no unpaired surrogate escapes)"),
        ({"input_tokens": "10"}, "input_tokens", "must be an integer"),
        ({"input_tokens": 1.5}, "input_tokens", "must be an integer"),
        ({"output_tokens": -1}, "output_tokens", "must be between 0 and 10000000000"),
        ({"cached_input_tokens": 999}, "cached_input_tokens", "must not exceed input_tokens"),
        ({"latency_ms": True}, "latency_ms", "must be a number of milliseconds"),
        ({"ttft_ms": 86_400_001}, "ttft_ms", "must be between 0 and 86400000"),
        ({"lane": "fast"}, "lane", "must be one of batch, interactive, nearline"),
        ({"lane": ["batch"]}, "lane", "must be one of batch, interactive, nearline"),
        ({"status": {"ok": 1}}, "status", "must be one of error, ok, timeout"),
        ({"cache_hit": "yes"}, "cache_hit", "must be true or false"),
        ({"batch_size": 0}, "batch_size", "must be between 1 and 100000"),
        ({"attributes": [1]}, "attributes", "must be a JSON object"),
        ({"attributes": {"k": "x" * 9000}}, "attributes", "must encode to at most 8192 characters"),
        ({"attributes": {"x": float("nan")}}, "attributes", "must not contain NaN or Infinity"),
        ({"attributes": {"gpu_ms": 1e17}}, "attributes",
         "gpu_ms must be less than 100000000000000000"),
        ({"attributes": {"gpu_ms": 1e300}}, "attributes",
         "gpu_ms must be less than 100000000000000000"),
        ({"attributes": {"gpu_ms": 10**30}}, "attributes",
         "gpu_ms must be less than 100000000000000000"),
        ({"surprise": 1}, "surprise", "is not a known field"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_each_kind_of_bad_field_is_rejected_by_index_field_and_error(
    endpoint_a, change, field, error
):
    bad = {**event(endpoint_a.name), **change}
    if "ts" not in change:
        bad["ts"] = NOW.isoformat()
    good = {**event(endpoint_a.name), "ts": NOW.isoformat()}
    result = telemetry_events_ingest(
        events=[good, bad], team_ids=None, now=NOW + timedelta(hours=1), retention_days=90
    )
    assert result.accepted == 1
    assert [r.as_dict() for r in result.rejected] == [{"index": 1, "field": field, "error": error}]


def _stdlib_attributes_text(attributes: dict) -> str | None:
    """What the validator stores for ``attributes``, or None where it refuses them."""
    try:
        return json.dumps(attributes, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:
        return None


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and Infinity included: the dict path can hold them
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([1e16, 1e-05, 0.0001, 1.5e-7, 1e22, 5e-324, -0.0, 123456789012345678.0]),
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=6),
    st.sampled_from(["null", "1e5", "x\ud800", "\udc00", "0.00001", "\x00"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=3000, deadline=None)
@given(attributes=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=5))
def test_attributes_text_is_the_validators_json_text(attributes):
    assert attributes_text(attributes) == _stdlib_attributes_text(attributes)


@settings(max_examples=1000, deadline=None)
@given(attributes=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=5))
def test_attributes_text_of_msgspec_decoded_attributes_is_the_validators(attributes):
    text = _stdlib_attributes_text(attributes)
    if text is None or not is_utf8_encodable(text):
        return  # no JSON body holds it (the typed decoder refuses lone surrogates)
    decoded = msgspec.json.decode(text.encode())
    assert attributes_text(decoded) == _stdlib_attributes_text(decoded)


@pytest.mark.parametrize(
    "number", [1e16, 1.5e16, 1e-05, 1.5e-05, 0.0001, 1e-07, 1e22, 1.7976931348623157e308, 5e-324]
)
def test_attributes_text_writes_floats_as_python_repr(number):
    assert attributes_text({"x": number, "y": [number]}) == f'{{"x":{number!r},"y":[{number!r}]}}'


def test_attributes_text_refuses_nan_and_infinity_and_keeps_lone_surrogates():
    assert attributes_text({"x": float("nan")}) is None
    assert attributes_text({"x": [float("-inf")]}) is None
    assert attributes_text({"x": None}) == '{"x":null}'
    assert attributes_text({"k": "\udc00"}) == '{"k":"\udc00"}'  # the caller refuses it


@given(milli=st.integers(min_value=0, max_value=GPU_MILLI_LIMIT - 1))
def test_staged_gpu_ms_is_milli_to_decimal_digit_for_digit(milli):
    assert (MS_PER_MILLI * milli).as_tuple() == milli_to_decimal(milli).as_tuple()
