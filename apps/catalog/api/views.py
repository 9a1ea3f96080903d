from rest_framework import serializers, viewsets

from apps.accounts.access import access_for_request
from apps.catalog.api.filters import (
    AttributionRuleFilter,
    ModelEndpointFilter,
    PriceBookEntryFilter,
)
from apps.catalog.api.serializers import (
    AttributionRuleSerializer,
    ModelEndpointSerializer,
    PriceBookEntrySerializer,
)
from apps.catalog.models import ModelEndpoint
from apps.catalog.selectors import attribution_rule_list, endpoint_list, price_book_list
from apps.catalog.services.endpoint_delete import endpoint_delete


class ModelEndpointViewSet(viewsets.ModelViewSet):
    """Model endpoints. Owners read their teams' endpoints; admins write."""

    serializer_class = ModelEndpointSerializer
    filterset_class = ModelEndpointFilter
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):  # noqa: ANN201
        return endpoint_list(access=access_for_request(self.request))

    def perform_destroy(self, instance: ModelEndpoint) -> None:
        endpoint_delete(endpoint_ids=[instance.pk])


class AttributionRuleViewSet(viewsets.ModelViewSet):
    """Rules that recognise an endpoint's billing line items (tag, resource, account, type)."""

    serializer_class = AttributionRuleSerializer
    filterset_class = AttributionRuleFilter

    def get_queryset(self):  # noqa: ANN201
        return attribution_rule_list(access=access_for_request(self.request))

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        access = access_for_request(self.request)
        if not access.sees_team(serializer.validated_data["endpoint"].team_id):
            raise serializers.ValidationError({"endpoint": "Unknown endpoint."})
        serializer.save()


class PriceBookEntryViewSet(viewsets.ModelViewSet):
    """Accelerator instance prices per hour, with their source and date."""

    serializer_class = PriceBookEntrySerializer
    filterset_class = PriceBookEntryFilter

    def get_queryset(self):  # noqa: ANN201
        return price_book_list()
