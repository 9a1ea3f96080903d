from django.urls import path

from apps.telemetry.api.views import TelemetryCsvUploadView, TelemetryEventIngestView, UsageView

urlpatterns = [
    path("telemetry/events", TelemetryEventIngestView.as_view(), name="telemetry-events"),
    path("telemetry/events/csv", TelemetryCsvUploadView.as_view(), name="telemetry-events-csv"),
    path("usage", UsageView.as_view(), name="usage"),
]
