from rest_framework import serializers

from apps.recommendations.choices import Lever, Status
from apps.recommendations.models import Recommendation


class RecommendationSerializer(serializers.ModelSerializer):
    endpoint = serializers.CharField(source="endpoint.name")
    team = serializers.CharField(source="endpoint.team.name")
    projection_accuracy = serializers.DecimalField(
        max_digits=20, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "endpoint",
            "team",
            "lever",
            "status",
            "title",
            "currency",
            "current_monthly_cost",
            "projected_monthly_cost",
            "savings_monthly",
            "savings_low",
            "savings_high",
            "confidence",
            "risks",
            "prerequisites",
            "steps",
            "evidence",
            "computed_at",
            "accepted_at",
            "implemented_on",
            "verified_at",
            "dismissed_at",
            "dismissed_reason",
            "realized_savings_monthly",
            "realized_measured_at",
            "realized_evidence",
            "projection_accuracy",
        ]


class RecommendationQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    lever = serializers.ChoiceField(choices=Lever.choices, required=False)
    endpoint = serializers.CharField(required=False)


class RecommendationPatchInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    implemented_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ProjectionAccuracySerializer(serializers.Serializer):
    lever = serializers.CharField()
    measured = serializers.IntegerField()
    projected = serializers.DecimalField(max_digits=24, decimal_places=2)
    realized = serializers.DecimalField(max_digits=24, decimal_places=2)
    accuracy = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)


class WhatIfInputSerializer(serializers.Serializer):
    endpoint_id = serializers.IntegerField()
    factors = serializers.DictField(required=False, default=dict)
    prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=24, decimal_places=10, min_value=0),
        required=False,
        default=dict,
    )
