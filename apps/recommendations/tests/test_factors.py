from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.common.errors import ValidationFailed
from apps.recommendations.factors import DEFAULT_FACTORS, PUBLISHED, factors_resolve
from apps.recommendations.models import FactorOverride


def test_every_factor_has_a_source_and_an_ordered_range():
    for factor in DEFAULT_FACTORS.values():
        assert factor.source
        assert factor.note


def test_published_figures_are_the_defaults():
    assert DEFAULT_FACTORS["quantization.throughput.int8"].value == Decimal("1.8")
    assert DEFAULT_FACTORS["quantization.throughput.int4"].value == Decimal("2.3")
    assert DEFAULT_FACTORS["batching.throughput_gain"].pessimistic == 2
    assert DEFAULT_FACTORS["batching.throughput_gain"].optimistic == 8
    assert DEFAULT_FACTORS["spot.discount_fallback"].source == PUBLISHED


@pytest.mark.django_db
def test_admin_override_beats_setting_and_what_if_beats_both(settings):
    settings.RECOMMENDATION_FACTORS = ["caching.servable_share=0.6"]
    assert factors_resolve().get("caching.servable_share") == Decimal("0.6")
    FactorOverride.objects.create(key="caching.servable_share", value=Decimal("0.7"))
    resolved = factors_resolve()
    assert resolved.get("caching.servable_share") == Decimal("0.7")
    assert resolved.get("caching.servable_share", "optimistic") == Decimal("0.7")
    assert resolved.table["caching.servable_share"].origin == "override"
    what_if = factors_resolve(overrides={"caching.servable_share": "0.9"})
    assert what_if.get("caching.servable_share") == Decimal("0.9")


@pytest.mark.django_db
def test_unknown_or_negative_factor_is_rejected(settings):
    with pytest.raises(ValidationFailed):
        factors_resolve(overrides={"no.such.factor": "1"})
    with pytest.raises(ValidationFailed):
        factors_resolve(overrides={"tiering.simple_share": "-1"})
    settings.RECOMMENDATION_FACTORS = ["tiering.simple_share"]
    with pytest.raises(ImproperlyConfigured):
        factors_resolve()
