from datetime import date

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.attribution.api.serializers import (
    AllocationQuerySerializer,
    AllocationRowSerializer,
    AllocationRunCreateInputSerializer,
    AllocationRunSerializer,
    AttributionSettingsSerializer,
    CostExplorerOutputSerializer,
    CostExplorerQuerySerializer,
    ExplainSerializer,
    SharedCostRuleSerializer,
    UnitCostQuerySerializer,
    UnitCostRowSerializer,
)
from apps.attribution.cost_explorer import cost_explore
from apps.attribution.models import SharedCostRule
from apps.attribution.selectors import (
    allocation_by,
    allocation_explain,
    allocation_run_list,
    unit_costs_by_endpoint_day,
)
from apps.attribution.services.rule_set import attribution_settings_get
from apps.attribution.tasks import period_allocate_task
from apps.billing.api.serializers import CostRowSerializer


class AllocationListView(APIView):
    """Allocated cost over ``[start, end)`` by team, endpoint, category or customer."""

    @extend_schema(
        parameters=[AllocationQuerySerializer], responses=AllocationRowSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        query = AllocationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = allocation_by(access=access_for_request(request), **query.validated_data)
        return Response(AllocationRowSerializer(rows, many=True).data)


class AllocationExplainView(APIView):
    """Lineage of one endpoint's cost on one day: ledger rows, rules, shares and rule set."""

    @extend_schema(responses=ExplainSerializer)
    def get(self, request: Request, endpoint: str, day: date) -> Response:
        data = allocation_explain(
            access=access_for_request(request), endpoint_name=endpoint, day=day
        )
        return Response(ExplainSerializer(data).data)


class UnitCostListView(APIView):
    """Per endpoint and day: cost, requests, tokens, cost per 1k tokens and per request."""

    @extend_schema(parameters=[UnitCostQuerySerializer], responses=UnitCostRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = UnitCostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = unit_costs_by_endpoint_day(
            access=access_for_request(request),
            start=data["start"],
            end=data["end"],
            endpoint_name=data.get("endpoint"),
        )
        return Response(UnitCostRowSerializer(rows, many=True).data)


class AllocationRunListView(ListAPIView):
    """Allocation runs; POST ``{"period": "YYYY-MM"}`` queues a recompute (finance, admin)."""

    serializer_class = AllocationRunSerializer
    write_scope = Scope.INGEST_BILLING
    filterset_fields = ["billing_period_start", "status"]

    def get_queryset(self):  # noqa: ANN201
        return allocation_run_list()

    @extend_schema(
        request=AllocationRunCreateInputSerializer,
        responses={202: None},
        parameters=[OpenApiParameter("period", str, description="YYYY-MM", required=False)],
    )
    def post(self, request: Request) -> Response:
        data = AllocationRunCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = f"{data.validated_data['period']}-01"
        transaction.on_commit(
            lambda: period_allocate_task.delay(period, f"api:{request.user.username}")
        )
        return Response({"period": period, "queued": True}, status=status.HTTP_202_ACCEPTED)


class AttributionSettingsView(APIView):
    """Tag keys and the pool split basis. Admins change them; the next recompute uses them."""

    @extend_schema(responses=AttributionSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(AttributionSettingsSerializer(attribution_settings_get()).data)

    @extend_schema(request=AttributionSettingsSerializer, responses=AttributionSettingsSerializer)
    def put(self, request: Request) -> Response:
        serializer = AttributionSettingsSerializer(
            attribution_settings_get(), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class SharedCostRuleViewSet(viewsets.ModelViewSet):
    """Rules that spread platform costs over teams. Everyone reads; admins write."""

    serializer_class = SharedCostRuleSerializer
    queryset = SharedCostRule.objects.select_related("team").order_by("priority", "id")


class CostExplorerView(APIView):
    """Cost over charge days ``[start, end)`` by a ledger dimension, ``tag:KEY``, or by team,
    endpoint or category (from the allocation); exact decimal strings, scoped by role."""

    @extend_schema(parameters=[CostExplorerQuerySerializer], responses=CostExplorerOutputSerializer)
    def get(self, request: Request) -> Response:
        query = CostExplorerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = cost_explore(access=access_for_request(request), **query.validated_data)
        return Response({**query.data, "results": CostRowSerializer(rows, many=True).data})
