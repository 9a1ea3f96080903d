import pytest
from django.core.exceptions import ImproperlyConfigured

from costgov.env import database_from_url, email_from_url, env_bool, redis_url_checked


def test_database_url_must_be_postgresql():
    config = database_from_url("postgres://u:p@db.internal:5433/costgov")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "costgov")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        database_from_url("sqlite:///tmp/x.db")


def test_redis_url_scheme_is_checked():
    assert redis_url_checked("redis://127.0.0.1:6379/0")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        redis_url_checked("amqp://guest@localhost//")


def test_email_url_variants():
    smtp = email_from_url("smtp+tls://bot%40corp:s3cret@mail.corp:2525?from=costgov@corp")
    assert smtp["EMAIL_HOST"] == "mail.corp"
    assert smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "bot@corp"
    assert smtp["EMAIL_USE_TLS"] is True
    assert smtp["DEFAULT_FROM_EMAIL"] == "costgov@corp"
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_from_url("carrier-pigeon://coop")


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env_bool("DEBUG", default=False)
