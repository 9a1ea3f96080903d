"""Allocation of the cost ledger to endpoints and teams.

Every ledger row of a billing period becomes one or more ``AllocationPart`` rows whose amounts sum
exactly to it (billed, effective and list cost); ``CostAllocation`` is their daily aggregate. Both
are replaced as a whole per billing period by ``period_allocate``; a run records the rule set it
used so a closed statement can show which rules produced it.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.attribution.choices import Category, Evidence, RunStatus, SharedMethod, SplitBasis
from apps.catalog.models import ModelEndpoint
from apps.common.money import currency_field

# The ledger keeps source precision (24 fractional digits); allocations keep the same, so
# their sums equal the ledger's exactly. Rounding happens once, at the statement edge.
AMOUNT_MAX_DIGITS = 38
AMOUNT_DECIMAL_PLACES = 24


def amount_field(**kwargs: object) -> models.DecimalField:
    kwargs.setdefault("max_digits", AMOUNT_MAX_DIGITS)
    kwargs.setdefault("decimal_places", AMOUNT_DECIMAL_PLACES)
    kwargs.setdefault("default", 0)
    return models.DecimalField(**kwargs)


class AttributionSettings(models.Model):
    """Global attribution settings (one row, id=1). Changes apply from the next recompute."""

    endpoint_tag_keys = ArrayField(
        models.CharField(max_length=128),
        default=list,
        help_text="Tag keys whose value names an endpoint, in order of preference.",
    )
    team_tag_keys = ArrayField(
        models.CharField(max_length=128),
        default=list,
        help_text="Tag keys whose value names a team (used when no endpoint is named).",
    )
    split_basis = models.CharField(
        max_length=16, choices=SplitBasis.choices, default=SplitBasis.GPU_SECONDS
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "attribution settings"

    def __str__(self) -> str:
        return "attribution settings"


class SharedCostRule(models.Model):
    """How unmatched platform costs are spread over teams.

    A ledger row that no tag, catalog rule or telemetry claims is offered to the active rules in
    ``priority`` order; the first whose non-empty match fields all match takes it. Match fields
    are case-insensitive globs (``*``, ``?``). What no rule takes stays Unallocated.
    """

    name = models.CharField(max_length=100, unique=True)
    priority = models.PositiveIntegerField(default=100)
    match_charge_category = models.CharField(max_length=32, blank=True)
    match_service_category = models.CharField(max_length=200, blank=True)
    match_service_name = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=16, choices=SharedMethod.choices)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The receiving team when method is 'team'.",
    )
    percentages = models.JSONField(
        default=dict,
        blank=True,
        help_text="Team name -> percent (decimal string) when method is 'fixed'; at most 100.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="team") | Q(team__isnull=False),
                name="shared_rule_team_method_has_team",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RuleSet(models.Model):
    """An immutable snapshot of every rule an allocation used (settings, catalog rules,
    shared-cost rules). Identical rules share one version; a change makes the next version."""

    sha256 = models.CharField(max_length=64, unique=True)
    content = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"rules v{self.pk}"


class AllocationRun(models.Model):
    """One allocation of one billing period. ``ledger_totals`` and ``allocated_totals`` are
    ``{currency: {metric: "decimal"}}``; a run succeeds only when they are equal."""

    billing_period_start = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    rule_set = models.ForeignKey(RuleSet, null=True, on_delete=models.PROTECT, related_name="runs")
    ledger_rows = models.BigIntegerField(default=0)
    part_rows = models.BigIntegerField(default=0)
    ledger_totals = models.JSONField(default=dict)
    allocated_totals = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    triggered_by = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["billing_period_start", "-started_at"])]

    def __str__(self) -> str:
        return f"allocation {self.billing_period_start:%Y-%m} ({self.status})"


class AllocatedAmount(models.Model):
    """Columns every allocated amount has: where it went, why, and how much."""

    run = models.ForeignKey(
        AllocationRun, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    billing_period_start = models.DateField()
    day = models.DateField()
    currency = currency_field()
    endpoint = models.ForeignKey(
        ModelEndpoint, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    team = models.ForeignKey(
        Team, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    evidence = models.CharField(max_length=16, choices=Evidence.choices)
    billed_cost = amount_field()
    effective_cost = amount_field()
    list_cost = amount_field()

    class Meta:
        abstract = True


class AllocationPart(AllocatedAmount):
    """One piece of allocated cost: the lineage of every amount.

    Endpoint-level pieces (tags, catalog rules, team tags, telemetry pool splits) keep their
    ledger row in ``line_item_id``; the parts of one ledger row sum exactly to it. Shared-cost
    and unallocated pieces carry no endpoint, so they are kept per day, currency, rule and team
    (``line_item_id`` null, ``line_items`` the number of ledger rows summed).
    ``weight``/``weight_total`` is the share used (GPU-seconds, tokens, direct cost, percent);
    both are null for whole-row allocations.
    """

    # A month is millions of parts written in one go, and each index costs that write time: the
    # foreign keys get none of their own (reads go by endpoint and day, or by period).
    run = models.ForeignKey(
        AllocationRun,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    endpoint = models.ForeignKey(
        ModelEndpoint,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    line_item_id = models.BigIntegerField(null=True, help_text="billing.CostLineItem id")
    line_items = models.IntegerField(default=1)
    rule_ref = models.CharField(max_length=200, blank=True, help_text="Which rule or tag key.")
    pool_resource_id = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=38, decimal_places=6, null=True)
    weight_total = models.DecimalField(max_digits=38, decimal_places=6, null=True)

    class Meta:
        indexes = [
            # Parts are written a whole period at a time, so a BRIN index is tiny and cheap to
            # maintain, and still finds a period's rows for the replace.
            BrinIndex(fields=["billing_period_start"], name="attr_part_period"),
            models.Index(fields=["endpoint", "day"], name="attr_part_endpoint_day"),
            # A team's shared-cost parts (statements); a few rows per team and day.
            models.Index(
                fields=["team", "billing_period_start"],
                name="attr_part_shared_team",
                condition=Q(category="shared"),
            ),
        ]

    def __str__(self) -> str:
        return f"part of line item {self.line_item_id}"


class CostAllocation(AllocatedAmount):
    """Daily allocated cost per endpoint, team, category and evidence (sum of parts)."""

    line_items = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["billing_period_start"], name="attr_alloc_period"),
            models.Index(fields=["day", "team"], name="attr_alloc_day_team"),
            models.Index(fields=["endpoint", "day"], name="attr_alloc_endpoint_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.endpoint_id or self.team_id or '-'} {self.category}"
