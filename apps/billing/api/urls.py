from django.urls import path

from apps.billing.api.views import BillingImportViewSet

import_list = BillingImportViewSet.as_view({"get": "list", "post": "create"})
import_detail = BillingImportViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("billing/imports", import_list, name="billing-import-list"),
    path("billing/imports/<int:pk>", import_detail, name="billing-import-detail"),
]
