from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.billing.api.views import BillingImportViewSet, CostExplorerView

router = SimpleRouter(trailing_slash="/?")
router.register("billing/imports", BillingImportViewSet, basename="billing-import")

urlpatterns = [
    path("costs", CostExplorerView.as_view(), name="costs"),
    *router.urls,
]
