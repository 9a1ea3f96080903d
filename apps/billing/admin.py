from django.contrib import admin

from apps.billing.models import BillingImport, BillingSource


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
