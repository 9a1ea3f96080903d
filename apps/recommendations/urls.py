from django.urls import path

from apps.recommendations.views import (
    recommendation_page,
    recommendation_status_page,
    whatif_page,
)

urlpatterns = [
    path("", recommendation_page, name="recommendations"),
    path("what-if/", whatif_page, name="recommendations-whatif"),
    path("<int:pk>/status", recommendation_status_page, name="recommendation-status"),
]
