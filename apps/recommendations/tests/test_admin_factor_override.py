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


def test_admins_edit_overrides_in_the_admin_and_others_cannot(client, admin_user, sre_user):
    client.force_login(admin_user)
    assert client.get("/admin/recommendations/factoroverride/").status_code == 200
    added = client.post(
        "/admin/recommendations/factoroverride/add/",
        {"key": "tiering.simple_share", "value": "0.3", "note": "router pilot"},
    )
    assert added.status_code == 302
    sre_user.is_staff = True
    sre_user.save()
    client.force_login(sre_user)
    assert client.get("/admin/recommendations/factoroverride/").status_code == 403
