from django.db import models


class BillingFormat(models.TextChoices):
    AUTO = "auto", "Detect from the header"
    CUR = "cur", "AWS CUR (legacy)"
    CUR2 = "cur2", "AWS CUR 2.0"
    GCP = "gcp", "GCP billing export"
    FOCUS = "focus", "FOCUS"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Nothing to swap: the data equals what the ledger already holds, or a table month is empty.
    SKIPPED = "skipped", "Skipped"


class ChargeCategory(models.TextChoices):
    """FOCUS ChargeCategory."""

    USAGE = "Usage"
    PURCHASE = "Purchase"
    TAX = "Tax"
    CREDIT = "Credit"
    ADJUSTMENT = "Adjustment"


class PricingCategory(models.TextChoices):
    ON_DEMAND = "On-Demand"
    COMMITMENT_BASED = "Commitment-Based"
    DYNAMIC = "Dynamic"
    OTHER = "Other"


class CostMetric(models.TextChoices):
    BILLED_COST = "billed_cost"
    EFFECTIVE_COST = "effective_cost"
    LIST_COST = "list_cost"


class Granularity(models.TextChoices):
    DAY = "day"
    MONTH = "month"


class ConnectionKind(models.TextChoices):
    S3 = "s3", "AWS CUR in S3"
    BIGQUERY = "bigquery", "GCP billing export in BigQuery"


class ConnectionStatus(models.TextChoices):
    NEVER = "", "Never pulled"
    OK = "ok", "OK"
    FAILED = "failed", "Failed"
    UNAVAILABLE = "unavailable", "Source unavailable (retrying)"
