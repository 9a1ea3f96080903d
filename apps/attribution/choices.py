from django.db import models


class Category(models.TextChoices):
    """What an allocated amount is, from the owner's point of view."""

    USAGE = "usage", "Usage"  # capacity the endpoint's requests used
    IDLE = "idle", "Idle"  # capacity paid for and not used (dedicated or its share of a pool)
    SHARED = "shared", "Shared"  # platform costs (network, storage, support, tax…) spread by rule
    UNALLOCATED = "unallocated", "Unallocated"  # no evidence: shown, never spread silently


class Evidence(models.TextChoices):
    """Why an amount went where it went, strongest first."""

    ENDPOINT_TAG = "endpoint_tag", "Endpoint tag"
    RULE = "rule", "Catalog attribution rule"
    TEAM_TAG = "team_tag", "Team tag"
    TELEMETRY = "telemetry", "Telemetry split of a shared resource"
    SHARED_RULE = "shared_rule", "Shared-cost rule"
    NONE = "none", "No evidence"


class SplitBasis(models.TextChoices):
    GPU_SECONDS = "gpu_seconds", "GPU-seconds"
    TOKENS = "tokens", "Tokens (input + output)"


class SharedMethod(models.TextChoices):
    PROPORTIONAL = "proportional", "Proportional to the teams' direct cost"
    EVEN = "even", "Even split across teams with direct cost"
    FIXED = "fixed", "Fixed percentages"
    TEAM = "team", "All to one team"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
