from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.accounts.models import Team
from apps.reports.api.renderers import StatementCsvRenderer, StatementXlsxRenderer
from apps.reports.api.serializers import (
    BudgetSerializer,
    ChargebackQuerySerializer,
    MonthQuerySerializer,
    OwnerQuerySerializer,
    StatementCloseInputSerializer,
)
from apps.reports.cache import cached, scope_key
from apps.reports.jsonable import jsonable
from apps.reports.selectors import budget_list, finance_summary, owner_summary, team_for_access
from apps.reports.services.statement_close import month_close, statement_close
from apps.reports.statements import statement_get


class ChargebackView(APIView):
    """Chargeback statements of a month: ``?period=YYYY-MM&team=<id>&format=json|csv|xlsx``.

    Owners get their own teams only; a closed month returns its immutable snapshot.
    """

    renderer_classes = [JSONRenderer, StatementCsvRenderer, StatementXlsxRenderer]

    @extend_schema(parameters=[ChargebackQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = ChargebackQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = access_for_request(request)
        period = query.validated_data["period"]
        if "team" in query.validated_data:
            teams = [team_for_access(access=access, team_id=query.validated_data["team"])]
        else:
            teams = list(access.filter_teams(Team.objects.order_by("name"), field="id"))
        team_ids = tuple(team.id for team in teams)
        renderer = request.accepted_renderer

        def compute() -> dict:
            return {
                "period": period.strftime("%Y-%m"),
                "statements": [statement_get(team=team, period_start=period) for team in teams],
            }

        if renderer.format not in {"csv", "xlsx"}:
            return Response(cached("chargeback", (period, team_ids), compute))
        body = cached(
            f"chargeback-{renderer.format}",
            (period, team_ids),
            lambda: renderer.render(compute()),
        )
        response = HttpResponse(body, content_type=renderer.media_type)
        name = f"chargeback-{period:%Y-%m}.{renderer.format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class StatementCloseView(APIView):
    """Close a month (``{"period": "YYYY-MM", "team": id}``; every team without ``team``).

    Finance and admins only (scope ``ingest:billing``). Idempotent.
    """

    write_scope = Scope.INGEST_BILLING

    @extend_schema(request=StatementCloseInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = StatementCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = access_for_request(request)
        if not access.sees_all_teams:
            raise PermissionDenied("Only finance and admins close months.")
        period = data.validated_data["period"]
        if "team" in data.validated_data:
            team = team_for_access(access=access, team_id=data.validated_data["team"])
            statements = [
                statement_close(team_id=team.id, period_start=period, closed_by=request.user)
            ]
        else:
            statements = month_close(period_start=period, closed_by=request.user)
        return Response(
            {
                "period": period.strftime("%Y-%m"),
                "closed": [
                    {
                        "team": s.team.name,
                        "content_sha256": s.content_sha256,
                        "closed_at": s.closed_at,
                        "rule_set_id": s.rule_set_id,
                    }
                    for s in statements
                ],
            },
            status=status.HTTP_200_OK,
        )


class FinanceSummaryView(APIView):
    """Every figure of the finance dashboard for ``?month=YYYY-MM`` (all-team roles)."""

    @extend_schema(parameters=[MonthQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = access_for_request(request)
        if not access.sees_all_teams:
            raise PermissionDenied("The finance dashboard covers every team.")
        month, today = query.validated_data["month"], timezone.now().date()
        return Response(
            cached(
                "finance-json",
                (month, today, scope_key(access.team_ids)),
                lambda: jsonable(finance_summary(access=access, month_start=month, as_of=today)),
            )
        )


class OwnerSummaryView(APIView):
    """One team's endpoints for ``?month=YYYY-MM&team=<id>``: daily cost, unit cost, idle share."""

    @extend_schema(parameters=[OwnerQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = OwnerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = access_for_request(request)
        team = team_for_access(access=access, team_id=query.validated_data["team"])
        month = query.validated_data["month"]
        return Response(
            cached(
                "owner-json",
                (team.id, month),
                lambda: jsonable(owner_summary(access=access, team_id=team.id, month_start=month)),
            )
        )


class BudgetViewSet(viewsets.ModelViewSet):
    """Monthly budgets per team or endpoint. Everyone reads their teams'; finance/admin write."""

    serializer_class = BudgetSerializer
    write_scope = Scope.INGEST_BILLING
    filterset_fields = ["team", "endpoint", "period_start", "currency"]

    def get_queryset(self):  # noqa: ANN201
        return budget_list(access=access_for_request(self.request))

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # Budgets are part of the report data fingerprint, so an edit shows at once.
        scope = scope_key(access_for_request(request).team_ids)
        data = cached(
            "budget-list",
            (scope, request.build_absolute_uri()),
            lambda: super(BudgetViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if (
            request.method not in {"GET", "HEAD", "OPTIONS"}
            and not access_for_request(request).sees_all_teams
        ):
            raise PermissionDenied("Only finance and admins edit budgets.")
