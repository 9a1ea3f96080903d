from decimal import Decimal

import pytest

from apps.recommendations.admin import FactorOverrideForm

pytestmark = pytest.mark.django_db


def test_admin_form_accepts_known_factors_only():
    good = FactorOverrideForm(data={"key": "spot.interruption_overhead", "value": "0.15"})
    assert good.is_valid(), good.errors
    assert good.save().value == Decimal("0.15")
    bad = FactorOverrideForm(data={"key": "spot.discount", "value": "0.5"})
    assert not bad.is_valid()
    assert "Unknown factor" in str(bad.errors["key"])


def test_admin_page_lists_overrides(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/recommendations/factoroverride/").status_code == 200
