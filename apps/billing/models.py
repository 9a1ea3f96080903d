"""The billing ledger: one FOCUS-shaped row per provider line item, and the imports behind it."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from apps.billing.choices import (
    BillingFormat,
    ChargeCategory,
    ConnectionKind,
    ConnectionStatus,
    ImportStatus,
    PricingCategory,
)
from apps.common.money import currency_field, money_field

# Source files carry up to 24 fractional digits (Azure FOCUS exports, CUR blended rates).
# The ledger keeps them unrounded so its totals equal the file's totals exactly; rounding
# happens once, at the statement edge.
LEDGER_MAX_DIGITS = 38
LEDGER_DECIMAL_PLACES = 24


def ledger_money_field(**kwargs: object) -> models.DecimalField:
    return money_field(max_digits=LEDGER_MAX_DIGITS, decimal_places=LEDGER_DECIMAL_PLACES, **kwargs)


def quantity_field(**kwargs: object) -> models.DecimalField:
    """Usage quantities (hours, bytes, tokens): exact NUMERIC, never float."""
    kwargs.setdefault("max_digits", LEDGER_MAX_DIGITS)
    kwargs.setdefault("decimal_places", LEDGER_DECIMAL_PLACES)
    return models.DecimalField(**kwargs)


class BillingSource(models.Model):
    """Where billing data comes from: one cloud account's export, a folder or a bucket.

    An import replaces, within its source, every (billing account, billing period) slice the
    file covers; two sources never overwrite each other.
    """

    name = models.CharField(max_length=200, unique=True)
    uri = models.CharField(max_length=1000, blank=True, help_text="file://, s3://bucket/prefix")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CloudConnection(models.Model):
    """A cloud billing export pulled every day by ``billing.connections_pull``.

    ``location`` is ``s3://bucket/prefix`` (AWS CUR deliveries, kind ``s3``) or
    ``bq://project.dataset.table`` (a GCP billing export table, kind ``bigquery``). Each pull
    imports the current and previous billing months into ``source`` (created at the first
    pull, kept when the connection is renamed); ``last_*`` describe the latest pull, and the
    imports it made point back here.
    """

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    location = models.CharField(max_length=1000)
    is_enabled = models.BooleanField(default=True)
    source = models.ForeignKey(
        BillingSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(
        max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.NEVER, blank=True
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def location_problem(self) -> str | None:
        """Why ``location`` does not suit ``kind``, or None."""
        if self.kind == ConnectionKind.S3:
            bucket = self.location.removeprefix("s3://").split("/", 1)[0]
            if not self.location.startswith("s3://") or not bucket or "?" in self.location:
                return "an s3 connection needs s3://bucket/prefix"
            return None
        if self.kind == ConnectionKind.BIGQUERY:
            from apps.billing.bigquery import parse_table  # lazy: keeps models import-light
            from apps.common.errors import InputFileError

            try:
                parse_table(self.location)
            except InputFileError:
                return "a bigquery connection needs bq://project.dataset.table"
            if "?" in self.location:
                return "name the table only; each pull picks its invoice months"
            return None
        return "unknown kind"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        problem = self.location_problem()
        if problem:
            raise ValidationError({"location": problem})


class BillingImport(models.Model):
    """One run of the ingester over one or more files of a source, or one month of a table.

    ``source_totals`` are summed from the file as read; ``stored_totals`` are summed from the
    ledger after the swap. Both are ``{period: {currency: {metric: "decimal string"}}}``; a run
    succeeds only when they are equal.
    """

    source = models.ForeignKey(BillingSource, on_delete=models.PROTECT, related_name="imports")
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    format = models.CharField(max_length=8, choices=BillingFormat.choices)
    location = models.CharField(
        max_length=1000,
        blank=True,
        help_text="bq://project.dataset.table?month=YYYYMM when read from a table, not files.",
    )
    file_names = models.JSONField(default=list)
    file_paths = models.JSONField(default=list, help_text="Where the worker reads the files.")
    sha256 = models.JSONField(
        default=dict,
        help_text="File name -> sha256 of the original; location -> checksum of the rows read.",
    )
    rows_done = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(null=True, blank=True)
    billing_periods = models.JSONField(default=list)
    source_totals = models.JSONField(default=dict)
    stored_totals = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Why a run was skipped.")
    error_details = models.JSONField(null=True, blank=True)
    triggered_by = models.CharField(max_length=200, help_text="command, api, task...")
    connection = models.ForeignKey(
        CloudConnection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        help_text="The connection whose scheduled pull made this import.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source", "-created_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"


class CostLineItem(models.Model):
    """One billed charge, normalised to FOCUS 1.x columns.

    Money is in ``billing_currency`` (FOCUS: BilledCost is in billing currency).
    ``effective_cost`` is amortised: commitment purchases are spread over the usage they cover.
    ``tags`` holds provider tags and labels under one key convention (see docs/billing.md):
    user-defined keys without their ``user:`` prefix, provider keys with theirs (``aws:…``).
    Rows are written only by the import service, one (source, account, period) slice at a time.
    """

    source = models.ForeignKey(BillingSource, on_delete=models.PROTECT, related_name="+")
    import_run = models.ForeignKey(BillingImport, on_delete=models.PROTECT, related_name="+")
    source_row = models.BigIntegerField(help_text="Row number in the source file.")
    provider = models.TextField()
    billing_account_id = models.TextField(blank=True)
    sub_account_id = models.TextField(blank=True)
    billing_period_start = models.DateField()
    charge_period_start = models.DateTimeField()
    charge_period_end = models.DateTimeField()
    charge_date = models.DateField(help_text="UTC day of charge_period_start.")
    charge_category = models.CharField(max_length=16, choices=ChargeCategory.choices)
    charge_class = models.CharField(max_length=16, blank=True)
    billed_cost = ledger_money_field()
    effective_cost = ledger_money_field()
    list_cost = ledger_money_field()
    contracted_cost = ledger_money_field(null=True, blank=True)
    billing_currency = currency_field()
    pricing_category = models.CharField(max_length=20, choices=PricingCategory.choices)
    pricing_quantity = quantity_field(null=True, blank=True)
    pricing_unit = models.TextField(blank=True)
    consumed_quantity = quantity_field(null=True, blank=True)
    consumed_unit = models.TextField(blank=True)
    service_name = models.TextField(blank=True)
    service_category = models.TextField(blank=True)
    sku_id = models.TextField(blank=True)
    resource_id = models.TextField(blank=True)
    resource_name = models.TextField(blank=True)
    resource_type = models.TextField(blank=True)
    region = models.TextField(blank=True)
    instance_type = models.TextField(blank=True)
    commitment_discount_id = models.TextField(blank=True)
    tags = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["source", "billing_period_start"]),
            models.Index(fields=["charge_date"]),
            models.Index(fields=["import_run"]),
            GinIndex(fields=["tags"], name="billing_line_item_tags_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.service_name} {self.charge_date} {self.billed_cost}"
