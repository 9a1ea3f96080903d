from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import ApiTokenViewSet, MeView, TeamViewSet

router = DefaultRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
