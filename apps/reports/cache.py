"""Cache of computed report figures (Redis, via Django's cache).

Keys carry a fingerprint of the data the figures come from (``select_data_version.sql``: allocation
runs, budgets, closed statements) and the database name, so a recompute, a budget edit or a close
is visible within ``REPORTS_VERSION_SECONDS`` (2 by default). What the fingerprint does not see
(late telemetry, a renamed team) shows after at most ``REPORTS_CACHE_SECONDS`` (0 disables the
cache). Access checks always
run before a cached value is used; cached values are scoped by the caller's visible teams.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.common.sql import load_sql

T = TypeVar("T")


_memo: dict[str, tuple[float, str]] = {}
_memo_lock = threading.Lock()


def data_version() -> str:
    """The data fingerprint, re-read at most every ``REPORTS_VERSION_SECONDS`` per process.

    Under load this saves a database round trip on every report request; a change shows after
    at most that many seconds (0 re-reads it every time).
    """
    ttl = settings.REPORTS_VERSION_SECONDS
    name = settings.DATABASES["default"]["NAME"]
    now = time.monotonic()
    if ttl > 0:
        with _memo_lock:
            hit = _memo.get(name)
        if hit is not None and hit[0] > now:
            return hit[1]
    with connection.cursor() as cur:
        cur.execute(load_sql("reports", "select_data_version"))
        version = cur.fetchone()[0]
    if ttl > 0:
        with _memo_lock:
            _memo[name] = (now + ttl, version)
    return version


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
