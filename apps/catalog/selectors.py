"""Reads of the catalog, narrowed to what the caller may see."""

from django.db.models import Prefetch, QuerySet

from apps.accounts.access import Access
from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry


def endpoint_list(*, access: Access) -> QuerySet[ModelEndpoint]:
    endpoints = ModelEndpoint.objects.select_related("team").prefetch_related(
        Prefetch("attribution_rules", queryset=AttributionRule.objects.order_by("priority", "id"))
    )
    return access.filter_teams(endpoints)


def attribution_rule_list(*, access: Access) -> QuerySet[AttributionRule]:
    rules = AttributionRule.objects.select_related("endpoint")
    return access.filter_teams(rules, field="endpoint__team_id")


def price_book_list() -> QuerySet[PriceBookEntry]:
    """The price book is reference data: every authenticated caller may read it."""
    return PriceBookEntry.objects.all()
