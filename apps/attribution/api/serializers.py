from decimal import Decimal, InvalidOperation

from rest_framework import serializers

from apps.accounts.models import Team
from apps.attribution.choices import SharedMethod
from apps.attribution.cost_explorer import ALLOCATION_GROUPS
from apps.attribution.models import AllocationRun, AttributionSettings, SharedCostRule
from apps.billing.api.serializers import CostQueryInputSerializer, CostRowSerializer
from apps.billing.selectors import GROUPS

MONEY = {"max_digits": 38, "decimal_places": 24}


class DateRangeQuerySerializer(serializers.Serializer):
    """``start``/``end`` dates of a half-open range ``[start, end)``, at most 800 days."""

    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "end must be after start (half-open range)."})
        if (attrs["end"] - attrs["start"]).days > 800:
            raise serializers.ValidationError({"end": "at most 800 days per request."})
        return attrs


class AllocationQuerySerializer(DateRangeQuerySerializer):
    group_by = serializers.ChoiceField(choices=["team", "endpoint", "category", "customer"])
    granularity = serializers.ChoiceField(choices=["day", "month"], default="month")


class AllocationRowSerializer(serializers.Serializer):
    period = serializers.DateField()
    group = serializers.CharField()
    currency = serializers.CharField()
    billed_cost = serializers.DecimalField(**MONEY)
    effective_cost = serializers.DecimalField(**MONEY)
    list_cost = serializers.DecimalField(**MONEY)


class UnitCostQuerySerializer(DateRangeQuerySerializer):
    endpoint = serializers.CharField(required=False)


class UnitCostRowSerializer(serializers.Serializer):
    endpoint = serializers.CharField()
    team = serializers.CharField()
    day = serializers.DateField()
    currency = serializers.CharField()
    cost = serializers.DecimalField(**MONEY)
    idle_cost = serializers.DecimalField(**MONEY)
    requests = serializers.IntegerField()
    successful_requests = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost_per_1k_input_tokens = serializers.DecimalField(**MONEY, allow_null=True)
    cost_per_1k_output_tokens = serializers.DecimalField(**MONEY, allow_null=True)
    cost_per_1k_tokens = serializers.DecimalField(**MONEY, allow_null=True)
    cost_per_request = serializers.DecimalField(**MONEY, allow_null=True)
    cost_per_successful_request = serializers.DecimalField(**MONEY, allow_null=True)
    idle_share = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)


class ExplainLineItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    sub_account_id = serializers.CharField()
    charge_period_start = serializers.DateTimeField()
    charge_period_end = serializers.DateTimeField()
    charge_category = serializers.CharField()
    service_name = serializers.CharField()
    sku_id = serializers.CharField()
    resource_id = serializers.CharField()
    instance_type = serializers.CharField()
    tags = serializers.DictField()
    billing_currency = serializers.CharField()
    billed_cost = serializers.DecimalField(**MONEY)
    effective_cost = serializers.DecimalField(**MONEY)
    list_cost = serializers.DecimalField(**MONEY)


class ExplainPartSerializer(serializers.Serializer):
    line_item = ExplainLineItemSerializer()
    category = serializers.CharField()
    evidence = serializers.CharField()
    rule = serializers.CharField()
    pool_resource_id = serializers.CharField()
    weight = serializers.DecimalField(max_digits=38, decimal_places=6, allow_null=True)
    weight_total = serializers.DecimalField(max_digits=38, decimal_places=6, allow_null=True)
    currency = serializers.CharField()
    billed_cost = serializers.DecimalField(**MONEY)
    effective_cost = serializers.DecimalField(**MONEY)
    list_cost = serializers.DecimalField(**MONEY)


class ExplainRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    billing_period_start = serializers.DateField()
    rule_set_version = serializers.IntegerField()
    finished_at = serializers.DateTimeField()


class ExplainSerializer(serializers.Serializer):
    endpoint = serializers.CharField()
    team = serializers.CharField()
    day = serializers.DateField()
    totals = serializers.DictField(
        help_text="currency -> category -> {billed_cost, effective_cost, list_cost}"
    )
    runs = ExplainRunSerializer(many=True)
    parts = ExplainPartSerializer(many=True)

    def to_representation(self, instance: dict) -> dict:
        data = super().to_representation(instance)
        data["totals"] = {
            currency: {cat: {m: str(v) for m, v in sums.items()} for cat, sums in cats.items()}
            for currency, cats in instance["totals"].items()
        }
        return data


class AllocationRunSerializer(serializers.ModelSerializer):
    rule_set_version = serializers.IntegerField(source="rule_set_id", allow_null=True)

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "billing_period_start",
            "status",
            "rule_set_version",
            "ledger_rows",
            "part_rows",
            "ledger_totals",
            "allocated_totals",
            "error",
            "triggered_by",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class AllocationRunCreateInputSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")


class AttributionSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributionSettings
        fields = ["endpoint_tag_keys", "team_tag_keys", "split_basis", "updated_at"]
        read_only_fields = ["updated_at"]


class SharedCostRuleSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = SharedCostRule
        fields = [
            "id",
            "name",
            "priority",
            "match_charge_category",
            "match_service_category",
            "match_service_name",
            "method",
            "team",
            "percentages",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        method = attrs.get("method", getattr(self.instance, "method", None))
        team = attrs.get("team", getattr(self.instance, "team", None))
        percentages = attrs.get("percentages", getattr(self.instance, "percentages", {}))
        if method == SharedMethod.TEAM and team is None:
            raise serializers.ValidationError({"team": "Method 'team' needs a team."})
        if method == SharedMethod.FIXED:
            if not percentages:
                raise serializers.ValidationError({"percentages": "Method 'fixed' needs shares."})
            total = Decimal(0)
            for name, pct in percentages.items():
                if not Team.objects.filter(name__iexact=name).exists():
                    raise serializers.ValidationError({"percentages": f"No team named {name!r}."})
                try:
                    value = Decimal(str(pct))
                except InvalidOperation as exc:
                    raise serializers.ValidationError(
                        {"percentages": f"{name}: {pct!r} is not a number."}
                    ) from exc
                if value <= 0:
                    raise serializers.ValidationError({"percentages": f"{name}: must be > 0."})
                total += value
            if total > 100:
                raise serializers.ValidationError({"percentages": f"Shares sum to {total} > 100."})
        return attrs


class CostExplorerQuerySerializer(CostQueryInputSerializer):
    """The billing cost explorer's query, plus the allocation groupings."""

    def validate_group_by(self, value: str) -> str:
        if value in ALLOCATION_GROUPS:
            return value
        try:
            return super().validate_group_by(value)
        except serializers.ValidationError as exc:
            choices = ", ".join([*GROUPS, "tag:KEY", *ALLOCATION_GROUPS])
            raise serializers.ValidationError(f"Choose one of {choices}.") from exc


class CostExplorerOutputSerializer(CostExplorerQuerySerializer):
    results = CostRowSerializer(many=True)
