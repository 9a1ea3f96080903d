from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item
from apps.common.errors import ValidationFailed
from apps.reports.models import Statement
from apps.reports.services.statement_close import month_close, statement_close
from apps.reports.statements import content_sha256, statement_build, statement_get
from apps.reports.tests.builders import FEB, JAN

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 3, 10, 12, tzinfo=UTC)


def test_statement_has_lines_per_endpoint_and_category_shared_rules_and_unit_costs(world):
    st = statement_build(team=world["team_a"], period_start=JAN)
    lines = {
        (line["endpoint"], line["category"]): Decimal(line["billed_cost"]) for line in st["lines"]
    }
    assert lines[("rank", "usage")] == Decimal("10.8508")
    assert lines[("rank", "idle")] == Decimal("0.8508")
    assert [s["rule"] for s in st["shared_allocations"]] == ["shared:tax"]
    assert Decimal(st["totals"]["billed_cost"]) == sum(lines.values())
    assert st["rule_set_id"] is not None
    assert st["unit_economics"] == [
        {
            "endpoint": "rank",
            "billed_cost": "11.7016",
            "requests": 10,
            "tokens": 2000,
            "cost_per_1k_tokens": "5.8508",
            "cost_per_request": "1.17016",
        }
    ]


def test_both_teams_statements_plus_unallocated_equal_the_ledger(world):
    total = sum(
        Decimal(statement_build(team=t, period_start=JAN)["totals"]["billed_cost"])
        for t in (world["team_a"], world["team_b"])
    )
    assert total + Decimal("0.25") == Decimal("17.4220")


def test_closing_twice_returns_the_same_snapshot(world, finance_user):
    first = statement_close(
        team_id=world["team_a"].id, period_start=JAN, closed_by=finance_user, now=NOW
    )
    second = statement_close(team_id=world["team_a"].id, period_start=JAN, closed_by=None, now=NOW)
    assert first.pk == second.pk
    assert Statement.objects.count() == 1
    assert first.content_sha256 == content_sha256(first.content)
    assert first.rule_set_id == first.content["rule_set_id"]
    assert first.total_billed_cost == Decimal("12.8215846861")


def test_a_month_that_has_not_ended_cannot_be_closed(world, finance_user):
    with pytest.raises(ValidationFailed):
        statement_close(
            team_id=world["team_a"].id, period_start=date(2024, 3, 1), closed_by=None, now=NOW
        )


def test_restatement_after_close_shows_as_adjustment_in_next_open_month(world, finance_user):
    closed = statement_close(
        team_id=world["team_a"].id, period_start=JAN, closed_by=finance_user, now=NOW
    )
    snapshot = dict(closed.content)
    # A late ledger row for January, then a new allocation run of January.
    line_item(cost="3", resource_id="i-rank", day=date(2024, 1, 20))
    period_allocate(period_start=JAN)

    january = statement_get(team=world["team_a"], period_start=JAN)
    assert january["status"] == "closed"
    assert january["totals"] == snapshot["totals"]
    closed.refresh_from_db()
    assert closed.content == snapshot
    assert closed.content_sha256 == content_sha256(snapshot)

    february = statement_get(team=world["team_a"], period_start=FEB)
    assert [a["source_period"] for a in february["adjustments"]] == ["2024-01"]
    # 3 more direct cost; rank's larger direct share also draws more of the proportional tax.
    delta = Decimal(february["adjustments"][0]["billed_cost"])
    assert Decimal("3") < delta < Decimal("3.5")
    assert Decimal(february["totals"]["billed_cost"]) == Decimal("20") + delta


def test_adjustment_is_carried_once_then_moves_to_the_following_open_month(world, finance_user):
    statement_close(team_id=world["team_a"].id, period_start=JAN, closed_by=None, now=NOW)
    line_item(cost="3", resource_id="i-rank", day=date(2024, 1, 20))
    period_allocate(period_start=JAN)
    february = statement_close(
        team_id=world["team_a"].id, period_start=FEB, closed_by=None, now=NOW
    )
    assert len(february.content["adjustments"]) == 1
    march = statement_get(team=world["team_a"], period_start=date(2024, 3, 1))
    assert march["adjustments"] == []  # already carried by February
    line_item(cost="1", resource_id="i-rank", day=date(2024, 1, 21))
    period_allocate(period_start=JAN)
    march = statement_get(team=world["team_a"], period_start=date(2024, 3, 1))
    assert [a["source_period"] for a in march["adjustments"]] == ["2024-01"]
    assert Decimal("1") <= Decimal(march["adjustments"][0]["billed_cost"]) < Decimal("1.2")


def test_month_close_closes_every_team(world, finance_user):
    statements = month_close(period_start=JAN, closed_by=finance_user, now=NOW)
    assert {s.team.name for s in statements} == {"search", "assistant"}
    assert month_close(period_start=JAN, closed_by=finance_user, now=NOW)[0].pk in {
        s.pk for s in statements
    }


def test_the_database_refuses_to_change_a_closed_statement(world, finance_user):
    from django.db import IntegrityError, transaction

    closed = statement_close(
        team_id=world["team_a"].id, period_start=JAN, closed_by=finance_user, now=NOW
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=closed.pk).update(total_billed_cost=0)
