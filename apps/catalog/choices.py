from django.db import models


class Provider(models.TextChoices):
    AWS = "aws", "AWS"
    GCP = "gcp", "Google Cloud"
    AZURE = "azure", "Azure"
    OTHER = "other", "Other"


class Precision(models.TextChoices):
    FP32 = "fp32", "FP32"
    FP16 = "fp16", "FP16"
    BF16 = "bf16", "BF16"
    FP8 = "fp8", "FP8"
    INT8 = "int8", "INT8"
    INT4 = "int4", "INT4"


class PricingCategory(models.TextChoices):
    ON_DEMAND = "on_demand", "On-demand"
    SPOT = "spot", "Spot"
    COMMITMENT = "commitment", "Commitment"


class Lane(models.TextChoices):
    INTERACTIVE = "interactive", "Interactive"
    NEARLINE = "nearline", "Nearline"
    BATCH = "batch", "Batch"


class RuleKind(models.TextChoices):
    TAG = "tag", "Tag key/values"
    RESOURCE = "resource", "Resource id pattern"
    ACCOUNT = "account", "Account / project"
    INSTANCE_TYPE = "instance_type", "Instance type"
