"""Allocate one billing period of the ledger to endpoints and teams.

Order of evidence for each ledger row (docs/attribution.md):
1. a tag naming an endpoint (settings.endpoint_tag_keys), 2. a catalog attribution rule (tag,
resource glob, account, instance type; by priority), 3. a tag naming a team;
4. unclaimed rows of a resource with telemetry: split over the endpoints that used it that hour
   (GPU-seconds or tokens, per settings);
5. unclaimed rows without telemetry: the first matching shared-cost rule;
6. the rest: Unallocated.
GPU capacity rows whose use is measured split into usage and idle by utilization.

Guarantees: for every currency, the period's parts sum exactly to the ledger (billed, effective
and list cost) or the run fails and the stored allocation is unchanged. Recomputing is
idempotent (the period's rows are replaced as a whole), and concurrent recomputes of one period
are serialized by a transaction-scoped advisory lock.
"""

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.attribution.choices import Evidence, RunStatus, SplitBasis
from apps.attribution.models import AllocationRun, RuleSet
from apps.attribution.patterns import glob_to_like, glob_to_regex
from apps.attribution.services.rule_set import rule_set_snapshot
from apps.common.clock import next_month
from apps.common.errors import CostgovError
from apps.common.sql import run_sql_file
from apps.telemetry.services.rollup_apply import telemetry_rollups_apply

logger = logging.getLogger(__name__)

# Advisory-lock namespace for allocation runs ("attr" as an int4); the key is the period.
LOCK_NAMESPACE = 0x61747472
KIND_RANK = {"tag": 0, "resource": 1, "account": 2, "instance_type": 3}
METRICS = ("billed_cost", "effective_cost", "list_cost")


class ConservationError(CostgovError):
    """The allocated amounts do not sum to the ledger: the run is rolled back."""

    status_code = 500


def _rule_rows(content: dict) -> list[tuple]:
    rows: list[tuple] = []
    for rank, key in enumerate(content["endpoint_tag_keys"]):
        rows.append(
            (
                f"tag:{key}",
                Evidence.ENDPOINT_TAG,
                "endpoint_tag",
                0,
                rank,
                0,
                None,
                None,
                key,
                [],
                "",
            )
        )
    for rule in content["catalog_rules"]:
        pattern = glob_to_regex(rule["pattern"]) if rule["kind"] == "resource" else rule["pattern"]
        rows.append(
            (
                f"rule:{rule['id']}",
                Evidence.RULE,
                rule["kind"],
                1,
                rule["priority"],
                KIND_RANK[rule["kind"]],
                rule["endpoint_id"],
                rule["team_id"],
                rule["tag_key"],
                rule["values"],
                pattern,
            )
        )
    for rank, key in enumerate(content["team_tag_keys"]):
        rows.append(
            (f"team-tag:{key}", Evidence.TEAM_TAG, "team_tag", 2, rank, 0, None, None, key, [], "")
        )
    return rows


def _load_rules(cur: object, content: dict) -> None:
    run_sql_file(cur, "attribution", "create_attr_rule")
    with cur.copy(
        "COPY attr_rule (rule_ref, evidence, kind, class_rank, priority, kind_rank, endpoint_id,"
        " team_id, tag_key, vals, pattern) FROM STDIN"
    ) as copy:
        for row in _rule_rows(content):
            copy.write_row(row)
    run_sql_file(cur, "attribution", "create_attr_shared_rule")
    for rule in content["shared_rules"]:
        cur.execute(
            "INSERT INTO attr_shared_rule VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                rule["id"],
                rule["name"],
                rule["priority"],
                rule["method"],
                rule["team_id"],
                glob_to_like(rule["match_charge_category"]),
                glob_to_like(rule["match_service_category"]),
                glob_to_like(rule["match_service_name"]),
            ],
        )
        if rule["method"] == "fixed":
            for team_name, pct in rule["percentages"].items():
                cur.execute(
                    "INSERT INTO attr_shared_pct SELECT %s, id, %s FROM accounts_team"
                    " WHERE lower(name) = lower(%s)",
                    [rule["id"], Decimal(pct), team_name],
                )


def _tag_keys(content: dict) -> list[str]:
    keys = set(content["endpoint_tag_keys"]) | set(content["team_tag_keys"])
    keys |= {r["tag_key"] for r in content["catalog_rules"] if r["kind"] == "tag"}
    return sorted(keys)


