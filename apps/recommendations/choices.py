from django.db import models


class Lever(models.TextChoices):
    """One optimization lever; each has a module under ``apps/recommendations/levers/``."""

    SCALE_TO_ZERO = "scale_to_zero", "Scale idle endpoint to zero"
    RIGHT_SIZING = "right_sizing", "Right-size capacity"
    RESPONSE_CACHING = "response_caching", "Cache duplicate responses"
    MODEL_TIERING = "model_tiering", "Route simple requests to a smaller model"
    QUANTIZATION = "quantization", "Quantize weights"
    BATCHING = "batching", "Continuous batching"
    PRIORITY_LANES = "priority_lanes", "Move non-interactive lanes to cheaper capacity"
    SPOT = "spot", "Run on spot capacity"
    COMMITMENT = "commitment", "Commit to the steady baseline"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    IMPLEMENTED = "implemented", "Implemented"
    VERIFIED = "verified", "Verified"
    DISMISSED = "dismissed", "Dismissed"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Allowed lifecycle moves: open -> accepted -> implemented -> verified; open, accepted or
# implemented -> dismissed; a dismissed recommendation may be reopened by its owner.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.ACCEPTED, Status.DISMISSED}),
    Status.ACCEPTED: frozenset({Status.IMPLEMENTED, Status.DISMISSED, Status.OPEN}),
    Status.IMPLEMENTED: frozenset({Status.VERIFIED, Status.DISMISSED}),
    Status.VERIFIED: frozenset(),
    Status.DISMISSED: frozenset({Status.OPEN}),
}
