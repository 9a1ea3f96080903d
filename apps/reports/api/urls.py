from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.reports.api.views import (
    BudgetViewSet,
    ChargebackView,
    FinanceSummaryView,
    OwnerSummaryView,
    StatementCloseView,
)

router = DefaultRouter(trailing_slash=False)
router.register("budgets", BudgetViewSet, basename="budget")

urlpatterns = [
    path("chargeback", ChargebackView.as_view(), name="chargeback"),
    path("chargeback/close", StatementCloseView.as_view(), name="chargeback-close"),
    path("finance-summary", FinanceSummaryView.as_view(), name="finance-summary"),
    path("owner-summary", OwnerSummaryView.as_view(), name="owner-summary"),
    *router.urls,
]
