"""The factor table: every figure a lever uses, with its source and a pessimistic-optimistic range.

Defaults are published practitioner figures or stated costgov assumptions;
``docs/recommendations.md`` lists every factor with its source. A deployment overrides a
factor with the ``RECOMMENDATION_FACTORS`` setting (``key=value`` items) or a ``FactorOverride``
row (admins, wins over the setting); the what-if calculator passes per-request overrides on top.
``pessimistic`` is the value that gives the smaller saving, ``optimistic`` the larger one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from apps.common.errors import ValidationFailed

PUBLISHED = "published practitioner figures (docs/recommendations.md, Sources)"
ASSUMPTION = "costgov assumption"
VARIANTS = ("point", "pessimistic", "optimistic")


@dataclass(frozen=True)
class Factor:
    key: str
    value: Decimal
    pessimistic: Decimal
    optimistic: Decimal
    unit: str
    source: str
    note: str
    origin: str = "default"  # default | setting | override | what-if

    def at(self, variant: str) -> Decimal:
        return {"point": self.value, "pessimistic": self.pessimistic}.get(variant, self.optimistic)

    def as_json(self) -> dict:
        return {
            "value": str(self.value),
            "pessimistic": str(self.pessimistic),
            "optimistic": str(self.optimistic),
            "unit": self.unit,
            "source": self.source,
            "origin": self.origin,
        }


def _f(key: str, value: str, pess: str, opt: str, unit: str, source: str, note: str) -> Factor:
    return Factor(key, Decimal(value), Decimal(pess), Decimal(opt), unit, source, note)


DEFAULT_FACTORS: dict[str, Factor] = {
    f.key: f
    for f in [
        # Quantization: throughput of one GPU relative to FP32 at the same batch.
        _f(
            "quantization.throughput.fp16",
            "1.5",
            "1.5",
            "1.5",
            "x vs FP32",
            PUBLISHED,
            "mixed precision FP16/BF16: 1.5-3x cost reduction; low end, used for BF16 too",
        ),
        _f(
            "quantization.throughput.fp8",
            "1.8",
            "1.5",
            "2.4",
            "x vs FP32",
            ASSUMPTION,
            "8-bit weights as INT8 (table gives FP8 memory only: ~2x smaller than FP16)",
        ),
        _f(
            "quantization.throughput.int8",
            "1.8",
            "1.5",
            "2.4",
            "x vs FP32",
            PUBLISHED,
            "FP32 -> INT8 post-training ~1.8x; INT8/4-bit on transformers 2-4x",
        ),
        _f(
            "quantization.throughput.int4",
            "2.3",
            "1.8",
            "3.0",
            "x vs FP32",
            PUBLISHED,
            "FP32 -> INT4 post-training ~2.3x; INT8/4-bit on transformers 2-4x",
        ),
        _f(
            "quantization.memory_headroom",
            "1.3",
            "1.4",
            "1.2",
            "x weights",
            ASSUMPTION,
            "GPU memory needed = weights x headroom (KV cache, activations)",
        ),
        _f(
            "quantization.usable_memory_share",
            "0.9",
            "0.9",
            "0.9",
            "share",
            ASSUMPTION,
            "share of GPU memory a serving runtime can use",
        ),
        # Continuous batching.
        _f(
            "batching.throughput_gain",
            "3",
            "2",
            "8",
            "x",
            PUBLISHED,
            "continuous vs static batching: 2-8x throughput on decode-heavy load",
        ),
        _f(
            "batching.max_mean_batch",
            "4",
            "4",
            "4",
            "requests",
            ASSUMPTION,
            "trigger: mean batch size (latency x GPUs / GPU time) at most this",
        ),
        _f(
            "batching.max_utilization",
            "0.6",
            "0.6",
            "0.6",
            "share",
            ASSUMPTION,
            "trigger: GPU utilization at most this",
        ),
        # Spot capacity and lanes.
        _f(
            "spot.discount_fallback",
            "0.7",
            "0.6",
            "0.9",
            "share",
            PUBLISHED,
            "spot 60-90% cheaper; used only when the price book has no spot price",
        ),
        _f(
            "spot.interruption_overhead",
            "0.1",
            "0.2",
            "0.05",
            "share",
            ASSUMPTION,
            "extra capacity for retries and re-run work after interruptions",
        ),
        _f(
            "spot.max_interactive_share",
            "0.01",
            "0.01",
            "0.01",
            "share",
            ASSUMPTION,
            "trigger: interactive share of GPU time at most this (or interruption-tolerant)",
        ),
        _f(
            "lanes.min_noninteractive_share",
            "0.1",
            "0.1",
            "0.1",
            "share",
            ASSUMPTION,
            "trigger: nearline + batch share of GPU time at least this",
        ),
        _f(
            "lanes.premium_gpu_hourly",
            "2",
            "2",
            "2",
            "currency / GPU-hour",
            ASSUMPTION,
            "premium accelerator: on-demand price per GPU-hour at least this (A100, H100)",
        ),
        # Response caching.
        _f(
            "caching.min_duplicate_share",
            "0.05",
            "0.05",
            "0.05",
            "share",
            ASSUMPTION,
            "trigger: duplicate prompts / requests at least this",
        ),
        _f(
            "caching.servable_share",
            "0.5",
            "0.3",
            "0.8",
            "share",
            ASSUMPTION,
            "share of duplicate prompts whose response may be served from a cache",
        ),
        # Right-sizing and idle.
        _f(
            "rightsizing.max_utilization",
            "0.35",
            "0.35",
            "0.35",
            "share",
            ASSUMPTION,
            "trigger: utilization (usage / (usage + idle)) at most this",
        ),
        _f(
            "rightsizing.target_utilization",
            "0.6",
            "0.5",
            "0.7",
            "share",
            ASSUMPTION,
            "utilization to size the remaining capacity for",
        ),
        _f(
            "idle.max_requests_per_day",
            "20",
            "20",
            "20",
            "requests/day",
            ASSUMPTION,
            "trigger for scale to zero: fewer requests per day than this",
        ),
        _f(
            "idle.warm_overhead",
            "0.1",
            "0.25",
            "0.05",
            "share of window",
            ASSUMPTION,
            "capacity kept warm around active hours (cold starts)",
        ),
        # Commitments.
        _f(
            "commitment.baseline_percentile",
            "10",
            "5",
            "20",
            "percentile",
            PUBLISHED,
            "committed use for a sustained baseline: a low percentile of hourly on-demand cost",
        ),
        _f(
            "commitment.min_days",
            "28",
            "28",
            "28",
            "days",
            ASSUMPTION,
            "trigger: days of hourly on-demand cost needed before committing",
        ),
        # Model tiering.
        _f(
            "tiering.simple_share",
            "0.2",
            "0.1",
            "0.3",
            "share",
            ASSUMPTION,
            "explicit assumption: share of requests simple enough for a smaller model",
        ),
        _f(
            "tiering.small_model_cost_ratio",
            "0.1",
            "0.2",
            "0.05",
            "x",
            PUBLISHED,
            "distillation: 80-95% of teacher quality at 10-100x lower cost",
        ),
        _f(
            "tiering.min_parameters",
            "7000000000",
            "7000000000",
            "7000000000",
            "parameters",
            ASSUMPTION,
            "trigger: models at least this large",
        ),
        # Engine.
        _f(
            "engine.min_monthly_savings",
            "10",
            "10",
            "10",
            "currency/month",
            ASSUMPTION,
            "recommendations saving less than this are not shown",
        ),
        _f(
            "engine.material_change_ratio",
            "0.25",
            "0.25",
            "0.25",
            "share",
            ASSUMPTION,
            "a dismissed recommendation reopens when savings grow by more than this",
        ),
        _f("engine.window_days", "30", "30", "30", "days", ASSUMPTION, "evidence window"),
        _f(
            "engine.min_days",
            "7",
            "7",
            "7",
            "days",
            ASSUMPTION,
            "endpoints with fewer days of cost are not assessed",
        ),
    ]
}


def _decimal(raw: object, *, key: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValidationFailed(f"factor {key}: {raw!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise ValidationFailed(f"factor {key}: {raw!r} must be a finite number >= 0")
    return value


def _apply(table: dict[str, Factor], key: str, raw: object, origin: str) -> None:
    if key not in table:
        raise ValidationFailed(f"unknown factor {key!r}", details={"known": sorted(table)})
    if isinstance(raw, Mapping):
        value = _decimal(raw["value"], key=key)
        pess = _decimal(raw.get("pessimistic", value), key=key)
        opt = _decimal(raw.get("optimistic", value), key=key)
    else:
        value = pess = opt = _decimal(raw, key=key)
    table[key] = replace(table[key], value=value, pessimistic=pess, optimistic=opt, origin=origin)


class Factors:
    """Resolved factor table: ``factors.get(key, variant)``; records which keys were read."""

    def __init__(self, table: dict[str, Factor]) -> None:
        self.table = table
        self.used: set[str] = set()

    def get(self, key: str, variant: str = "point") -> Decimal:
        self.used.add(key)
        return self.table[key].at(variant)

    def evidence(self, keys: set[str]) -> dict:
        return {key: self.table[key].as_json() for key in sorted(keys)}


def factors_resolve(
    *, overrides: Mapping[str, object] | None = None, use_stored: bool = True
) -> Factors:
    """Defaults < ``settings.RECOMMENDATION_FACTORS`` < ``FactorOverride`` rows < ``overrides``."""
    from django.conf import settings

    from apps.recommendations.models import FactorOverride

    table = dict(DEFAULT_FACTORS)
    for item in getattr(settings, "RECOMMENDATION_FACTORS", []):
        key, sep, raw = item.partition("=")
        if not sep:
            raise ImproperlyConfigured(f"RECOMMENDATION_FACTORS item {item!r} is not key=value")
        try:
            _apply(table, key.strip(), raw, "setting")
        except ValidationFailed as exc:
            raise ImproperlyConfigured(f"RECOMMENDATION_FACTORS: {exc.message}") from exc
    if use_stored:
        for row in FactorOverride.objects.all():
            raw = {"value": row.value}
            if row.pessimistic is not None:
                raw["pessimistic"] = row.pessimistic
            if row.optimistic is not None:
                raw["optimistic"] = row.optimistic
            _apply(table, row.key, raw, "override")
    for key, raw in (overrides or {}).items():
        _apply(table, key, raw, "what-if")
    return Factors(table)
