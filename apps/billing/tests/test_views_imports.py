"""The billing upload page: finance and admins upload; other roles are refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from apps.billing.models import BillingImport
from apps.billing.tests.factories import cur_row, write_csv

URL = "/billing/imports/"


def test_finance_uploads_a_file_and_sees_it_listed(
    finance_user, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    client.force_login(finance_user)
    data = write_csv(tmp_path / "cur.csv", [cur_row()]).read_bytes()
    with (
        override_settings(COSTGOV_UPLOAD_DIR=tmp_path / "uploads"),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post(
            URL,
            {"file": SimpleUploadedFile("cur.csv", data), "format": "auto", "source": "default"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    run = BillingImport.objects.get()
    assert run.triggered_by == "ui"
    page = client.get(URL)
    assert page.status_code == 200
    assert b"cur.csv" in page.content


@pytest.mark.parametrize("user_fixture", ["sre_user", "owner_user"])
def test_roles_without_ingest_billing_get_403(
    request: pytest.FixtureRequest, user_fixture: str
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(URL).status_code == 403
