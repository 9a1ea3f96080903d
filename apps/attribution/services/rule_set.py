"""Snapshot the rules an allocation uses, so every run can say which rules produced it."""

import hashlib
import json

from django.db import transaction

from apps.attribution.models import AttributionSettings, RuleSet, SharedCostRule
from apps.catalog.models import AttributionRule

DEFAULT_ENDPOINT_TAG_KEYS = ["costgov:endpoint", "endpoint"]
DEFAULT_TEAM_TAG_KEYS = ["team", "costgov:team"]


def attribution_settings_get() -> AttributionSettings:
    """The settings row, created with the documented defaults on first use."""
    settings, _ = AttributionSettings.objects.get_or_create(
        pk=1,
        defaults={
            "endpoint_tag_keys": DEFAULT_ENDPOINT_TAG_KEYS,
            "team_tag_keys": DEFAULT_TEAM_TAG_KEYS,
        },
    )
    return settings


def rule_set_content() -> dict:
    """Every rule in a canonical, JSON-ready form (stable order, names beside ids)."""
    settings = attribution_settings_get()
    catalog_rules = [
        {
            "id": rule.id,
            "endpoint_id": rule.endpoint_id,
            "endpoint": rule.endpoint.name,
            "team_id": rule.endpoint.team_id,
            "kind": rule.kind,
            "tag_key": rule.tag_key,
            "values": sorted(rule.values),
            "pattern": rule.pattern,
            "priority": rule.priority,
        }
        for rule in AttributionRule.objects.select_related("endpoint").order_by("id")
    ]
    shared_rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "priority": rule.priority,
            "match_charge_category": rule.match_charge_category,
            "match_service_category": rule.match_service_category,
            "match_service_name": rule.match_service_name,
            "method": rule.method,
            "team_id": rule.team_id,
            "team": rule.team.name if rule.team else None,
            "percentages": {k: str(v) for k, v in sorted(rule.percentages.items())},
        }
        for rule in SharedCostRule.objects.filter(is_active=True)
        .select_related("team")
        .order_by("priority", "id")
    ]
    return {
        "endpoint_tag_keys": list(settings.endpoint_tag_keys),
        "team_tag_keys": list(settings.team_tag_keys),
        "split_basis": settings.split_basis,
        "catalog_rules": catalog_rules,
        "shared_rules": shared_rules,
    }


@transaction.atomic
def rule_set_snapshot() -> RuleSet:
    """The RuleSet for the current rules: the existing version when nothing changed."""
    content = rule_set_content()
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    rule_set, _ = RuleSet.objects.get_or_create(sha256=digest, defaults={"content": content})
    return rule_set
