import re

from rest_framework import serializers

from apps.accounts.models import Team
from apps.catalog.choices import Lane, RuleKind
from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry


class AttributionRuleSerializer(serializers.ModelSerializer):
    endpoint = serializers.SlugRelatedField(slug_field="name", queryset=ModelEndpoint.objects.all())

    class Meta:
        model = AttributionRule
        fields = [
            "id",
            "endpoint",
            "kind",
            "tag_key",
            "values",
            "pattern",
            "priority",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict) -> dict:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        tag_key = attrs.get("tag_key", getattr(self.instance, "tag_key", ""))
        pattern = attrs.get("pattern", getattr(self.instance, "pattern", ""))
        if kind == RuleKind.TAG and not tag_key:
            raise serializers.ValidationError({"tag_key": "A tag rule needs a tag_key."})
        if kind != RuleKind.TAG and not pattern:
            raise serializers.ValidationError({"pattern": f"A {kind} rule needs a pattern."})
        return attrs


class AttributionRuleNestedSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributionRule
        fields = ["id", "kind", "tag_key", "values", "pattern", "priority"]
        read_only_fields = fields


class ModelEndpointSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="name", queryset=Team.objects.all())
    lanes = serializers.ListField(
        child=serializers.ChoiceField(choices=Lane.choices), required=False
    )
    attribution_rules = AttributionRuleNestedSerializer(many=True, read_only=True)

    class Meta:
        model = ModelEndpoint
        fields = [
            "id",
            "name",
            "team",
            "model_family",
            "parameter_count",
            "precision",
            "serving_framework",
            "accelerator_type",
            "accelerator_count",
            "instance_type",
            "provider",
            "region",
            "pricing_category",
            "lanes",
            "is_interruption_tolerant",
            "is_active",
            "attribution_rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "attribution_rules"]

    def validate_name(self, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]*", value):
            raise serializers.ValidationError(
                "Use letters, digits and . _ : / - (starting with a letter or digit)."
            )
        return value

    def validate_lanes(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class PriceBookEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceBookEntry
        fields = [
            "id",
            "provider",
            "instance_type",
            "region",
            "gpu_model",
            "gpus_per_instance",
            "gpu_memory_gb",
            "supports_fp8",
            "currency",
            "on_demand_hourly",
            "spot_hourly",
            "commit_1y_hourly",
            "commit_3y_hourly",
            "source",
            "source_date",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
