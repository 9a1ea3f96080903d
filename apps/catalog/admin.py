from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry
from apps.catalog.services.endpoint_delete import endpoint_delete


class AttributionRuleInline(admin.TabularInline):
    model = AttributionRule
    extra = 0


@admin.register(ModelEndpoint)
class ModelEndpointAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "team",
        "model_family",
        "precision",
        "accelerator_type",
        "accelerator_count",
        "provider",
        "region",
        "pricing_category",
        "is_active",
    )
    list_filter = ("provider", "precision", "pricing_category", "is_active", "team")
    search_fields = ("name", "model_family", "team__name")
    inlines = [AttributionRuleInline]

    def delete_model(self, request: HttpRequest, obj: ModelEndpoint) -> None:
        endpoint_delete(endpoint_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        endpoint_delete(endpoint_ids=list(queryset.values_list("pk", flat=True)))


@admin.register(PriceBookEntry)
class PriceBookEntryAdmin(admin.ModelAdmin):
    list_display = (
        "provider",
        "instance_type",
        "region",
        "gpu_model",
        "gpus_per_instance",
        "on_demand_hourly",
        "spot_hourly",
        "commit_1y_hourly",
        "commit_3y_hourly",
        "source_date",
    )
    list_filter = ("provider", "gpu_model", "region")
    search_fields = ("instance_type", "gpu_model")
