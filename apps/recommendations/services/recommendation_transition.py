"""Move a recommendation through its lifecycle (accept, implement, verify, dismiss, reopen)."""

from datetime import date, datetime

from django.db import transaction

from apps.accounts.models import User
from apps.common.errors import NotFound, ValidationFailed
from apps.recommendations.choices import TRANSITIONS, Status
from apps.recommendations.models import Recommendation


@transaction.atomic
def recommendation_transition(
    *,
    recommendation_id: int,
    status: str,
    user: User | None,
    now: datetime,
    implemented_on: date | None = None,
    reason: str = "",
) -> Recommendation:
    """Validate and apply one lifecycle move (``choices.TRANSITIONS``).

    implemented needs ``implemented_on`` (not in the future); dismissed needs a reason and keeps
    the savings at dismissal (for the material-change test); verified needs realized savings
    measured after implementation. Moving to the current status is a no-op.
    """
    rec = Recommendation.objects.select_for_update().filter(pk=recommendation_id).first()
    if rec is None:
        raise NotFound(f"No recommendation {recommendation_id}.")
    if status == rec.status:
        return rec
    if status not in TRANSITIONS.get(rec.status, frozenset()):
        raise ValidationFailed(
            f"A {rec.status} recommendation cannot become {status}.",
            details={"allowed": sorted(TRANSITIONS.get(rec.status, ()))},
        )
    if status == Status.ACCEPTED:
        rec.accepted_at = now
    elif status == Status.IMPLEMENTED:
        if implemented_on is None:
            raise ValidationFailed("implemented_on (the date of the change) is required.")
        if implemented_on > now.date():
            raise ValidationFailed("implemented_on cannot be in the future.")
        rec.implemented_on = implemented_on
    elif status == Status.VERIFIED:
        if rec.realized_savings_monthly is None:
            raise ValidationFailed("Realized savings have not been measured yet.")
        rec.verified_at = now
    elif status == Status.DISMISSED:
        if not reason.strip():
            raise ValidationFailed("A reason is required to dismiss a recommendation.")
        rec.dismissed_at = now
        rec.dismissed_reason = reason.strip()
        rec.dismissed_savings_monthly = rec.savings_monthly
    elif status == Status.OPEN:
        rec.accepted_at = None
        rec.dismissed_at = None
        rec.dismissed_reason = ""
        rec.dismissed_savings_monthly = None
    rec.status = status
    rec.status_changed_by = user
    rec.save()
    return rec
