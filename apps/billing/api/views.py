from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.choices import Scope
from apps.billing.api.serializers import (
    BillingImportCreateInputSerializer,
    BillingImportSerializer,
)
from apps.billing.selectors import billing_import_list
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
