"""Users, teams and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from apps.accounts.choices import Role, Scope


class User(AbstractUser):
    """A person. ``role`` decides what they may do; owners see only the teams they belong to."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OWNER)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.username


class Team(models.Model):
    """A team that owns model endpoints and is charged back for their cost."""

    name = models.CharField(max_length=100, unique=True)
    cost_center = models.CharField(max_length=64, blank=True)
    contact_email = models.EmailField(blank=True)
    slack_webhook_url = models.URLField(blank=True, max_length=500)
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA zone for the weekly report schedule."
    )
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="team_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class ApiToken(models.Model):
    """A machine credential. Only a SHA-256 of the secret is stored; the secret is shown once.

    The token string is ``cg_<prefix>_<secret>``: the prefix finds the row, the hash proves the
    secret. Scopes are a subset of the owner's role scopes; a team binding narrows visibility and
    writes to that team.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices))
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.user})"
