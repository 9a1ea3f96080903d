"""Rows of a GCP billing export table as the fake BigQuery serves them (nested, text FLOATs)."""

EXPORT_TABLE = "proj-billing.billing_export.gcp_billing_export_resource_v1_0A1B2C"


def export_row(
    *,
    cost: str,
    month: str = "202611",
    day: str = "2026-11-03",
    project: str = "proj-a",
    credits: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
    resource: str = "projects/proj-a/instances/gpu-1",
    service: str = "Vertex AI",
) -> dict:
    return {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "service": {"id": "C7E2-9256-1C43", "description": service},
        "sku": {"id": "A100-HOUR", "description": "A100 GPU"},
        "usage_start_time": f"{day}T10:00:00Z",
        "usage_end_time": f"{day}T11:00:00Z",
        "project": {"id": project, "name": project.upper()},
        "labels": [{"key": key, "value": value} for key, value in (labels or {}).items()],
        "location": {"location": "us-central1", "region": "us-central1"},
        "export_time": f"{day}T15:00:00Z",
        "cost": cost,
        "currency": "USD",
        "usage": {
            "amount": "3600",
            "unit": "seconds",
            "amount_in_pricing_units": "1",
            "pricing_unit": "hour",
        },
        "credits": [
            {"name": "Committed use discount", "amount": amount, "type": "COMMITTED_USAGE_DISCOUNT"}
            for amount in credits
        ],
        "invoice": {"month": month},
        "cost_type": "regular",
        "cost_at_list": cost,
        "resource": {"name": resource.rsplit("/", 1)[-1], "global_name": f"//compute/{resource}"},
    }
