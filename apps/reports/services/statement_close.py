"""Close a team's monthly chargeback statement."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.common.errors import ValidationFailed
from apps.common.money import STORAGE_QUANTUM
from apps.reports.models import Statement
from apps.reports.statements import content_sha256, statement_build


@transaction.atomic
def statement_close(
    *,
    team_id: int,
    period_start: date,
    closed_by: User | None,
    currency: str = "USD",
    now: datetime | None = None,
) -> Statement:
    """Freeze the team's statement of the month as an immutable snapshot with its SHA-256.

    Idempotent: closing a closed month returns the existing snapshot unchanged. The team row is
    locked so concurrent closes of the same team serialise; a month that has not ended yet
    cannot be closed.
    """
    if period_start.day != 1:
        raise ValidationFailed("A statement period starts on the 1st of a month.")
    now = now or timezone.now()
    team = Team.objects.select_for_update().get(pk=team_id)
    existing = Statement.objects.filter(
        team=team, period_start=period_start, currency=currency
    ).first()
    if existing is not None:
        return existing
    if period_start >= now.date().replace(day=1):
        raise ValidationFailed(f"{period_start:%Y-%m} has not ended yet; it cannot be closed.")
    content = statement_build(team=team, period_start=period_start, currency=currency)
    content["status"] = "closed"
    return Statement.objects.create(
        team=team,
        period_start=period_start,
        currency=currency,
        total_billed_cost=Decimal(content["totals"]["billed_cost"]).quantize(STORAGE_QUANTUM),
        content=content,
        content_sha256=content_sha256(content),
        allocation_run_id=content["allocation_run_id"],
        rule_set_id=content["rule_set_id"],
        closed_by=closed_by,
        closed_at=now,
    )


def month_close(
    *, period_start: date, closed_by: User | None, now: datetime | None = None
) -> list[Statement]:
    """Close the month for every team (each team in its own transaction)."""
    return [
        statement_close(team_id=team_id, period_start=period_start, closed_by=closed_by, now=now)
        for team_id in Team.objects.order_by("name").values_list("id", flat=True)
    ]
