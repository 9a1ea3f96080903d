"""Chargeback statements, budgets, budget alerts and weekly owner reports.

Open months are computed live from allocations; a closed month is a ``Statement`` row whose
``content`` never changes again (later restatements surface as adjustment lines of the next open
month). Money is Decimal: ``money_field`` columns, and decimal strings inside JSON snapshots.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.attribution.models import AllocationRun, RuleSet
from apps.catalog.models import ModelEndpoint
from apps.common.money import currency_field, money_field
from apps.reports.choices import AlertKind, WeeklyReportStatus


class Statement(models.Model):
    """A team's closed chargeback statement for one month: an immutable snapshot.

    ``content`` is the statement exactly as shown (amounts as decimal strings), ``content_sha256``
    the SHA-256 of its canonical JSON. Rows are only ever inserted (by ``statement_close``).
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField(help_text="First day of the month (UTC).")
    currency = currency_field(default="USD")
    total_billed_cost = money_field()
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    allocation_run = models.ForeignKey(
        AllocationRun, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rule_set = models.ForeignKey(RuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_start", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period_start", "currency"], name="statement_team_month_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.period_start:%Y-%m} (closed)"


class Budget(models.Model):
    """A monthly budget for a team (``endpoint`` null) or for one of its endpoints."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="budgets")
    endpoint = models.ForeignKey(
        ModelEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="budgets"
    )
    period_start = models.DateField(help_text="First day of the month (UTC).")
    amount = money_field()
    currency = currency_field(default="USD")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "team__name", "endpoint__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period_start"],
                condition=Q(endpoint__isnull=True),
                name="budget_team_month_unique",
            ),
            models.UniqueConstraint(
                fields=["endpoint", "period_start"],
                condition=Q(endpoint__isnull=False),
                name="budget_endpoint_month_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_amount_positive"),
        ]

    def __str__(self) -> str:
        target = self.endpoint or self.team
        return f"{target} {self.period_start:%Y-%m}: {self.amount} {self.currency}"


class BudgetAlert(models.Model):
    """One alert per budget, figure (actual or forecast) and threshold percent: sent once."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    threshold_percent = models.PositiveSmallIntegerField()
    amount = money_field(help_text="The actual or forecast cost that crossed the threshold.")
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "kind", "threshold_percent"], name="budget_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.budget}: {self.kind} ≥ {self.threshold_percent}%"


class WeeklyReport(models.Model):
    """The weekly email of one team for the week starting ``week_start`` (a Monday, UTC days).

    The unique (team, week_start) makes sending idempotent: a sent report is never sent again.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="weekly_reports")
    week_start = models.DateField()
    status = models.CharField(
        max_length=16, choices=WeeklyReportStatus.choices, default=WeeklyReportStatus.PENDING
    )
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week_start"], name="weekly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.team} week of {self.week_start}"
