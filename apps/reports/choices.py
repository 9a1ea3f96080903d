from django.db import models


class AlertKind(models.TextChoices):
    """Which figure crossed the threshold."""

    ACTUAL = "actual", "Actual month to date"
    FORECAST = "forecast", "Month-end forecast"


class WeeklyReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
