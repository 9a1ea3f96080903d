from django.urls import path, register_converter
from rest_framework.routers import DefaultRouter

from apps.attribution.api.views import (
    AllocationExplainView,
    AllocationListView,
    AllocationRunListView,
    AttributionSettingsView,
    CostExplorerView,
    SharedCostRuleViewSet,
    UnitCostListView,
)


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str):  # noqa: ANN201
        from datetime import date

        return date.fromisoformat(value)

    def to_url(self, value) -> str:  # noqa: ANN001
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

router = DefaultRouter(trailing_slash=False)
router.register("attribution/shared-rules", SharedCostRuleViewSet, basename="shared-cost-rule")

urlpatterns = [
    # Supersedes the ledger-only explorer of apps.billing (same query, more groupings, owners).
    path("costs", CostExplorerView.as_view(), name="costs"),
    path("allocations", AllocationListView.as_view(), name="allocation-list"),
    path("allocations/unit-costs", UnitCostListView.as_view(), name="allocation-unit-costs"),
    path("allocations/runs", AllocationRunListView.as_view(), name="allocation-run-list"),
    path(
        "allocations/<str:endpoint>/<isodate:day>/explain",
        AllocationExplainView.as_view(),
        name="allocation-explain",
    ),
    path("attribution/settings", AttributionSettingsView.as_view(), name="attribution-settings"),
    *router.urls,
]
