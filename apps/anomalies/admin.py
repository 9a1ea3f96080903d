from django.contrib import admin

from apps.anomalies.models import Anomaly, Delivery, Monitor, Subscription


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = ["key", "is_enabled", "min_impact", "min_relative_pct", "sensitivity"]
    list_filter = ["kind", "granularity", "is_enabled"]
    search_fields = ["key"]


@admin.register(Anomaly)
class AnomalyAdmin(admin.ModelAdmin):
    list_display = ["monitor", "start_at", "end_at", "signal", "direction", "impact", "status"]
    list_filter = ["status", "feedback", "signal"]
    raw_id_fields = ["monitor", "team", "endpoint", "acknowledged_by"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "channel", "target", "min_impact", "is_active"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["anomaly", "subscription", "event", "revision", "status", "attempts"]
    list_filter = ["status", "event"]
    raw_id_fields = ["anomaly", "subscription"]
