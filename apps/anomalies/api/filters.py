import django_filters

from apps.anomalies.models import Anomaly


class AnomalyFilter(django_filters.FilterSet):
    start_after = django_filters.IsoDateTimeFilter(field_name="end_at", lookup_expr="gt")
    start_before = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt")
    team = django_filters.CharFilter(field_name="team__name")
    monitor_kind = django_filters.CharFilter(field_name="monitor__kind")
    granularity = django_filters.CharFilter(field_name="monitor__granularity")

    class Meta:
        model = Anomaly
        fields = ["status", "feedback", "signal", "direction"]
