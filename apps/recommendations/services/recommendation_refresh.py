"""Refresh recommendations from the last 30 days of allocated cost, telemetry and prices."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from apps.recommendations.choices import Status
from apps.recommendations.engine import Proposal, endpoint_assess
from apps.recommendations.factors import Factors, factors_resolve
from apps.recommendations.inputs import endpoint_profiles, evidence_window
from apps.recommendations.models import Recommendation

logger = logging.getLogger(__name__)

# Advisory-lock key ("recs" as an int): concurrent refreshes run one after the other.
LOCK_KEY = 0x72656373
# Evidence that, when it changes, reopens a dismissed recommendation (see is_material_change).
MATERIAL_EVIDENCE = ("endpoint",)
MATERIAL_PRICES = ("instance_type", "on_demand_hourly", "spot_hourly", "commit_1y_hourly")
FIGURES = (
    "title",
    "currency",
    "current_monthly_cost",
    "projected_monthly_cost",
    "savings_monthly",
    "savings_low",
    "savings_high",
    "confidence",
    "risks",
    "prerequisites",
    "steps",
    "evidence",
)


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    removed: int = 0
    unchanged: int = 0
    endpoints: int = 0
    window: tuple[str, str] = ("", "")
    details: list[str] = field(default_factory=list)


def is_material_change(rec: Recommendation, proposal: Proposal, factors: Factors) -> bool:
    """Whether a dismissed recommendation must be shown again.

    Material: (1) the endpoint's configuration changed (precision, accelerator, instance type,
    pricing category, interruption tolerance), or (2) the price-book entry used changed, or
    (3) the point savings grew by more than ``engine.material_change_ratio`` (default 25%) of
    the savings at dismissal *and* by at least ``engine.min_monthly_savings``. Lower savings,
    or usage moving within those bounds, never reopen it.
    """
    old, new = rec.evidence or {}, proposal.evidence
    if any(old.get(key) != new.get(key) for key in MATERIAL_EVIDENCE):
        return True
    old_price, new_price = old.get("price") or {}, new.get("price") or {}
    if any(old_price.get(key) != new_price.get(key) for key in MATERIAL_PRICES):
        return True
    before = rec.dismissed_savings_monthly or Decimal(0)
    growth = proposal.savings_monthly - before
    return growth > before * factors.get("engine.material_change_ratio") and growth >= (
        factors.get("engine.min_monthly_savings")
    )


def _figures(proposal: Proposal) -> dict:
    currency = proposal.evidence.get("currency", "USD")
    return {
        "title": proposal.title[:300],
        "currency": currency,
        "current_monthly_cost": proposal.current_monthly_cost,
        "projected_monthly_cost": proposal.projected_monthly_cost,
        "savings_monthly": proposal.savings_monthly,
        "savings_low": proposal.savings_low,
        "savings_high": proposal.savings_high,
        "confidence": proposal.confidence,
        "risks": proposal.risks,
        "prerequisites": proposal.prerequisites,
        "steps": proposal.steps,
        "evidence": proposal.evidence,
    }


def _quantized(figures: dict) -> dict:
    """Figures as stored (NUMERIC(24,10)), so 'unchanged' compares like with like."""
    quantum = Decimal("1e-10")
    return {
        key: value.quantize(quantum) if isinstance(value, Decimal) else value
        for key, value in figures.items()
    }


@transaction.atomic
def recommendation_refresh(
    *, now: datetime, endpoint_ids: list[int] | None = None
) -> RefreshResult:
    """Recompute every lever for every active endpoint; idempotent.

    One row per (endpoint, lever). Open rows are updated in place (or removed when the lever no
    longer applies or the endpoint is retired); dismissed rows stay dismissed unless
    ``is_material_change``; accepted, implemented and verified rows are never touched by a
    refresh. Running it twice on the same data changes nothing.
    """
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    factors = factors_resolve()
    days = int(factors.get("engine.window_days"))
    start, end = evidence_window(today=now.date(), days=days)
    result = RefreshResult(window=(start.isoformat(), end.isoformat()))
    profiles = endpoint_profiles(start=start, end=end, endpoint_ids=endpoint_ids)
    existing = {
        (rec.endpoint_id, rec.lever): rec
        for rec in Recommendation.objects.select_for_update().filter(
            endpoint_id__in=[p.endpoint_id for p in profiles]
        )
    }
    seen: set[tuple[int, str]] = set()
    for profile in profiles:
        result.endpoints += 1
        for proposal in endpoint_assess(profile, factors):
            proposal.evidence["currency"] = profile.currency
            key = (profile.endpoint_id, proposal.lever)
            seen.add(key)
            figures = _quantized(_figures(proposal))
            rec = existing.get(key)
            if rec is None:
                Recommendation.objects.create(
                    endpoint_id=profile.endpoint_id,
                    lever=proposal.lever,
                    status=Status.OPEN,
                    computed_at=now,
                    **figures,
                )
                result.created += 1
            elif rec.status == Status.OPEN:
                if all(getattr(rec, name) == figures[name] for name in FIGURES):
                    result.unchanged += 1
                    continue
                for name, value in figures.items():
                    setattr(rec, name, value)
                rec.computed_at = now
                rec.save()
                result.updated += 1
            elif rec.status == Status.DISMISSED and is_material_change(rec, proposal, factors):
                rec.evidence = {
                    **figures["evidence"],
                    "reopened_after_dismissal": {
                        "reason": rec.dismissed_reason,
                        "dismissed_at": rec.dismissed_at.isoformat() if rec.dismissed_at else None,
                        "savings_at_dismissal": str(rec.dismissed_savings_monthly),
                    },
                }
                for name, value in figures.items():
                    if name != "evidence":
                        setattr(rec, name, value)
                rec.status = Status.OPEN
                rec.dismissed_at = None
                rec.dismissed_reason = ""
                rec.dismissed_savings_monthly = None
                rec.computed_at = now
                rec.save()
                result.reopened += 1
            else:
                result.unchanged += 1
    stale = [
        rec.id for key, rec in existing.items() if key not in seen and rec.status == Status.OPEN
    ]
    if endpoint_ids is None:
        # Retired endpoints: their open recommendations go too (acted-on ones stay as history).
        stale += list(
            Recommendation.objects.filter(
                status=Status.OPEN, endpoint__is_active=False
            ).values_list("id", flat=True)
        )
    if stale:
        result.removed = Recommendation.objects.filter(id__in=stale).delete()[0]
    logger.info("recommendation refresh %s", result)
    return result
