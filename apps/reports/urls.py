from django.urls import path

from apps.reports import views

urlpatterns = [
    path("", views.reports_home, name="reports-home"),
    path("finance", views.finance_dashboard, name="reports-finance"),
    path("owner", views.owner_dashboard, name="reports-owner"),
    path("statements/<int:team_id>/<str:period>", views.statement_page, name="reports-statement"),
    path(
        "statements/<int:team_id>/<str:period>/close",
        views.statement_close_page,
        name="reports-statement-close",
    ),
    path("weekly/<int:team_id>", views.weekly_preview, name="reports-weekly-preview"),
]
