"""Typed readers for the environment variables that configure costgov (12-factor).

Every reader raises ``ImproperlyConfigured`` naming the variable when a value cannot be used,
so a bad deployment fails at start-up instead of at the first request.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Django DATABASES entry for a ``postgres://`` URL; PostgreSQL is the only backend."""
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
    return config


def redis_url_checked(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis:// or rediss://, got {scheme!r}."
        )
    return url


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def email_from_url(url: str) -> dict:
    """Django email settings from ``EMAIL_URL``.

    ``smtp://user:pass@host:25``, ``smtp+tls://…:587`` (STARTTLS), ``smtps://…:465`` (implicit TLS),
    ``console://``, ``locmem://``, ``dummy://``. ``?from=ops@example.com`` sets the sender.
    """
    parts = urlsplit(url)
    backend = _EMAIL_BACKENDS.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {parts.scheme!r} is not one of {sorted(_EMAIL_BACKENDS)}."
        )
    query = parse_qs(parts.query)
    settings = {"EMAIL_BACKEND": backend}
    if parts.scheme.startswith("smtp"):
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"EMAIL_URL has an invalid port: {exc}") from exc
        settings |= {
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[parts.scheme],
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_TIMEOUT": 10,
        }
    if "from" in query:
        settings["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return settings


def cron_schedule(name: str, default: str) -> "crontab":  # noqa: F821 (celery imported lazily)
    """A Celery crontab from a five-field cron expression (``minute hour dom month dow``, UTC)."""
    from celery.schedules import crontab

    raw = os.environ.get(name) or default
    fields = raw.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a five-field cron expression.")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid cron expression: {exc}") from exc
