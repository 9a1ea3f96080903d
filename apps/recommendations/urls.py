from django.urls import path

from apps.recommendations.views import recommendation_page, whatif_page

urlpatterns = [
    path("", recommendation_page, name="recommendations"),
    path("what-if/", whatif_page, name="recommendations-whatif"),
]
