from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.recommendations.api.serializers import (
    ProjectionAccuracySerializer,
    RecommendationPatchInputSerializer,
    RecommendationQuerySerializer,
    RecommendationSerializer,
    WhatIfInputSerializer,
)
from apps.recommendations.selectors import (
    projection_accuracy_by_lever,
    recommendation_get,
    recommendation_list,
    whatif_projection,
)
from apps.recommendations.services.recommendation_transition import recommendation_transition


class RecommendationListView(ListAPIView):
    """Recommendations the caller may see (owners: their teams), largest savings first."""

    serializer_class = RecommendationSerializer

    @extend_schema(parameters=[RecommendationQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> object:
        query = RecommendationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return recommendation_list(access=access_for_request(self.request), **query.validated_data)


class RecommendationDetailView(APIView):
    """One recommendation; PATCH moves its lifecycle (owners may act on their teams' ones)."""

    # Acting on a recommendation is part of owning an endpoint; team scoping is enforced by
    # the selector, so the read scope is enough to write.
    write_scope = Scope.READ

    @extend_schema(responses=RecommendationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        rec = recommendation_get(access=access_for_request(request), recommendation_id=pk)
        return Response(RecommendationSerializer(rec).data)

    @extend_schema(request=RecommendationPatchInputSerializer, responses=RecommendationSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        access = access_for_request(request)
        recommendation_get(access=access, recommendation_id=pk)  # 404 outside the caller's teams
        data = RecommendationPatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation_transition(
            recommendation_id=pk,
            status=data.validated_data["status"],
            user=request.user,
            now=timezone.now(),
            implemented_on=data.validated_data.get("implemented_on"),
            reason=data.validated_data.get("reason", ""),
        )
        rec = recommendation_get(access=access, recommendation_id=pk)
        return Response(RecommendationSerializer(rec).data)


class ProjectionAccuracyView(APIView):
    """Per lever: realized / projected savings over measured recommendations."""

    @extend_schema(responses=ProjectionAccuracySerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = projection_accuracy_by_lever(access=access_for_request(request))
        return Response(ProjectionAccuracySerializer(rows, many=True).data)


class WhatIfView(APIView):
    """Recompute one endpoint's levers with changed factors and prices; nothing is stored."""

    write_scope = Scope.READ  # a computation, not a change

    @extend_schema(request=WhatIfInputSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        data = WhatIfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = whatif_projection(
            access=access_for_request(request),
            endpoint_id=data.validated_data["endpoint_id"],
            now=timezone.now(),
            factors=data.validated_data["factors"],
            prices=data.validated_data["prices"],
        )
        return Response(result)
