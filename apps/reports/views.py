"""Server-rendered dashboards, printable statements and the weekly report preview."""

import base64
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.accounts.selectors import team_list
from apps.attribution.models import CostAllocation
from apps.common.errors import NotFound, ValidationFailed
from apps.reports.cache import cached, scope_key
from apps.reports.charts import finance_charts, owner_charts
from apps.reports.jsonable import jsonable
from apps.reports.models import Statement
from apps.reports.sections import team_sections
from apps.reports.selectors import finance_summary, owner_summary, team_for_access
from apps.reports.services.statement_close import statement_close
from apps.reports.statements import statement_get
from apps.reports.weekly import weekly_chart_png, weekly_report_context


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month") or request.GET.get("period")
    if raw:
        try:
            return date.fromisoformat(f"{raw}-01")
        except ValueError as exc:
            raise Http404("Use ?month=YYYY-MM.") from exc
    latest = CostAllocation.objects.aggregate(day=Max("day"))["day"]
    return (latest or timezone.now().date()).replace(day=1)


def _team(request: HttpRequest, team_id: int | str | None, teams: list | None = None) -> object:
    """The requested team if visible (404 otherwise), or the caller's first team."""
    access = access_for_request(request)
    if team_id in (None, ""):
        first = teams[0] if teams else team_list(access=access).first()
        if first is None:
            raise Http404("You belong to no team.")
        return first
    if teams is not None:
        match = [t for t in teams if str(t.id) == str(team_id)]
        if not match:
            raise Http404("No such team.")
        return match[0]
    try:
        return team_for_access(access=access, team_id=int(team_id))
    except (NotFound, ValueError) as exc:
        raise Http404("No such team.") from exc


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    if access_for_request(request).sees_all_teams:
        return redirect("reports-finance")
    return redirect("reports-owner")


@login_required
def finance_dashboard(request: HttpRequest) -> HttpResponse:
    """Cost by team and cost center, trend, treemap, shares, savings, movers, budgets."""
    access = access_for_request(request)
    if not access.sees_all_teams:
        raise PermissionDenied
    month = _month(request)
    today = timezone.now().date()

    def compute() -> str:
        summary = finance_summary(access=access, month_start=month, as_of=today)
        context = {
            "summary": summary,
            "month": month,
            "charts": jsonable(finance_charts(summary)),
            "unallocated": next(
                c for c in summary["by_category"] if c["category"] == "unallocated"
            ),
            "idle": next(c for c in summary["by_category"] if c["category"] == "idle"),
            # Sections from other apps (open anomalies, recommendations) register here.
            "extra_sections": [],
        }
        return render_to_string("reports/finance_body.html", context)

    # The page body depends only on the month, the visible teams and the data, so it is cached
    # as HTML; the frame (user name, sign-out form) is rendered per request.
    # Our own rendered template, so safe; the cache may hand it back as plain str.
    body = mark_safe(cached("finance-page", (month, today, scope_key(access.team_ids)), compute))  # noqa: S308
    context = {"month": month, "body": body}
    return render(request, "reports/finance.html", context)


@login_required
def owner_dashboard(request: HttpRequest) -> HttpResponse:
    """A team's endpoints: daily cost, cost per 1k tokens, idle share."""
    access = access_for_request(request)
    teams = list(team_list(access=access))
    team = _team(request, request.GET.get("team"), teams)
    month = _month(request)

    def compute() -> str:
        summary = owner_summary(access=access, team_id=team.id, month_start=month)
        context = {
            "summary": summary,
            "month": month,
            "charts": jsonable(owner_charts(summary)),
            "extra_sections": team_sections(access=access, team_ids=[team.id]),
        }
        return render_to_string("reports/owner_body.html", context)

    context = {
        "summary": {"team": team.name, "team_id": team.id, "currency": "USD"},
        "month": month,
        "teams": teams,
        "body": mark_safe(cached("owner-page", (team.id, month), compute)),  # noqa: S308
    }
    return render(request, "reports/owner.html", context)


@login_required
def statement_page(request: HttpRequest, team_id: int, period: str) -> HttpResponse:
    """The printable chargeback statement of a team and month."""
    team = _team(request, team_id)
    try:
        period_start = date.fromisoformat(f"{period}-01")
    except ValueError as exc:
        raise Http404("Use YYYY-MM.") from exc
    body = cached(
        "statement-page",
        (team.id, period_start),
        lambda: render_to_string(
            "reports/statement_body.html",
            {"st": statement_get(team=team, period_start=period_start)},
        ),
    )
    context = {
        "body": mark_safe(body),  # noqa: S308 - our own rendered template
        "team": team,
        "period": period,
        "can_close": access_for_request(request).sees_all_teams
        and access_for_request(request).has_scope(Scope.INGEST_BILLING)
        and not Statement.objects.filter(team=team, period_start=period_start).exists(),
    }
    return render(request, "reports/statement.html", context)


@login_required
@require_POST
def statement_close_page(request: HttpRequest, team_id: int, period: str) -> HttpResponse:
    """Finance closes a team's month from the statement page (same service as the API)."""
    access = access_for_request(request)
    if not (access.sees_all_teams and access.has_scope(Scope.INGEST_BILLING)):
        raise PermissionDenied
    team = _team(request, team_id)
    try:
        period_start = date.fromisoformat(f"{period}-01")
        statement_close(team_id=team.id, period_start=period_start, closed_by=request.user)
    except ValueError as exc:
        raise Http404("Use YYYY-MM.") from exc
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return redirect("reports-statement", team_id=team.id, period=period)


@login_required
def weekly_preview(request: HttpRequest, team_id: int) -> HttpResponse:
    """The weekly email as it is sent, with the chart inlined as a data: URI instead of cid:."""
    access = access_for_request(request)
    team = _team(request, team_id)
    raw = request.GET.get("week")
    today = timezone.now().date()
    try:
        week_start = date.fromisoformat(raw) if raw else today - timedelta(days=today.weekday() + 7)
    except ValueError as exc:
        raise Http404("Use ?week=YYYY-MM-DD.") from exc
    week_start -= timedelta(days=week_start.weekday())

    def compute() -> str:
        context = weekly_report_context(team=team, week_start=week_start, access=access)
        png = base64.b64encode(weekly_chart_png(context)).decode()
        return render_to_string(
            "reports/weekly_email.html", {**context, "chart_src": f"data:image/png;base64,{png}"}
        )

    return HttpResponse(cached("weekly-preview", (team.id, week_start), compute))
