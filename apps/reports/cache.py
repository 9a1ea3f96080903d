"""Cache of computed report figures (Redis, via Django's cache).

Keys carry a fingerprint of the data the figures come from (``select_data_version.sql``: allocation
runs, budgets, closed statements) and the database name, so a recompute, a budget edit or a close
is visible on the next request. What the fingerprint does not see (late telemetry, a renamed
team) shows after at most ``REPORTS_CACHE_SECONDS`` (0 disables the cache). Access checks always
run before a cached value is used; cached values are scoped by the caller's visible teams.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.common.sql import load_sql

T = TypeVar("T")


def data_version() -> str:
    with connection.cursor() as cur:
        cur.execute(load_sql("reports", "select_data_version"))
        return cur.fetchone()[0]


def cached(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``name`` + ``parts`` + the data version."""
    timeout = settings.REPORTS_CACHE_SECONDS
    if timeout <= 0:
        return compute()
    raw = "|".join(
        [settings.DATABASES["default"]["NAME"], data_version(), *(str(p) for p in parts)]
    )
    key = f"reports:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def scope_key(team_ids: frozenset[int] | None) -> str:
    return "all" if team_ids is None else ",".join(str(t) for t in sorted(team_ids))
