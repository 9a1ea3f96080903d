"""Optimization recommendations per endpoint and lever, and deployment overrides of factors."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.catalog.models import ModelEndpoint
from apps.common.money import currency_field, money_field
from apps.recommendations.choices import Confidence, Lever, Status


class Recommendation(models.Model):
    """One lever proposed for one endpoint; at most one row per (endpoint, lever).

    Money is monthly (30 days) in ``currency``: ``current_monthly_cost`` is the endpoint's
    allocated usage + idle cost over the evidence window scaled to 30 days;
    ``projected_monthly_cost`` = current - ``savings_monthly``; ``savings_low``/``savings_high``
    are the pessimistic and optimistic savings from the factor ranges. Savings are never
    negative and never exceed the current cost. ``evidence`` holds the measured usage, prices
    and factors used (JSON, money as decimal strings). Only the refresh service writes open
    rows; people move the lifecycle through ``recommendation_transition``.
    """

    endpoint = models.ForeignKey(
        ModelEndpoint, on_delete=models.CASCADE, related_name="recommendations"
    )
    lever = models.CharField(max_length=32, choices=Lever.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=300)
    currency = currency_field(default="USD")
    current_monthly_cost = money_field()
    projected_monthly_cost = money_field()
    savings_monthly = money_field()
    savings_low = money_field()
    savings_high = money_field()
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    risks = models.JSONField(default=dict, help_text="accuracy / latency / interruption")
    prerequisites = models.JSONField(default=list)
    steps = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    implemented_on = models.DateField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.TextField(blank=True)
    dismissed_savings_monthly = money_field(
        null=True, blank=True, help_text="Point savings when dismissed (material-change test)."
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    realized_savings_monthly = money_field(null=True, blank=True)
    realized_measured_at = models.DateTimeField(null=True, blank=True)
    realized_evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-savings_monthly", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "lever"], name="recommendation_one_per_lever"
            ),
            models.CheckConstraint(
                condition=Q(savings_monthly__gte=0)
                & Q(savings_monthly__lte=models.F("current_monthly_cost")),
                name="recommendation_savings_within_cost",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismissed_reason=""),
                name="recommendation_dismissed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["implemented", "verified"])
                | Q(implemented_on__isnull=False),
                name="recommendation_implemented_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "lever"])]

    def __str__(self) -> str:
        return f"{self.endpoint_id} {self.lever} ({self.status})"

    @property
    def projection_accuracy(self) -> object:
        """Realized / projected savings, once measured (1 = exactly as projected)."""
        if self.realized_savings_monthly is None or not self.savings_monthly:
            return None
        return self.realized_savings_monthly / self.savings_monthly


class FactorOverride(models.Model):
    """A deployment's value for one factor of the table in ``apps.recommendations.factors``.

    Applies from the next refresh. A blank pessimistic or optimistic value takes the new point
    value (an override states what the deployment knows; it does not inherit the default range).
    """

    key = models.CharField(max_length=100, unique=True)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    pessimistic = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    optimistic = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why this deployment differs.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
