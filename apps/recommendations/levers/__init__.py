"""One module per lever, in stacking order (levers that remove capacity first, pricing last)."""

from apps.recommendations.levers import (
    batching,
    caching,
    commitments,
    idle,
    lanes,
    quantization,
    rightsizing,
    spot,
    tiering,
)

LEVER_MODULES = (
    idle,
    rightsizing,
    caching,
    tiering,
    quantization,
    batching,
    lanes,
    spot,
    commitments,
)
