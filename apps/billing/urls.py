from django.urls import path

from apps.billing.views import billing_imports

urlpatterns = [path("imports/", billing_imports, name="billing-imports-page")]
