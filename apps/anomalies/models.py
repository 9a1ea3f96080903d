"""Monitors, anomalies (one row per incident, which is also the alert), alert routing and
deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.anomalies.choices import (
    AlertEvent,
    AnomalyStatus,
    Channel,
    DeliveryStatus,
    Direction,
    Feedback,
    Granularity,
    MonitorKind,
    Signal,
)
from apps.catalog.models import ModelEndpoint
from apps.common.money import currency_field, money_field


class Monitor(models.Model):
    """One watched series: a subject (endpoint, team, instance type, account) at a granularity.

    Created by detection the first time a series has data. Empty thresholds fall back to the
    global settings (``ANOMALY_*``). Feedback tunes ``sensitivity`` (band multiplier) and
    ``suppress_below_impact``; an expected change appends ``{"at", "factor"}`` to
    ``baseline_shifts``: history before ``at`` is scaled by ``factor`` so the new level is normal.
    """

    key = models.CharField(max_length=400, unique=True, help_text="kind:subject:granularity")
    kind = models.CharField(max_length=16, choices=MonitorKind.choices)
    subject = models.CharField(max_length=300)
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    endpoint = models.ForeignKey(
        ModelEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_enabled = models.BooleanField(default=True)
    min_impact = money_field(null=True, blank=True, help_text="Money per point; empty: global.")
    min_relative_pct = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="Percent; empty: global."
    )
    band_k = models.FloatField(null=True, blank=True, help_text="Band width in robust sigmas.")
    sensitivity = models.FloatField(default=1.0, help_text="Band multiplier tuned by feedback.")
    suppress_below_impact = money_field(
        null=True, blank=True, help_text="Incidents with a smaller total impact are not raised."
    )
    baseline_shifts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Anomaly(models.Model):
    """One incident on one monitor; also the alert. At most one is open (open or acknowledged)
    per monitor, so a sustained incident updates this row instead of raising new ones.

    ``start_at``/``end_at`` are the half-open span of anomalous points. Money is Decimal:
    ``impact = actual - expected`` over the span (for a usage signal: the usage change priced at
    the expected unit cost), split into ``usage_effect`` (more or less usage at the expected
    unit cost) and ``unit_cost_effect`` (the rest).
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="anomalies")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    endpoint = models.ForeignKey(
        ModelEndpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=AnomalyStatus.choices, default=AnomalyStatus.OPEN
    )
    feedback = models.CharField(max_length=16, choices=Feedback.choices, blank=True, default="")
    signal = models.CharField(max_length=16, choices=Signal.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    anomalous_points = models.IntegerField(default=0)
    actual_cost = money_field()
    expected_cost = money_field()
    impact = money_field()
    usage_effect = money_field(default=0)
    unit_cost_effect = money_field(default=0)
    currency = currency_field()
    peak_deviation_pct = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    contributors = models.JSONField(default=list, blank=True)
    points = models.JSONField(
        default=list, blank=True, help_text="Chart: t, actual, expected, band"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="related",
        help_text="The incident this one is a view of (same root cause, same time): not alerted.",
    )
    notified_impact = money_field(default=0)
    revision = models.IntegerField(default=0)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_at", "-id"]
        verbose_name_plural = "anomalies"
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"],
                condition=~Q(status="resolved"),
                name="anomaly_one_open_per_monitor",
            ),
            models.UniqueConstraint(fields=["monitor", "start_at"], name="anomaly_monitor_start"),
        ]
        indexes = [models.Index(fields=["status", "-start_at"], name="anomaly_status_start")]

    def __str__(self) -> str:
        return f"{self.monitor.key} {self.start_at:%Y-%m-%d %H:%M} {self.direction}"


class Subscription(models.Model):
    """Where alerts go. ``team`` empty: the global SRE channel, which receives every alert."""

    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    target = models.CharField(max_length=500, help_text="Webhook URL or e-mail address.")
    secret = models.CharField(max_length=200, blank=True, help_text="HMAC key (webhook).")
    min_impact = money_field(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One alert event sent (or being sent) to one subscription; retried with backoff.

    The natural key (anomaly, subscription, event, revision) makes enqueueing idempotent.
    """

    anomaly = models.ForeignKey(Anomaly, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=16, choices=AlertEvent.choices)
    revision = models.IntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.IntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.IntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["anomaly", "subscription", "event", "revision"],
                name="delivery_natural_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} of anomaly {self.anomaly_id} to {self.subscription_id}"
