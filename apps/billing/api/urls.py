from django.urls import path

from apps.billing.api.views import BillingImportViewSet, CloudConnectionViewSet

import_list = BillingImportViewSet.as_view({"get": "list", "post": "create"})
import_detail = BillingImportViewSet.as_view({"get": "retrieve"})

connection_list = CloudConnectionViewSet.as_view({"get": "list", "post": "create"})
connection_detail = CloudConnectionViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("billing/imports", import_list, name="billing-import-list"),
    path("billing/imports/<int:pk>", import_detail, name="billing-import-detail"),
    path("billing/connections", connection_list, name="billing-connection-list"),
    path("billing/connections/<int:pk>", connection_detail, name="billing-connection-detail"),
]
