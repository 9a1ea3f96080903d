"""Per-credential ingest rate limit, counted in Redis (the Django cache)."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.accounts.access import access_for_request

WINDOW_SECONDS = 60


class IngestRateThrottle(BaseThrottle):
    """At most ``TELEMETRY_RATE_LIMIT_PER_MINUTE`` ingest requests per API token (or per user
    for session callers) per clock minute. A fixed window counted with atomic INCR, so every
    gunicorn worker and host shares one count; a refused request gets 429 and Retry-After."""

    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: object) -> bool:
        limit = settings.TELEMETRY_RATE_LIMIT_PER_MINUTE
        if limit <= 0:
            return True
        token = access_for_request(request).token
        ident = f"t{token.pk}" if token is not None else f"u{request.user.pk}"
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"telemetry:ingest-rate:{ident}:{window}"
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        count = cache.incr(key)
        self._wait = WINDOW_SECONDS - (now % WINDOW_SECONDS)
        return count <= limit

    def wait(self) -> float:
        return math.ceil(self._wait)
