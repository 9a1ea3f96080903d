from django.urls import path

from apps.recommendations.api.views import (
    ProjectionAccuracyView,
    RecommendationDetailView,
    RecommendationListView,
    WhatIfView,
)

urlpatterns = [
    path("recommendations", RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/accuracy",
        ProjectionAccuracyView.as_view(),
        name="recommendation-accuracy",
    ),
    path("recommendations/whatif", WhatIfView.as_view(), name="recommendation-whatif"),
    path(
        "recommendations/<int:pk>",
        RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
]
