from rest_framework import serializers

from apps.anomalies.choices import Feedback
from apps.anomalies.models import Anomaly


class AnomalySerializer(serializers.ModelSerializer):
    monitor = serializers.CharField(source="monitor.key", read_only=True)
    monitor_kind = serializers.CharField(source="monitor.kind", read_only=True)
    subject = serializers.CharField(source="monitor.subject", read_only=True)
    granularity = serializers.CharField(source="monitor.granularity", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, default=None)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, default=None
    )

    class Meta:
        model = Anomaly
        fields = [
            "id", "monitor", "monitor_kind", "subject", "granularity", "team", "status",
            "feedback", "signal", "direction", "start_at", "end_at", "anomalous_points",
            "actual_cost", "expected_cost", "impact", "usage_effect", "unit_cost_effect",
            "currency", "peak_deviation_pct", "contributors", "points", "revision",
            "acknowledged_by", "acknowledged_at", "resolved_at", "note", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AnomalyPatchInputSerializer(serializers.Serializer):
    """``status``: acknowledged or resolved; ``feedback``: expected, not_anomaly, confirmed."""

    status = serializers.ChoiceField(choices=["acknowledged", "resolved"], required=False)
    feedback = serializers.ChoiceField(choices=[c for c in Feedback.values if c], required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs: dict) -> dict:
        if "status" not in attrs and "feedback" not in attrs:
            raise serializers.ValidationError("give a status or a feedback")
        return attrs
