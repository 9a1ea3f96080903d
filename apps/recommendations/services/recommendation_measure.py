"""Realized savings of an implemented recommendation, from unit cost before and after."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from apps.attribution.selectors import unit_costs_by_endpoint_day
from apps.common.errors import NotFound, ValidationFailed
from apps.recommendations.choices import Status
from apps.recommendations.inputs import SYSTEM_ACCESS
from apps.recommendations.levers.base import MONTH_DAYS
from apps.recommendations.models import Recommendation

WINDOW_DAYS = 14
MIN_DAYS_AFTER = 3


def _window(endpoint: str, start: date, end: date) -> dict:
    rows = unit_costs_by_endpoint_day(
        access=SYSTEM_ACCESS, start=start, end=end, endpoint_name=endpoint
    )
    cost = sum((r["cost"] or Decimal(0) for r in rows), Decimal(0))
    tokens = sum(int(r["input_tokens"]) + int(r["output_tokens"]) for r in rows)
    days = len({r["day"] for r in rows})
    return {"start": start, "end": end, "cost": cost, "tokens": tokens, "days": days}


@transaction.atomic
def recommendation_measure(
    *, recommendation_id: int, now: datetime, window_days: int = WINDOW_DAYS
) -> Recommendation:
    """Measure realized monthly savings; safe to run again (it recomputes the same figures).

    Before = the ``window_days`` days before ``implemented_on``; after = the days from the day
    after it (the change day is mixed) up to ``window_days`` days, ending before today. Unit
    cost = cost (usage + idle) per 1k tokens. Realized savings normalise for traffic: what the
    after-period's tokens would have cost at the before unit cost, minus what they cost,
    per day x 30. Negative when the unit cost rose.
    """
    rec = (
        Recommendation.objects.select_for_update()
        .select_related("endpoint")
        .filter(pk=recommendation_id)
        .first()
    )
    if rec is None:
        raise NotFound(f"No recommendation {recommendation_id}.")
    if rec.status not in (Status.IMPLEMENTED, Status.VERIFIED) or rec.implemented_on is None:
        raise ValidationFailed("Only implemented recommendations have realized savings.")
    changed = rec.implemented_on
    today = now.date()
    before = _window(rec.endpoint.name, changed - timedelta(days=window_days), changed)
    after_start = changed + timedelta(days=1)
    after = _window(
        rec.endpoint.name, after_start, min(after_start + timedelta(days=window_days), today)
    )
    if after["days"] < MIN_DAYS_AFTER or before["days"] == 0:
        raise ValidationFailed(
            f"Need {MIN_DAYS_AFTER} days of cost after the change and some before it.",
            details={"days_before": before["days"], "days_after": after["days"]},
        )
    if before["tokens"] == 0 or after["tokens"] == 0:
        raise ValidationFailed("No tokens measured before or after the change.")
    unit_before = before["cost"] * 1000 / before["tokens"]
    unit_after = after["cost"] * 1000 / after["tokens"]
    realized_in_window = (unit_before - unit_after) * after["tokens"] / 1000
    realized = realized_in_window * MONTH_DAYS / after["days"]
    rec.realized_savings_monthly = realized.quantize(Decimal("1e-10"))
    rec.realized_measured_at = now
    rec.realized_evidence = {
        "basis": "billed cost (usage + idle) per 1k tokens (input + output)",
        "before": {
            "start": before["start"].isoformat(),
            "end": before["end"].isoformat(),
            "days": before["days"],
            "cost": str(before["cost"]),
            "tokens": before["tokens"],
            "cost_per_1k_tokens": str(unit_before.quantize(Decimal("1e-10"))),
        },
        "after": {
            "start": after["start"].isoformat(),
            "end": after["end"].isoformat(),
            "days": after["days"],
            "cost": str(after["cost"]),
            "tokens": after["tokens"],
            "cost_per_1k_tokens": str(unit_after.quantize(Decimal("1e-10"))),
        },
        "projected_savings_monthly": str(rec.savings_monthly),
    }
    rec.save()
    return rec


def recommendations_measure_due(*, now: datetime) -> list[int]:
    """Measure every implemented recommendation with enough days after its change."""
    due = Recommendation.objects.filter(
        status=Status.IMPLEMENTED,
        implemented_on__lte=now.date() - timedelta(days=MIN_DAYS_AFTER + 1),
    ).values_list("id", flat=True)
    measured = []
    for rec_id in due:
        try:
            recommendation_measure(recommendation_id=rec_id, now=now)
        except ValidationFailed:
            continue
        measured.append(rec_id)
    return measured
