from django.db import models


class EventStatus(models.TextChoices):
    OK = "ok", "OK"
    ERROR = "error", "Error"
    TIMEOUT = "timeout", "Timeout"


class UsageGroupBy(models.TextChoices):
    ENDPOINT = "endpoint", "Endpoint"
    MODEL_VERSION = "model_version", "Model version"
    LANE = "lane", "Lane"
    CUSTOMER = "customer", "Customer"
    ACCELERATOR = "accelerator", "Accelerator"
    RESOURCE_ID = "resource_id", "Resource"


class Granularity(models.TextChoices):
    HOUR = "hour", "Hour"
    DAY = "day", "Day"
