"""Reads of recommendations, scoped to the caller's teams, and the what-if projection."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from apps.accounts.access import Access
from apps.common.errors import NotFound
from apps.recommendations.choices import Status
from apps.recommendations.engine import endpoint_assess, plan_stack
from apps.recommendations.factors import factors_resolve
from apps.recommendations.inputs import endpoint_profiles, evidence_window
from apps.recommendations.levers.base import fmt, one_replica_monthly
from apps.recommendations.models import Recommendation

PRICE_FIELDS = ("on_demand_hourly", "spot_hourly", "commit_1y_hourly", "commit_3y_hourly")


def recommendation_list(
    *,
    access: Access,
    status: str | None = None,
    lever: str | None = None,
    endpoint: str | None = None,
) -> QuerySet[Recommendation]:
    recs = Recommendation.objects.select_related("endpoint", "endpoint__team")
    recs = access.filter_teams(recs, field="endpoint__team_id")
    if status:
        recs = recs.filter(status=status)
    if lever:
        recs = recs.filter(lever=lever)
    if endpoint:
        recs = recs.filter(endpoint__name=endpoint)
    return recs.order_by("-savings_monthly", "id")


def recommendation_list_open(
    *, access: Access, team_ids: list[int] | None = None
) -> QuerySet[Recommendation]:
    """Open recommendations the caller may see, largest savings first; ``team_ids`` narrows
    further (for a dashboard or a team's weekly e-mail)."""
    recs = recommendation_list(access=access, status=Status.OPEN)
    if team_ids is not None:
        recs = recs.filter(endpoint__team_id__in=team_ids)
    return recs


def recommendation_get(*, access: Access, recommendation_id: int) -> Recommendation:
    rec = recommendation_list(access=access).filter(pk=recommendation_id).first()
    if rec is None:
        raise NotFound(f"No recommendation {recommendation_id}.")
    return rec


def projection_accuracy_by_lever(*, access: Access) -> list[dict]:
    """Per lever: measured recommendations, projected and realized monthly savings, and
    accuracy = realized / projected (summed over the measured ones)."""
    rows = (
        recommendation_list(access=access)
        .filter(realized_savings_monthly__isnull=False)
        .values("lever")
        .annotate(
            measured=Count("id"),
            projected=Sum("savings_monthly"),
            realized=Sum("realized_savings_monthly"),
        )
        .order_by("lever")
    )
    return [
        {
            **row,
            "accuracy": row["realized"] / row["projected"] if row["projected"] else None,
        }
        for row in rows
    ]


def endpoint_plan(*, recommendations: list[Recommendation]) -> dict:
    """The stacked plan of one endpoint's open and accepted recommendations."""
    live = [r for r in recommendations if r.status in (Status.OPEN, Status.ACCEPTED)]
    if not live:
        return {"steps": [], "savings_monthly": Decimal(0)}
    cost = max(r.current_monthly_cost for r in live)
    ratios = {
        r.lever: (r.projected_monthly_cost / r.current_monthly_cost)
        if r.current_monthly_cost
        else Decimal(1)
        for r in live
    }
    floors = [Decimal((r.evidence.get("cost") or {}).get("one_replica_monthly") or 0) for r in live]
    steps = [s for s in plan_stack(cost, ratios, floor=max(floors)) if s.savings > 0]
    return {"steps": steps, "savings_monthly": sum((s.savings for s in steps), Decimal(0))}


def whatif_projection(
    *,
    access: Access,
    endpoint_id: int,
    now: datetime,
    factors: dict | None = None,
    prices: dict | None = None,
) -> dict:
    """Recompute every lever for one endpoint with changed factors and prices (nothing stored).

    ``factors``: key -> value (or {value, pessimistic, optimistic}); ``prices``: instance-hour
    prices replacing the price book's for this endpoint's instance.
    """
    resolved = factors_resolve(overrides=factors or {})
    start, end = evidence_window(today=now.date(), days=int(resolved.get("engine.window_days")))
    profiles = endpoint_profiles(start=start, end=end, endpoint_ids=[endpoint_id])
    if not profiles or not access.sees_team(profiles[0].team_id):
        raise NotFound(f"No endpoint {endpoint_id}.")
    profile = profiles[0]
    if prices and profile.price is not None:
        changes = {k: Decimal(str(v)) for k, v in prices.items() if k in PRICE_FIELDS}
        # Changing a price changes what capacity costs, not how much of it there is.
        profile = replace(
            profile, price=replace(profile.price, **changes), replica_count=profile.replicas
        )
    proposals = endpoint_assess(profile, resolved)
    steps = plan_stack(
        profile.monthly_cost,
        {p.lever: p.cost_ratio for p in proposals},
        floor=one_replica_monthly(profile),
    )
    return {
        "endpoint": profile.name,
        "currency": profile.currency,
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "current_monthly_cost": fmt(profile.monthly_cost),
        "levers": [
            {
                "lever": p.lever,
                "title": p.title,
                "projected_monthly_cost": fmt(p.projected_monthly_cost),
                "savings_monthly": fmt(p.savings_monthly),
                "savings_low": fmt(p.savings_low),
                "savings_high": fmt(p.savings_high),
                "confidence": p.confidence,
                "factors": p.evidence["factors"],
                "details": p.evidence["lever"],
            }
            for p in proposals
        ],
        "plan": [
            {
                "lever": s.lever,
                "cost_before": fmt(s.cost_before),
                "savings": fmt(s.savings),
                "cost_after": fmt(s.cost_after),
            }
            for s in steps
        ],
        "plan_savings_monthly": fmt(sum((s.savings for s in steps), Decimal(0))),
        "price": None if profile.price is None else profile.price.as_json(),
    }
