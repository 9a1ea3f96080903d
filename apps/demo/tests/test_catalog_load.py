from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import Team, TeamMembership, User
from apps.attribution.choices import Category, Evidence
from apps.attribution.models import AllocationPart
from apps.attribution.services.period_allocate import period_allocate
from apps.billing.models import CostLineItem
from apps.billing.services.billing_import import billing_import_file
from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry
from apps.common.errors import InputFileError
from apps.demo.services.catalog_load import DEMO_PASSWORD, ENDPOINT_FIELDS, demo_catalog_load
from apps.demo.tests.conftest import SMALL

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts() -> dict[str, int]:
    return {
        "teams": Team.objects.count(), "users": User.objects.count(),
        "memberships": TeamMembership.objects.count(), "endpoints": ModelEndpoint.objects.count(),
        "rules": AttributionRule.objects.count(), "prices": PriceBookEntry.objects.count(),
    }  # fmt: skip


@pytest.mark.django_db
def test_second_load_creates_and_changes_nothing(
    small_dataset: Path, manifest: dict, settings: object
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER  # type: ignore[attr-defined]
    first = demo_catalog_load(data_dir=small_dataset)
    catalog = manifest["catalog"]
    assert first.created["team"] == len(catalog["teams"]) == SMALL.teams
    assert first.created["endpoint"] == len(catalog["endpoints"]) == SMALL.endpoints
    assert first.created["user"] == 3 + SMALL.teams
    before = _counts()
    second = demo_catalog_load(data_dir=small_dataset)
    assert second.created == {}
    assert second.updated == {}
    assert _counts() == before


@pytest.mark.django_db
def test_demo_users_have_roles_teams_and_the_demo_password(
    small_dataset: Path, settings: object
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER  # type: ignore[attr-defined]
    demo_catalog_load(data_dir=small_dataset)
    admin = User.objects.get(username="admin")
    assert admin.role == "admin"
    assert admin.is_superuser
    assert admin.is_staff
    assert User.objects.get(username="finance").role == "finance"
    assert User.objects.get(username="sre").role == "sre"
    for team in Team.objects.all():
        owner = User.objects.get(username=f"owner-{team.name}")
        assert owner.role == "owner"
        assert list(owner.teams.all()) == [team]
        assert owner.check_password(DEMO_PASSWORD)
        assert team.cost_center
        assert team.contact_email
        assert team.timezone != "UTC"


@pytest.mark.django_db
def test_loaded_rules_attribute_each_dedicated_cur_line_to_its_endpoint(
    small_dataset: Path, manifest: dict, settings: object
) -> None:
    """Through the real engine: import the CUR, allocate, and every line of a dedicated
    instance is claimed (by tag or catalog rule) by the endpoint that owns it."""
    settings.PASSWORD_HASHERS = FAST_HASHER  # type: ignore[attr-defined]
    demo_catalog_load(data_dir=small_dataset)
    run = billing_import_file(
        paths=sorted((small_dataset / "cur").rglob("*.csv.gz")), triggered_by="test"
    )
    assert run.status == "succeeded", run.error
    for period in run.billing_periods:
        period_allocate(period_start=date.fromisoformat(period))
    owners = {i["resource_id"]: i["owner"] for i in manifest["catalog"]["instances"]}
    resources = dict(CostLineItem.objects.values_list("id", "resource_id"))
    claimed = AllocationPart.objects.filter(
        evidence__in=[Evidence.ENDPOINT_TAG, Evidence.RULE], category=Category.USAGE
    ).values_list("line_item_id", "endpoint__name")
    checked = 0
    for line_item_id, endpoint in claimed:
        resource = resources[line_item_id]
        if resource in owners:
            assert endpoint == owners[resource], resource
            checked += 1
    dedicated = [r for r, owner in owners.items() if owner]
    assert checked > 100
    assert {resources[i] for i, _ in claimed} >= set(dedicated)


@pytest.mark.django_db
def test_generate_demo_command_with_load_twice(tmp_path: Path, settings: object) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER  # type: ignore[attr-defined]
    args = ["generate_demo", "--out", str(tmp_path), "--days", "2", "--seed", "3",
            "--teams", "2", "--endpoints", "5", "--requests-per-day", "300", "--load"]  # fmt: skip
    call_command(*args)
    before = _counts()
    call_command(*args)
    assert _counts() == before
    assert before["endpoints"] == 5


@pytest.mark.django_db
def test_load_without_a_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="manifest.json"):
        demo_catalog_load(data_dir=tmp_path)


def test_generate_demo_rejects_a_world_too_small_for_the_anomalies(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="endpoints must be at least 4"):
        call_command("generate_demo", "--out", str(tmp_path), "--days", "1", "--endpoints", "3")


@pytest.mark.django_db
def test_loaded_endpoints_match_the_manifest(
    small_dataset: Path, manifest: dict, settings: object
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER  # type: ignore[attr-defined]
    demo_catalog_load(data_dir=small_dataset)
    for row in manifest["catalog"]["endpoints"]:
        endpoint = ModelEndpoint.objects.select_related("team").get(name=row["name"])
        assert endpoint.team.name == row["team"]
        for field in ENDPOINT_FIELDS:
            assert getattr(endpoint, field) == row[field], (row["name"], field)
    families = {e.model_family for e in ModelEndpoint.objects.all()}
    assert families <= {"llama-3.1", "mistral", "bge", "qwen2.5", "mixtral", "sdxl"}
