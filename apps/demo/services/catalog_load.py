"""Create the catalog that matches a generated demo dataset (teams, users, endpoints, rules).

Demo-only: every user it creates gets the password ``costgov-demo`` (documented in
``docs/demo-dataset.md``); never run it against a production database.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.db import models, transaction

from apps.accounts.models import Team, User
from apps.accounts.services.team_membership import team_member_add
from apps.catalog.models import AttributionRule, ModelEndpoint
from apps.catalog.services.price_book_seed import price_book_seed
from apps.common.errors import InputFileError

M = TypeVar("M", bound=models.Model)
DEMO_PASSWORD = "costgov-demo"  # noqa: S105 - demo-only credential, documented
ENDPOINT_FIELDS = (
    "model_family", "parameter_count", "precision", "serving_framework", "accelerator_type",
    "accelerator_count", "instance_type", "provider", "region", "pricing_category", "lanes",
    "is_interruption_tolerant",
)  # fmt: skip


@dataclass
class CatalogLoadResult:
    """How many rows of each kind were created and updated (kept rows are not counted)."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        bucket = self.created if created else self.updated
        if created or changed:
            bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def as_dict(self) -> dict:
        return {"created": dict(sorted(self.created.items())),
                "updated": dict(sorted(self.updated.items()))}  # fmt: skip

    def __str__(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)


def _upsert(model: type[M], *, key: dict, values: dict) -> tuple[M, bool, bool]:
    """Get by natural key, create with ``values``, or save only the fields that differ."""
    obj = model.objects.select_for_update().filter(**key).first()
    if obj is None:
        return model.objects.create(**key, **values), True, False
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def _read_manifest(data_dir: Path) -> dict:
    path = data_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
        return manifest["catalog"]
    except FileNotFoundError as exc:
        raise InputFileError("no manifest.json; run generate_demo first", file=str(path)) from exc
    except (ValueError, KeyError) as exc:
        raise InputFileError(f"not a demo manifest ({exc})", file=str(path)) from exc


@transaction.atomic
def demo_catalog_load(*, data_dir: Path) -> CatalogLoadResult:
    """Create or update the demo catalog described by ``data_dir/manifest.json``.

    Idempotent by natural keys (team name, username, endpoint name, and rule endpoint + kind +
    tag key + pattern): a second run creates nothing and updates nothing. Existing users keep
    their password. The default price book is seeded too, so every endpoint's instance type
    has prices. Nothing is ever deleted.
    """
    catalog = _read_manifest(data_dir)
    result = CatalogLoadResult()
    seeded = price_book_seed()
    if seeded.created:
        result.created["price_book_entry"] = seeded.created
    teams: dict[str, Team] = {}
    for row in catalog["teams"]:
        team, created, changed = _upsert(
            Team, key={"name": row["name"]},
            values={k: row[k] for k in ("cost_center", "contact_email", "timezone")},
        )  # fmt: skip
        teams[team.name] = team
        result.count("team", created=created, changed=changed)
    for row in catalog["users"]:
        user, created, changed = _upsert(
            User, key={"username": row["username"]},
            values={"role": row["role"], "is_superuser": row["is_superuser"],
                    "is_staff": row["is_staff"], "email": f"{row['username']}@example.com"},
        )  # fmt: skip
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        result.count("user", created=created, changed=changed)
        for team_name in row["teams"]:
            before = teams[team_name].members.filter(pk=user.pk).exists()
            team_member_add(team=teams[team_name], user=user)
            result.count("team_membership", created=not before, changed=False)
    for row in catalog["endpoints"]:
        endpoint, created, changed = _upsert(
            ModelEndpoint, key={"name": row["name"]},
            values={"team": teams[row["team"]], **{k: row[k] for k in ENDPOINT_FIELDS}},
        )  # fmt: skip
        result.count("endpoint", created=created, changed=changed)
        for rule in row["attribution_rules"]:
            _, created, changed = _upsert(
                AttributionRule,
                key={"endpoint": endpoint, "kind": rule["kind"], "tag_key": rule["tag_key"],
                     "pattern": rule["pattern"]},
                values={"values": rule["values"], "priority": rule["priority"]},
            )  # fmt: skip
            result.count("attribution_rule", created=created, changed=changed)
    return result
