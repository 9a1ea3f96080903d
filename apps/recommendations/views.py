"""Server-rendered recommendation pages: the list (with each endpoint's stacked plan) and the
what-if calculator (a form post recomputed on the server)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.access import access_for_request
from apps.catalog.selectors import endpoint_list
from apps.common.errors import CostgovError
from apps.recommendations.choices import TRANSITIONS
from apps.recommendations.factors import DEFAULT_FACTORS, factors_resolve
from apps.recommendations.selectors import (
    PRICE_FIELDS,
    endpoint_plan,
    projection_accuracy_by_lever,
    recommendation_get,
    recommendation_list,
    whatif_projection,
)
from apps.recommendations.services.recommendation_transition import recommendation_transition

# The assumptions an owner is most likely to change; any factor key may be posted.
WHATIF_FACTORS = (
    "tiering.simple_share",
    "tiering.small_model_cost_ratio",
    "caching.servable_share",
    "batching.throughput_gain",
    "spot.interruption_overhead",
    "rightsizing.target_utilization",
    "quantization.throughput.int8",
    "quantization.throughput.fp8",
    "commitment.baseline_percentile",
)


@login_required
def recommendation_page(request: HttpRequest) -> HttpResponse:
    access = access_for_request(request)
    recs = list(recommendation_list(access=access, status=request.GET.get("status") or None))
    for rec in recs:
        rec.next_statuses = sorted(TRANSITIONS.get(rec.status, ()))
    by_endpoint = defaultdict(list)
    for rec in recs:
        by_endpoint[rec.endpoint].append(rec)
    plans = [
        {"endpoint": endpoint, "plan": endpoint_plan(recommendations=items)}
        for endpoint, items in by_endpoint.items()
    ]
    plans.sort(key=lambda row: row["plan"]["savings_monthly"], reverse=True)
    return render(
        request,
        "recommendations/list.html",
        {
            "recommendations": recs,
            "plans": plans,
            "accuracy": projection_accuracy_by_lever(access=access),
            "status": request.GET.get("status", ""),
        },
    )


@login_required
@require_POST
def recommendation_status_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Form post from the list: move one recommendation (same rules as the API PATCH)."""
    access = access_for_request(request)
    try:
        recommendation_get(access=access, recommendation_id=pk)
        raw_date = request.POST.get("implemented_on", "").strip()
        recommendation_transition(
            recommendation_id=pk,
            status=request.POST.get("status", ""),
            user=request.user,
            now=timezone.now(),
            implemented_on=date.fromisoformat(raw_date) if raw_date else None,
            reason=request.POST.get("reason", ""),
        )
    except ValueError:
        messages.error(request, "implemented_on must be a date (YYYY-MM-DD).")
    except CostgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recommendation updated.")
    return redirect(f"{reverse('recommendations')}#rec-{pk}")


def _posted_numbers(request: HttpRequest, prefix: str, allowed: set[str]) -> tuple[dict, list]:
    values, errors = {}, []
    for name, raw in request.POST.items():
        if not name.startswith(prefix) or not raw.strip():
            continue
        key = name.removeprefix(prefix)
        if key not in allowed:
            errors.append(f"unknown field {key}")
            continue
        try:
            values[key] = Decimal(raw.strip())
        except InvalidOperation:
            errors.append(f"{key}: {raw!r} is not a number")
    return values, errors


@login_required
def whatif_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: recompute the endpoint's levers with the posted assumptions."""
    access = access_for_request(request)
    endpoints = list(endpoint_list(access=access).filter(is_active=True))
    table = factors_resolve().table
    context: dict = {
        "endpoints": endpoints,
        "factor_rows": [{"factor": table[key], "posted": ""} for key in WHATIF_FACTORS],
        "price_rows": [{"name": name, "posted": ""} for name in PRICE_FIELDS],
        "errors": [],
        "result": None,
    }
    if request.method == "POST":
        factors, errors = _posted_numbers(request, "factor:", set(DEFAULT_FACTORS))
        prices, price_errors = _posted_numbers(request, "price:", set(PRICE_FIELDS))
        errors += price_errors
        for row in context["factor_rows"]:
            row["posted"] = factors.get(row["factor"].key, "")
        for row in context["price_rows"]:
            row["posted"] = prices.get(row["name"], "")
        try:
            endpoint_id = int(request.POST.get("endpoint_id", ""))
        except ValueError:
            errors.append("choose an endpoint")
            endpoint_id = None
        context["endpoint_id"] = endpoint_id
        if not errors:
            try:
                context["result"] = whatif_projection(
                    access=access,
                    endpoint_id=endpoint_id,
                    now=timezone.now(),
                    factors=factors,
                    prices=prices,
                )
            except CostgovError as exc:
                errors.append(exc.message)
        context["errors"] = errors
    status = 400 if context["errors"] else 200
    return render(request, "recommendations/whatif.html", context, status=status)
