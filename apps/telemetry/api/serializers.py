from decimal import Decimal

from rest_framework import serializers

from apps.telemetry.choices import Granularity, UsageGroupBy
from apps.telemetry.histogram import percentile_ms


class TelemetryRejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position of the event in the request.")
    field = serializers.CharField(help_text="Offending field ('' when the event is not an object).")
    error = serializers.CharField()


class TelemetryIngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Events stored by this request.")
    duplicates = serializers.IntegerField(
        help_text="Events already stored (same endpoint and request_id)."
    )
    rejected = TelemetryRejectionSerializer(many=True)


class TelemetryCsvUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row of event field names.")


class UsageQueryInputSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Inclusive, ISO-8601 with offset.")
    end = serializers.DateTimeField(help_text="Exclusive, ISO-8601 with offset.")
    group_by = serializers.CharField(
        default="endpoint",
        help_text="Comma-separated: " + ", ".join(UsageGroupBy.values),
    )
    granularity = serializers.ChoiceField(choices=Granularity.choices, default=Granularity.HOUR)

    def validate_group_by(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in UsageGroupBy.values]
        if unknown or not names:
            raise serializers.ValidationError(
                f"Choose from {', '.join(UsageGroupBy.values)}; got {value!r}."
            )
        return list(dict.fromkeys(names))

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "Must be after start."})
        if (attrs["end"] - attrs["start"]).days > 400:
            raise serializers.ValidationError({"end": "The range may span at most 400 days."})
        return attrs


class UsageRowSerializer(serializers.Serializer):
    """One period x group of usage. Group fields appear only when grouped by them."""

    period_start = serializers.DateTimeField()
    endpoint = serializers.CharField(required=False)
    model_version = serializers.CharField(required=False)
    lane = serializers.CharField(required=False)
    customer = serializers.CharField(required=False)
    accelerator = serializers.CharField(required=False)
    resource_id = serializers.CharField(required=False)
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    timeouts = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cached_input_tokens = serializers.IntegerField()
    latency_ms_sum = serializers.IntegerField()
    gpu_seconds = serializers.DecimalField(max_digits=24, decimal_places=6)
    cache_hits = serializers.IntegerField()
    duplicate_prompts = serializers.IntegerField()
    latency_p50_ms = serializers.FloatField(allow_null=True)
    latency_p95_ms = serializers.FloatField(allow_null=True)
    latency_p99_ms = serializers.FloatField(allow_null=True)

    def to_representation(self, row: dict) -> dict:
        row = dict(row)
        if "endpoint__name" in row:
            row["endpoint"] = row.pop("endpoint__name")
        histogram = row.pop("latency_histogram")
        row["gpu_seconds"] = (row.pop("gpu_ms_sum") or Decimal(0)) / 1000
        for name, quantile in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            value = percentile_ms(histogram, quantile)
            row[f"latency_{name}_ms"] = None if value is None else round(value, 1)
        data = super().to_representation(row)
        return {k: v for k, v in data.items() if k in row}
