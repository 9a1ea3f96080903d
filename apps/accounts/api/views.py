from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateInputSerializer,
    ApiTokenSerializer,
    MeSerializer,
    TeamMemberInputSerializer,
    TeamSerializer,
)
from apps.accounts.choices import Scope
from apps.accounts.selectors import api_token_list, team_list
from apps.accounts.services.api_token import api_token_issue, api_token_revoke
from apps.accounts.services.team_membership import team_member_add, team_member_remove


class MeView(APIView):
    """The caller's identity, role, effective scopes and visible teams."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        access = access_for_request(request)
        teams = list(team_list(access=access).values_list("name", flat=True))
        data = {
            "username": request.user.username,
            "role": request.user.role,
            "scopes": sorted(access.scopes),
            "teams": teams,
            "sees_all_teams": access.sees_all_teams,
        }
        return Response(MeSerializer(data).data)


class TeamViewSet(viewsets.ModelViewSet):
    """Teams. Everyone reads the teams they may see; admins create, change and delete."""

    serializer_class = TeamSerializer
    filterset_fields = ["cost_center"]
    search_fields = ["name"]

    def get_queryset(self):  # noqa: ANN201
        return team_list(access=access_for_request(self.request)).prefetch_related("members")

    @extend_schema(request=TeamMemberInputSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request: Request, pk: str | None = None) -> Response:
        team = self.get_object()
        data = TeamMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team_member_add(team=team, user=data.validated_data["username"])
        return Response(TeamSerializer(team).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<username>[^/]+)")
    def remove_member(
        self, request: Request, pk: str | None = None, username: str = ""
    ) -> Response:
        team = self.get_object()
        user = get_object_or_404(team.members, username=username)
        team_member_remove(team=team, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API tokens. Anyone may issue tokens for themselves within their role; admins see all."""

    serializer_class = ApiTokenSerializer
    write_scope = Scope.READ  # issuing your own token needs only an authenticated session/token

    def get_queryset(self):  # noqa: ANN201
        return api_token_list(access=access_for_request(self.request))

    @extend_schema(
        request=ApiTokenCreateInputSerializer, responses={201: ApiTokenCreatedSerializer}
    )
    def create(self, request: Request) -> Response:
        data = ApiTokenCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = api_token_issue(user=request.user, **data.validated_data)
        body = ApiTokenCreatedSerializer(token).data | {"token": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = api_token_revoke(token=self.get_object())
        return Response(ApiTokenSerializer(token).data)
