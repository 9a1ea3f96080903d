from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.anomalies.api.filters import AnomalyFilter
from apps.anomalies.api.serializers import AnomalyPatchInputSerializer, AnomalySerializer
from apps.anomalies.selectors import anomaly_list
from apps.anomalies.services.anomaly_actions import (
    anomaly_acknowledge,
    anomaly_feedback,
    anomaly_resolve,
)


class AnomalyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Anomalies (one per incident). Owners see their teams' only; SRE, finance, admins all.

    PATCH acknowledges or resolves, and records feedback (which tunes the monitor). Anyone who
    can see an anomaly and holds the ``read`` scope may act on it: acting is the SRE's and the
    owner's job, not the admin's.
    """

    serializer_class = AnomalySerializer
    filterset_class = AnomalyFilter
    write_scope = Scope.READ
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):  # noqa: ANN201 - DRF signature
        return anomaly_list(access=access_for_request(self.request))

    @extend_schema(request=AnomalyPatchInputSerializer, responses=AnomalySerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        anomaly = self.get_object()
        data = AnomalyPatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        note = values.get("note", "")
        if "feedback" in values:
            anomaly_feedback(
                anomaly_id=anomaly.id, user=request.user, feedback=values["feedback"], note=note
            )
        if values.get("status") == "acknowledged":
            anomaly_acknowledge(anomaly_id=anomaly.id, user=request.user)
        elif values.get("status") == "resolved":
            anomaly_resolve(anomaly_id=anomaly.id, user=request.user, note=note)
        return Response(AnomalySerializer(self.get_queryset().get(pk=anomaly.id)).data)
