from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.catalog.views import home
from apps.common.health import healthz, readyz
from apps.telemetry.api.otlp_views import OtlpTracesView

api_v1 = [
    path("accounts/", include("apps.accounts.api.urls")),
    path("catalog/", include("apps.catalog.api.urls")),
    path("", include("apps.attribution.api.urls")),
    path("", include("apps.billing.api.urls")),
    path("", include("apps.telemetry.api.urls")),
    path("", include("apps.recommendations.api.urls")),
    path("", include("apps.anomalies.api.urls")),
    path("reports/", include("apps.reports.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("recommendations/", include("apps.recommendations.urls")),
    path("admin/", admin.site.urls),
    path("billing/", include("apps.billing.urls")),
    path("anomalies/", include("apps.anomalies.urls")),
    path("reports/", include("apps.reports.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("v1/traces", OtlpTracesView.as_view(), name="otlp-traces"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
