"""Anomaly reads, scoped by who is asking."""

from django.db.models import QuerySet

from apps.accounts.access import Access
from apps.anomalies.models import Anomaly, Delivery


def anomaly_list(*, access: Access) -> QuerySet[Anomaly]:
    """Anomalies the caller may see: owners only their teams' (subject-less series: none)."""
    queryset = Anomaly.objects.select_related("monitor", "team", "endpoint", "acknowledged_by")
    return access.filter_teams(queryset)


def anomaly_get(*, access: Access, anomaly_id: int) -> Anomaly | None:
    return anomaly_list(access=access).filter(pk=anomaly_id).first()


def delivery_list(*, anomaly: Anomaly) -> QuerySet[Delivery]:
    return Delivery.objects.filter(anomaly=anomaly).select_related("subscription")
