from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.reports.models import Budget


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2024-01"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM``; the value is the month's first day."""

    def to_internal_value(self, data: str) -> date:
        try:
            return date.fromisoformat(f"{data}-01")
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError("Use YYYY-MM.") from exc

    def to_representation(self, value: date) -> str:
        return value.strftime("%Y-%m")


class ChargebackQuerySerializer(serializers.Serializer):
    period = MonthField()
    team = serializers.IntegerField(
        required=False, help_text="Team id; all visible teams if absent."
    )


class StatementCloseInputSerializer(serializers.Serializer):
    period = MonthField()
    team = serializers.IntegerField(required=False, help_text="Team id; every team if absent.")


class MonthQuerySerializer(serializers.Serializer):
    month = MonthField()


class OwnerQuerySerializer(serializers.Serializer):
    month = MonthField()
    team = serializers.IntegerField()


class BudgetSerializer(serializers.ModelSerializer):
    period = MonthField(source="period_start")
    team_name = serializers.CharField(source="team.name", read_only=True)
    endpoint_name = serializers.CharField(source="endpoint.name", read_only=True, default=None)

    class Meta:
        model = Budget
        fields = [
            "id",
            "team",
            "team_name",
            "endpoint",
            "endpoint_name",
            "period",
            "amount",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        endpoint = attrs.get("endpoint", getattr(self.instance, "endpoint", None))
        team = attrs.get("team", getattr(self.instance, "team", None))
        if endpoint is not None and endpoint.team_id != team.id:
            raise serializers.ValidationError({"endpoint": "The endpoint belongs to another team."})
        period = attrs.get("period_start", getattr(self.instance, "period_start", None))
        clash = Budget.objects.filter(team=team, endpoint=endpoint, period_start=period)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("A budget for this team/endpoint and month exists.")
        if attrs.get("amount") is not None and attrs["amount"] <= 0:
            raise serializers.ValidationError({"amount": "A budget is a positive amount."})
        return attrs
