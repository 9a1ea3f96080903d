from rest_framework.routers import SimpleRouter

from apps.anomalies.api.views import AnomalyViewSet

router = SimpleRouter(trailing_slash="/?")
router.register("anomalies", AnomalyViewSet, basename="anomaly")

urlpatterns = router.urls
