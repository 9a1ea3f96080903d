from django.urls import path

from apps.anomalies.api.views import AnomalyViewSet

anomaly_list = AnomalyViewSet.as_view({"get": "list"})
anomaly_detail = AnomalyViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("anomalies", anomaly_list, name="anomaly-list"),
    path("anomalies/<int:pk>", anomaly_detail, name="anomaly-detail"),
]
