import django_filters

from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry


class ModelEndpointFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__name", lookup_expr="iexact")
    lane = django_filters.CharFilter(
        field_name="lanes", lookup_expr="contains", method="filter_lane"
    )
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ModelEndpoint
        fields = ["team", "provider", "region", "precision", "pricing_category", "is_active"]

    def filter_lane(self, queryset, name: str, value: str):  # noqa: ANN001, ANN201
        return queryset.filter(lanes__contains=[value])


class AttributionRuleFilter(django_filters.FilterSet):
    endpoint = django_filters.CharFilter(field_name="endpoint__name")

    class Meta:
        model = AttributionRule
        fields = ["endpoint", "kind"]


class PriceBookEntryFilter(django_filters.FilterSet):
    class Meta:
        model = PriceBookEntry
        fields = ["provider", "instance_type", "region", "gpu_model", "supports_fp8"]
