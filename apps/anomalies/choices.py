from django.db import models


class MonitorKind(models.TextChoices):
    ENDPOINT = "endpoint", "Endpoint"
    TEAM = "team", "Team"
    INSTANCE_TYPE = "instance_type", "Instance type (SKU)"
    ACCOUNT = "account", "Account"


class Granularity(models.TextChoices):
    HOUR = "hour", "Hourly"
    DAY = "day", "Daily"


class Signal(models.TextChoices):
    COST = "cost", "Cost"
    REQUESTS = "requests", "Requests"
    UNIT_COST = "unit_cost", "Unit cost (GPU time per token)"


class Direction(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"


class AnomalyStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Feedback(models.TextChoices):
    NONE = "", "None"
    CONFIRMED = "confirmed", "Confirmed anomaly"
    EXPECTED = "expected", "Expected change"
    NOT_ANOMALY = "not_anomaly", "Not an anomaly"


class Channel(models.TextChoices):
    SLACK = "slack", "Slack incoming webhook"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "JSON webhook (HMAC-SHA256 signed)"


class AlertEvent(models.TextChoices):
    OPENED = "opened", "Opened"
    ESCALATED = "escalated", "Grew"
    RESOLVED = "resolved", "Resolved"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
