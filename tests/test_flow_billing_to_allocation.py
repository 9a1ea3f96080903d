"""Cross-app flow through a real worker: upload a CUR file -> import -> allocation -> API."""

import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.attribution.models import AllocationRun
from apps.billing.tests.factories import cur_row, write_csv
from apps.catalog.tests.factories import ModelEndpointFactory


def _wait_for_allocation(timeout_s: float = 90) -> AllocationRun:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = AllocationRun.objects.filter(
            status="succeeded", triggered_by__startswith="billing-import:"
        ).first()
        if run is not None:
            return run
        time.sleep(0.2)
    raise AssertionError("no allocation run succeeded after the import")


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_bill_is_imported_then_allocated_and_owners_see_their_share(
    worker_app, finance_user, owner_user, team_a, client_for, tmp_path
):
    ModelEndpointFactory(name="rank", team=team_a)
    rows = [
        cur_row(cost="1.50", team="search", resource="i-a"),
        cur_row(cost="2.00", team="", resource="i-b"),
    ]
    data = write_csv(tmp_path / "cur.csv", rows).read_bytes()
    with (
        override_settings(COSTGOV_UPLOAD_DIR=tmp_path / "uploads"),
        start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=60),
    ):
        response = client_for(finance_user, scopes=["ingest:billing"]).post(
            "/api/v1/billing/imports",
            {"file": SimpleUploadedFile("cur.csv", data)},
            format="multipart",
        )
        assert response.status_code == 202
        run = _wait_for_allocation()
    assert run.triggered_by == f"billing-import:{response.json()['import_id']}"
    assert run.ledger_totals == run.allocated_totals
    query = {"start": "2024-01-01", "end": "2024-02-01", "group_by": "team"}
    finance_rows = client_for(finance_user).get("/api/v1/allocations", query).json()
    assert {r["group"]: Decimal(r["billed_cost"]) for r in finance_rows} == {
        "search": Decimal("1.50"),
        "(unallocated)": Decimal("2.00"),
    }
    owner_rows = client_for(owner_user).get("/api/v1/allocations", query).json()
    assert [(r["group"], Decimal(r["billed_cost"])) for r in owner_rows] == [
        ("search", Decimal("1.50"))
    ]
