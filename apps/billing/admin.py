from django.contrib import admin

from apps.billing.models import BillingImport, BillingSource, CloudConnection


@admin.register(BillingSource)
class BillingSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "uri", "created_at")
    search_fields = ("name",)


@admin.register(BillingImport)
class BillingImportAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "status", "format", "rows_done", "rows_total", "created_at")
    list_filter = ("status", "format", "source")
    list_select_related = ("source",)
    readonly_fields = [field.name for field in BillingImport._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(CloudConnection)
class CloudConnectionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "location", "is_enabled", "last_run_at", "last_status")
    list_filter = ("kind", "is_enabled", "last_status")
    search_fields = ("name", "location")
    readonly_fields = ("source", "last_run_at", "last_status", "last_error", "created_at")
    actions = ["pull_now"]

    @admin.action(description="Pull the selected connections now")
    def pull_now(self, request: object, queryset: object) -> None:
        from apps.billing.tasks import connection_pull_task  # lazy: tasks import services

        for connection in queryset:
            connection_pull_task.delay_on_commit(connection.pk)
        self.message_user(request, f"Queued {len(queryset)} pull(s).")
