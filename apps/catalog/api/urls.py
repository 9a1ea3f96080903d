from rest_framework.routers import DefaultRouter

from apps.catalog.api.views import (
    AttributionRuleViewSet,
    ModelEndpointViewSet,
    PriceBookEntryViewSet,
)

router = DefaultRouter()
router.register("endpoints", ModelEndpointViewSet, basename="endpoint")
router.register("attribution-rules", AttributionRuleViewSet, basename="attribution-rule")
router.register("price-book", PriceBookEntryViewSet, basename="price-book")

urlpatterns = router.urls
