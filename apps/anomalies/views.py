"""The SRE page: anomalies with a chart (actual vs expected band), contributors and actions."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.access import access_for_request
from apps.anomalies.choices import AnomalyStatus, Feedback, Signal
from apps.anomalies.selectors import anomaly_get, anomaly_list, delivery_list
from apps.anomalies.services.anomaly_actions import (
    anomaly_acknowledge,
    anomaly_feedback,
    anomaly_resolve,
)
from apps.common.errors import CostgovError


@login_required
def anomaly_list_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    queryset = anomaly_list(access=access_for_request(request))
    if status == "active":
        queryset = queryset.exclude(status=AnomalyStatus.RESOLVED)
    elif status in AnomalyStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-start_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "anomalies/list.html", {"page": page, "status": status})


@login_required
def anomaly_detail_page(request: HttpRequest, anomaly_id: int) -> HttpResponse:
    anomaly = anomaly_get(access=access_for_request(request), anomaly_id=anomaly_id)
    if anomaly is None:
        raise Http404("no such anomaly")
    chart = {
        "points": anomaly.points,
        "start": anomaly.start_at.isoformat(),
        "end": anomaly.end_at.isoformat(),
        "signal": anomaly.signal,
    }
    # A contributor's delta is in the unit of the signal it explains (see anomaly_explain).
    delta_unit = {Signal.REQUESTS: "requests", Signal.UNIT_COST: "GPU-ms"}.get(
        anomaly.signal, anomaly.currency
    )
    context = {
        "anomaly": anomaly,
        "delta_unit": delta_unit,
        "chart_json": json.dumps(chart),
        "deliveries": delivery_list(anomaly=anomaly),
        "feedback_choices": [c for c in Feedback.choices if c[0]],
    }
    return render(request, "anomalies/detail.html", context)


@login_required
@require_POST
def anomaly_action(request: HttpRequest, anomaly_id: int) -> HttpResponse:
    anomaly = anomaly_get(access=access_for_request(request), anomaly_id=anomaly_id)
    if anomaly is None:
        raise Http404("no such anomaly")
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:2000]
    try:
        if action == "acknowledge":
            anomaly_acknowledge(anomaly_id=anomaly.id, user=request.user)
        elif action == "resolve":
            anomaly_resolve(anomaly_id=anomaly.id, user=request.user, note=note)
        elif action == "feedback":
            anomaly_feedback(
                anomaly_id=anomaly.id,
                user=request.user,
                feedback=request.POST.get("feedback", ""),
                note=note,
            )
        else:
            messages.error(request, f"unknown action {action!r}")
    except CostgovError as exc:
        messages.error(request, exc.message)
    return redirect("anomalies:detail", anomaly_id=anomaly.id)
