import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.billing.api.serializers import (
    BillingImportCreateInputSerializer,
    BillingImportSerializer,
    CostQueryInputSerializer,
    CostRowSerializer,
)
from apps.billing.selectors import billing_import_list, cost_by_group
from apps.billing.services.billing_import import billing_import_create
from apps.billing.tasks import billing_import_run_task


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
        upload = data.validated_data["file"]
        name = Path(upload.name).name
        folder = Path(settings.COSTGOV_UPLOAD_DIR) / "billing" / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        with transaction.atomic():
            run = billing_import_create(
                paths=[path],
                names=[name],
                file_format=data.validated_data["format"],
                source_name=data.validated_data["source"],
                triggered_by="api",
                created_by=request.user,
            )
            billing_import_run_task.delay_on_commit(run.pk)
        return Response(
            {"import_id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED
        )


class CostExplorerView(APIView):
    """Cost over charge days ``[start, end)``, grouped, as exact decimal strings."""

    @extend_schema(parameters=[CostQueryInputSerializer], responses=CostRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = CostQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = cost_by_group(access=access_for_request(request), **query.validated_data)
        return Response({**query.data, "results": CostRowSerializer(rows, many=True).data})
