from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.billing.api.serializers import (
    BillingImportCreateInputSerializer,
    BillingImportSerializer,
    CloudConnectionSerializer,
)
from apps.billing.selectors import billing_import_list, cloud_connection_list
from apps.billing.services.billing_upload import billing_import_upload


class BillingImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Billing imports: upload a file (``ingest:billing``), then follow its status and totals."""

    serializer_class = BillingImportSerializer
    required_scope = Scope.INGEST_BILLING

    def get_queryset(self):  # noqa: ANN201
        return billing_import_list()

    @extend_schema(request=BillingImportCreateInputSerializer, responses={202: dict})
    def create(self, request: Request) -> Response:
        data = BillingImportCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = billing_import_upload(
            upload=data.validated_data["file"],
            file_format=data.validated_data["format"],
            source_name=data.validated_data["source"],
            created_by=request.user,
            via="api",
        )
        return Response(
            {"import_id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED
        )


class SeesAllTeams(BasePermission):
    """Reads are for roles that see every team's billing (admin, finance, SRE), not owners."""

    message = "Only admin, finance and SRE roles see cloud connections."

    def has_permission(self, request: Request, view: object) -> bool:
        if request.method not in SAFE_METHODS:
            return True  # writes need the admin scope (HasScope)
        return access_for_request(request).sees_all_teams


class CloudConnectionViewSet(viewsets.ModelViewSet):
    """Cloud billing connections pulled daily (``billing.connections_pull``); admins write."""

    serializer_class = CloudConnectionSerializer
    filterset_fields = ["kind", "is_enabled", "last_status"]

    def get_permissions(self) -> list[BasePermission]:
        return [*super().get_permissions(), SeesAllTeams()]

    def get_queryset(self):  # noqa: ANN201
        return cloud_connection_list()