def conservation_check(*, period_start: date) -> dict:
    """Ledger and allocated totals per currency; raises ConservationError if any differ."""
    with connection.cursor() as cur:
        run_sql_file(cur, "attribution", "sum_conservation", {"period": period_start})
        rows = cur.fetchall()
    ledger: dict = {}
    allocated: dict = {}
    problems = []
    for currency, lb, ab, le, ae, ll, al in rows:
        ledger[currency] = {"billed_cost": lb, "effective_cost": le, "list_cost": ll}
        allocated[currency] = {"billed_cost": ab, "effective_cost": ae, "list_cost": al}
        for metric in METRICS:
            if ledger[currency][metric] != allocated[currency][metric]:
                problems.append(
                    f"{currency} {metric}: ledger {ledger[currency][metric]} "
                    f"!= allocated {allocated[currency][metric]}"
                )
    if problems:
        raise ConservationError(
            f"allocation of {period_start:%Y-%m} does not conserve cost: " + "; ".join(problems)
        )

    def as_text(totals: dict) -> dict:
        return {c: {k: str(v) for k, v in m.items()} for c, m in totals.items()}

    return {"ledger": as_text(ledger), "allocated": as_text(allocated)}


def _allocate(run: AllocationRun, rule_set: RuleSet) -> None:
    content = rule_set.content
    period = run.billing_period_start
    start_at = datetime(period.year, period.month, 1, tzinfo=UTC)
    end = next_month(period)
    end_at = datetime(end.year, end.month, 1, tzinfo=UTC)
    by_tokens = content["split_basis"] == SplitBasis.TOKENS
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [LOCK_NAMESPACE, period.year * 12 + period.month],
        )
        # Settings for this transaction only (reset at commit). The splits sort and hash
        # millions of rows: give them room in memory. Every join of the run is an equality on
        # keys with few distinct values per column (resource, hour), where the planner
        # overprices hash joins and picks merge joins whose sorts of million-row temp tables
        # spill to disk; hash joins measured about twice as fast. JIT compilation of these
        # large plans costs more than it saves.
        cur.execute(
            "SELECT set_config('work_mem', %s, true), set_config('enable_mergejoin', 'off', true),"
            " set_config('jit', 'off', true)",
            [settings.ATTRIBUTION_WORK_MEM],
        )
        run_sql_file(cur, "attribution", "drop_attr_temp")
        run_sql_file(cur, "attribution", "create_attr_li", {"period": period})
        _load_rules(cur, content)
        run_sql_file(
            cur,
            "attribution",
            "create_attr_direct",
            {"period": period, "tag_keys": _tag_keys(content)},
        )
        run_sql_file(
            cur, "attribution", "create_attr_usage", {"start_at": start_at, "end_at": end_at}
        )
        run_sql_file(cur, "attribution", "create_attr_class")
        run_sql_file(cur, "attribution", "create_attr_part")
        stored = {"period": period, "run_id": run.pk}
        run_sql_file(cur, "attribution", "delete_allocations", stored)
        run_sql_file(cur, "attribution", "insert_parts_direct", stored)
        run_sql_file(
            cur, "attribution", "insert_parts_telemetry", {**stored, "by_tokens": by_tokens}
        )
        run_sql_file(cur, "attribution", "insert_attr_raw_shared")
        run_sql_file(cur, "attribution", "insert_attr_parts_split")
        run_sql_file(cur, "attribution", "insert_attr_unallocated")
        run_sql_file(cur, "attribution", "insert_parts_shared", stored)
        run_sql_file(cur, "attribution", "insert_allocations_daily", stored)
        cur.execute("SELECT (SELECT COUNT(*) FROM attr_li), (SELECT SUM(parts) FROM attr_daily)")
        run.ledger_rows, part_rows = cur.fetchone()
        run.part_rows = part_rows or 0
        run_sql_file(cur, "attribution", "drop_attr_temp")


def period_allocate(
    *, period_start: date, triggered_by: str = "", now: datetime | None = None
) -> AllocationRun:
    """Recompute the allocation of the billing period starting ``period_start`` (a 1st)."""
    if period_start.day != 1:
        raise CostgovError(f"billing periods start on the 1st, got {period_start.isoformat()}")
    # Every committed telemetry event counts, including batches the rollups have not taken yet.
    telemetry_rollups_apply()
    run = AllocationRun.objects.create(
        billing_period_start=period_start,
        status=RunStatus.RUNNING,
        started_at=now or timezone.now(),
        triggered_by=triggered_by,
    )
    try:
        with transaction.atomic():
            rule_set = rule_set_snapshot()
            run.rule_set = rule_set
            _allocate(run, rule_set)
            totals = conservation_check(period_start=period_start)
            run.ledger_totals = totals["ledger"]
            run.allocated_totals = totals["allocated"]
            run.status = RunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        logger.exception("allocation of %s failed", period_start)
        AllocationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
        )
        raise
    return run


def periods_for_days(*, start: date, end: date) -> list[date]:
    """Billing periods with ledger rows charged on days in ``[start, end)``."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT billing_period_start FROM billing_costlineitem"
            " WHERE charge_date >= %s AND charge_date < %s ORDER BY 1",
            [start, end],
        )
        return [row[0] for row in cur.fetchall()]
