"""Model endpoints, the rules that find their billing line items, and the accelerator price book."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.catalog.choices import Lane, Precision, PricingCategory, Provider, RuleKind
from apps.common.money import currency_field, money_field


class ModelEndpoint(models.Model):
    """A served model: what it runs on, who owns it, and how its cost is recognised."""

    name = models.CharField(max_length=200, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="endpoints")
    model_family = models.CharField(max_length=100)
    parameter_count = models.BigIntegerField(
        validators=[MinValueValidator(1)], help_text="Number of model parameters."
    )
    precision = models.CharField(max_length=8, choices=Precision.choices)
    serving_framework = models.CharField(max_length=64, blank=True)
    accelerator_type = models.CharField(max_length=64, help_text="GPU model, e.g. A100-40GB.")
    accelerator_count = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Accelerators per replica."
    )
    instance_type = models.CharField(max_length=64, blank=True)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    region = models.CharField(max_length=64)
    pricing_category = models.CharField(
        max_length=16, choices=PricingCategory.choices, default=PricingCategory.ON_DEMAND
    )
    lanes = ArrayField(
        models.CharField(max_length=16, choices=Lane.choices), default=list, blank=True
    )
    is_interruption_tolerant = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["team", "name"])]

    def __str__(self) -> str:
        return self.name


class AttributionRule(models.Model):
    """One way to recognise an endpoint's billing line items.

    ``tag``: a tag key and the values that mean this endpoint (empty values: any value).
    ``resource``: a glob over resource ids/ARNs (``*`` any run, ``?`` one character).
    ``account``: the billing sub-account (AWS account, GCP project). ``instance_type``: exact.
    Lower ``priority`` wins when several endpoints match one line item.
    """

    endpoint = models.ForeignKey(
        ModelEndpoint, on_delete=models.CASCADE, related_name="attribution_rules"
    )
    kind = models.CharField(max_length=16, choices=RuleKind.choices)
    tag_key = models.CharField(max_length=128, blank=True)
    values = ArrayField(models.CharField(max_length=512), default=list, blank=True)
    pattern = models.CharField(max_length=512, blank=True)
    priority = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["endpoint", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="tag") | ~Q(tag_key=""), name="attribution_rule_tag_has_key"
            ),
            models.CheckConstraint(
                condition=Q(kind="tag") | ~Q(pattern=""), name="attribution_rule_has_pattern"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == RuleKind.TAG:
            return f"{self.endpoint}: tag {self.tag_key}={'|'.join(self.values) or '*'}"
        return f"{self.endpoint}: {self.kind} {self.pattern}"


class PriceBookEntry(models.Model):
    """Hourly prices of one accelerator instance type in one region.

    Prices are per instance-hour in ``currency``. ``source`` and ``source_date`` say where each
    figure came from; importers (AWS Pricing API, GCP Cloud Catalog) overwrite by natural key.
    """

    provider = models.CharField(max_length=16, choices=Provider.choices)
    instance_type = models.CharField(max_length=64)
    region = models.CharField(max_length=64)
    gpu_model = models.CharField(max_length=64)
    gpus_per_instance = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    gpu_memory_gb = models.PositiveIntegerField(help_text="Memory of one GPU, in GB.")
    supports_fp8 = models.BooleanField(default=False)
    currency = currency_field(default="USD")
    on_demand_hourly = money_field()
    spot_hourly = money_field(null=True, blank=True)
    commit_1y_hourly = money_field(null=True, blank=True)
    commit_3y_hourly = money_field(null=True, blank=True)
    source = models.CharField(max_length=300)
    source_date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "instance_type", "region"]
        verbose_name_plural = "price book entries"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "instance_type", "region"], name="price_book_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(on_demand_hourly__gte=0), name="price_book_on_demand_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.instance_type} {self.region}"

    @property
    def gpu_memory_total_gb(self) -> int:
        return self.gpu_memory_gb * self.gpus_per_instance
