from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FINANCE = "finance", "Finance"
    OWNER = "owner", "Endpoint owner"
    SRE = "sre", "SRE"


class Scope(models.TextChoices):
    READ = "read", "Read"
    INGEST_TELEMETRY = "ingest:telemetry", "Ingest telemetry"
    INGEST_BILLING = "ingest:billing", "Ingest billing"
    ADMIN = "admin", "Administer"


# What each role may do. A session has exactly these scopes; a token may carry a subset.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Scope.values),
    Role.FINANCE: frozenset({Scope.READ, Scope.INGEST_BILLING}),
    Role.OWNER: frozenset({Scope.READ, Scope.INGEST_TELEMETRY}),
    Role.SRE: frozenset({Scope.READ, Scope.INGEST_TELEMETRY}),
}

# Roles that see every team's endpoints and costs. Owners see only the teams they belong to.
ALL_TEAMS_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.SRE})
