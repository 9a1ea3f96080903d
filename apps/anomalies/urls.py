from django.urls import path

from apps.anomalies import views

app_name = "anomalies"

urlpatterns = [
    path("", views.anomaly_list_page, name="list"),
    path("<int:anomaly_id>/", views.anomaly_detail_page, name="detail"),
    path("<int:anomaly_id>/action", views.anomaly_action, name="action"),
]
