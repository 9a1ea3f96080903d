"""POST/GET /api/v1/billing/imports: scope checks, 202 + task on commit, status and errors."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.billing.choices import ImportStatus
from apps.billing.models import BillingImport
from apps.billing.services.billing_import import billing_import_file, billing_import_run
from apps.billing.tests.factories import cur_row, write_csv

URL = "/api/v1/billing/imports"


@pytest.fixture(autouse=True)
def _uploads(tmp_path: Path):  # noqa: ANN202
    with override_settings(COSTGOV_UPLOAD_DIR=tmp_path / "uploads"):
        yield


def _upload(tmp_path: Path, rows: list[dict] | None = None) -> SimpleUploadedFile:
    path = write_csv(tmp_path / "cur.csv", rows or [cur_row(), cur_row(cost="2.5")])
    return SimpleUploadedFile("cur.csv", path.read_bytes(), content_type="text/csv")


def test_upload_with_ingest_scope_returns_202_and_enqueues_the_task_on_commit(
    finance_user, client_for: Callable, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    client = client_for(finance_user, scopes=["ingest:billing"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, {"file": _upload(tmp_path)}, format="multipart")

    assert response.status_code == 202, response.content
    import_id = response.json()["import_id"]
    assert len(callbacks) == 1
    run = BillingImport.objects.get(pk=import_id)
    assert run.status == ImportStatus.PENDING
    assert run.created_by == finance_user
    assert run.triggered_by == "api"

    billing_import_run(import_id=import_id)  # what the worker does
    body = client.get(f"{URL}/{import_id}").json()
    assert body["status"] == "succeeded"
    assert body["rows_done"] == body["rows_total"] == 2
    assert body["stored_totals"]["2024-01-01"]["USD"]["billed_cost"] == "3.75"
    assert body["file_names"] == ["cur.csv"]
    assert len(body["sha256"]["cur.csv"]) == 64


def test_failed_upload_reports_file_row_and_column(
    admin_user, client_for: Callable, tmp_path: Path
) -> None:
    client = client_for(admin_user)
    response = client.post(
        URL, {"file": _upload(tmp_path, [cur_row(), cur_row(cost="n/a")])}, format="multipart"
    )
    billing_import_run(import_id=response.json()["import_id"])
    body = client.get(f"{URL}/{response.json()['import_id']}").json()
    assert body["status"] == "failed"
    assert body["error_details"] == {
        "file": "cur.csv",
        "row": 3,
        "column": "line_item_unblended_cost",
    }


@pytest.mark.parametrize("scopes", [["read"], ["ingest:telemetry"]])
def test_upload_without_ingest_billing_scope_is_forbidden(
    admin_user, client_for: Callable, tmp_path: Path, scopes: list[str]
) -> None:
    response = client_for(admin_user, scopes=scopes).post(
        URL, {"file": _upload(tmp_path)}, format="multipart"
    )
    assert response.status_code == 403
    assert not BillingImport.objects.exists()


@pytest.mark.parametrize("user_fixture", ["sre_user", "owner_user"])
def test_roles_without_ingest_billing_cannot_upload_or_list(
    request: pytest.FixtureRequest, client_for: Callable, tmp_path: Path, user_fixture: str
) -> None:
    client = client_for(request.getfixturevalue(user_fixture))
    assert client.post(URL, {"file": _upload(tmp_path)}, format="multipart").status_code == 403
    assert client.get(URL).status_code == 403


def test_anonymous_request_is_rejected(api_client, db: None) -> None:
    assert api_client.get(URL).status_code in (401, 403)


def test_upload_without_a_file_is_a_400(finance_user, client_for: Callable) -> None:
    response = client_for(finance_user).post(URL, {}, format="multipart")
    assert response.status_code == 400


def test_import_list_runs_a_fixed_number_of_queries(
    finance_user, client_for: Callable, tmp_path: Path, django_assert_max_num_queries
) -> None:
    path = write_csv(tmp_path / "a.csv", [cur_row()])
    for index in range(5):
        billing_import_file(paths=[path], source_name=f"s{index}", triggered_by="test")
    client = client_for(finance_user, scopes=["ingest:billing"])
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 5
