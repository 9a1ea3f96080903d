from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.choices import BillingFormat, CostMetric, Granularity
from apps.billing.models import BillingImport, CloudConnection
from apps.billing.selectors import GROUPS
from apps.billing.services.billing_import import decimal_text


class BillingImportSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = BillingImport
        fields = [
            "id",
            "source",
            "status",
            "format",
            "location",
            "file_names",
            "sha256",
            "rows_done",
            "rows_total",
            "billing_periods",
            "source_totals",
            "stored_totals",
            "error",
            "error_details",
            "note",
            "triggered_by",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class BillingImportCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=BillingFormat.choices, default=BillingFormat.AUTO)
    source = serializers.CharField(max_length=200, default="default")

    def validate_file(self, value: UploadedFile) -> UploadedFile:
        limit = settings.COSTGOV_MAX_UPLOAD_BYTES
        if value.size is not None and value.size > limit:
            raise serializers.ValidationError(f"File is larger than {limit} bytes.")
        return value


class CostQueryInputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.CharField(default="service")
    metric = serializers.ChoiceField(choices=CostMetric.choices, default=CostMetric.BILLED_COST)
    granularity = serializers.ChoiceField(choices=Granularity.choices, default=Granularity.DAY)

    def validate_group_by(self, value: str) -> str:
        if value in GROUPS or (value.startswith("tag:") and len(value) > len("tag:")):
            return value
        choices = ", ".join([*GROUPS, "tag:KEY"])
        raise serializers.ValidationError(f"Choose one of {choices}.")

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "end must be after start ([start, end))."})
        if (attrs["end"] - attrs["start"]).days > 366 * 2:
            raise serializers.ValidationError({"end": "at most two years per query."})
        return attrs


@extend_schema_field(OpenApiTypes.STR)
class ExactDecimalField(serializers.Field):
    """A decimal as an exact plain string without trailing zeros (``"0.3"``, ``"1E-24"`` never)."""

    def to_representation(self, value: Decimal) -> str:
        return decimal_text(value)


class CostRowSerializer(serializers.Serializer):
    period = serializers.DateField()
    group = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    amount = ExactDecimalField(read_only=True)


class CloudConnectionSerializer(serializers.ModelSerializer):
    """A connection as configured, and the outcome of its latest pull (read-only)."""

    class Meta:
        model = CloudConnection
        fields = [
            "id",
            "name",
            "kind",
            "location",
            "is_enabled",
            "last_run_at",
            "last_status",
            "last_error",
            "created_at",
        ]
        read_only_fields = ["id", "last_run_at", "last_status", "last_error", "created_at"]

    def validate(self, attrs: dict) -> dict:
        candidate = CloudConnection(
            kind=attrs.get("kind", getattr(self.instance, "kind", "")),
            location=attrs.get("location", getattr(self.instance, "location", "")),
        )
        problem = candidate.location_problem()
        if problem:
            raise serializers.ValidationError({"location": problem})
        return attrs
