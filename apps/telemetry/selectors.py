"""Reads of telemetry: endpoint resolution for ingest, usage from rollups, raw counts."""

from datetime import datetime

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncHour

from apps.accounts.access import Access
from apps.telemetry.choices import Granularity
from apps.telemetry.models import TelemetryRollupHourly

GROUP_FIELDS = {
    "endpoint": "endpoint__name",
    "model_version": "model_version",
    "lane": "lane",
    "customer": "customer",
    "accelerator": "accelerator",
    "resource_id": "resource_id",
}


class HistogramSum(models.Aggregate):
    """Element-wise sum of latency histograms (SQL aggregate from migration 0002)."""

    function = "telemetry_histogram_sum"
    output_field = ArrayField(models.BigIntegerField())


def endpoint_targets(*, names: set[str]) -> dict[str, tuple[int, int, str, int]]:
    """name -> (endpoint id, team id, accelerator type, accelerator count), one query."""
    if not names:
        return {}
    # Plain SQL: the ORM's query building cost ~1 ms, and ingest asks once per batch.
    with connection.cursor() as cur:
        cur.execute(_ENDPOINT_TARGETS, [list(names)])
        rows = cur.fetchall()
    return {name: (pk, team, acc_type, acc_count) for name, pk, team, acc_type, acc_count in rows}


_ENDPOINT_TARGETS = (
    "SELECT name, id, team_id, accelerator_type, accelerator_count "
    "FROM catalog_modelendpoint WHERE name = ANY(%s)"
)


def usage_by_group(
    *,
    access: Access,
    start: datetime,
    end: datetime,
    group_by: list[str],
    granularity: str,
) -> QuerySet:
    """Usage in [start, end) per period and group, from hourly rollups, for visible teams.

    One row per (period_start, *group_by), ordered by period then group; sums of every rollup
    measure plus the merged latency histogram.
    """
    trunc = TruncHour if granularity == Granularity.HOUR else TruncDay
    rollups = access.filter_teams(
        TelemetryRollupHourly.objects.filter(hour__gte=start, hour__lt=end),
        field="endpoint__team_id",
    )
    keys = [GROUP_FIELDS[name] for name in group_by]
    return (
        rollups.annotate(period_start=trunc("hour"))
        .values("period_start", *keys)
        .annotate(
            requests=Sum("requests"),
            errors=Sum("errors"),
            timeouts=Sum("timeouts"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cached_input_tokens=Sum("cached_input_tokens"),
            latency_ms_sum=Sum("latency_ms_sum"),
            gpu_ms_sum=Sum("gpu_ms_sum"),
            cache_hits=Sum("cache_hits"),
            duplicate_prompts=Sum("duplicate_prompts"),
            latency_histogram=HistogramSum("latency_histogram"),
            rollup_rows=Count("id"),
        )
        .order_by("period_start", *keys)
    )


def raw_totals(*, endpoint_id: int | None = None) -> dict:
    """Sums straight from the raw events (tests and checks compare rollups against them)."""
    query = (
        "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
        "coalesce(sum(latency_ms), 0), coalesce(sum(gpu_ms), 0), "
        "count(*) FILTER (WHERE is_duplicate_prompt) FROM telemetry_event"
    )
    params: list = []
    if endpoint_id is not None:
        query += " WHERE endpoint_id = %s"
        params.append(endpoint_id)
    with connection.cursor() as cur:
        cur.execute(query, params)
        requests, input_tokens, output_tokens, latency, gpu_ms, dup = cur.fetchone()
    return {
        "requests": requests,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "latency_ms_sum": latency,
        "gpu_ms_sum": gpu_ms,
        "duplicate_prompts": dup,
    }


def rollup_totals(*, endpoint_id: int | None = None) -> dict:
    """The same sums as ``raw_totals``, from the hourly rollups."""
    rollups = TelemetryRollupHourly.objects.all()
    if endpoint_id is not None:
        rollups = rollups.filter(endpoint_id=endpoint_id)
    return rollups.aggregate(
        requests=Sum("requests", default=0),
        input_tokens=Sum("input_tokens", default=0),
        output_tokens=Sum("output_tokens", default=0),
        latency_ms_sum=Sum("latency_ms_sum", default=0),
        gpu_ms_sum=Sum("gpu_ms_sum", default=0),
        duplicate_prompts=Sum("duplicate_prompts", default=0),
    )
