from django.contrib import admin
from django.http import HttpRequest

from apps.reports.models import Budget, BudgetAlert, Statement, WeeklyReport


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["team", "endpoint", "period_start", "amount", "currency"]
    list_filter = ["period_start", "team"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Closed statements are snapshots: viewable, never editable."""

    list_display = ["team", "period_start", "total_billed_cost", "currency", "closed_at"]
    list_filter = ["period_start"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BudgetAlert)
class BudgetAlertAdmin(admin.ModelAdmin):
    list_display = ["budget", "kind", "threshold_percent", "amount", "sent_at"]


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ["team", "week_start", "status", "sent_at"]
    list_filter = ["status", "week_start"]
