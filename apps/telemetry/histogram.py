"""Fixed latency buckets shared by the SQL rollups and the percentile estimates.

Bucket 0 holds [0, 1) ms, bucket i holds [BOUNDS[i-1], BOUNDS[i]) ms, the last bucket holds
everything from 300 s up. The bounds step by about 1.5x, so an estimated percentile is within
one bucket (at most ~50 % relative, usually far less after interpolation) of the true value.
The same bounds are written into the ``width_bucket`` call of
``sql/add_events_to_rollups.sql``, which fills the rollups; a test keeps the two equal.
"""

from bisect import bisect_right
from collections.abc import Sequence

LATENCY_BUCKET_BOUNDS_MS: tuple[int, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
    1000, 1500, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000, 50000, 70000,
    100000, 150000, 200000, 300000,
)  # fmt: skip
BUCKET_COUNT = len(LATENCY_BUCKET_BOUNDS_MS) + 1


def latency_bucket(latency_ms: int) -> int:
    """The bucket index of one latency (same answer as SQL ``width_bucket``)."""
    return bisect_right(LATENCY_BUCKET_BOUNDS_MS, latency_ms)


def percentile_ms(histogram: Sequence[int], quantile: float) -> float | None:
    """Estimate a latency percentile from bucket counts, interpolating inside the bucket.

    Returns None for an empty histogram. Values in the open-ended last bucket are reported as
    its lower bound (a floor, not an estimate).
    """
    total = sum(histogram)
    if total == 0:
        return None
    rank = quantile * total
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            lower = 0 if index == 0 else LATENCY_BUCKET_BOUNDS_MS[index - 1]
            if index >= len(LATENCY_BUCKET_BOUNDS_MS):
                return float(lower)
            upper = LATENCY_BUCKET_BOUNDS_MS[index]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return float(LATENCY_BUCKET_BOUNDS_MS[-1])
