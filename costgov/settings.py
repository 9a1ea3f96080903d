"""costgov settings: one module, driven by environment variables (see README "Configuration").

DATABASE_URL / REDIS_URL unset -> embedded PostgreSQL and Redis under var/ (costgov.embedded).
"""

import secrets
from pathlib import Path

from costgov import embedded
from costgov.env import (
    cron_schedule,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url_checked,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    # Self-hosted default: a random key generated once and kept under var/, so sessions survive
    # restarts without anyone having to invent a secret. Production sets SECRET_KEY.
    key_file = embedded.var_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "apps.common",
    "apps.accounts",
    "apps.catalog",
    "apps.billing",
    "apps.telemetry",
    "apps.attribution",
    "apps.reports",
    "apps.demo",
    "apps.recommendations",
    "apps.anomalies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "costgov.urls"
WSGI_APPLICATION = "costgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url) if _database_url else embedded.embedded_database()
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and result store, cache (rate limits) ---------------------------
REDIS_URL = redis_url_checked(env_str("REDIS_URL") or embedded.embedded_redis_url())
CACHES = {
    "default": {
        "BACKEND": "apps.common.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "costgov"),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 3600
CELERY_TASK_SOFT_TIME_LIMIT = 3000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep their database connections between tasks, as web workers do between requests
# (CONN_MAX_AGE, health checks: costgov/celery.py). Celery's Django fixup otherwise opens a new
# PostgreSQL connection for every task: a rollup apply each second paid a fresh backend, its
# catalog caches cold. The fixup still closes them after this many tasks.
CELERY_DB_REUSE_MAX = 1000
# Every periodic task lives here (one place to see what runs when).
CELERY_BEAT_SCHEDULE: dict = {
    # Ingest queues an apply after each commit; this catches up if one was lost.
    "telemetry-rollups-apply": {
        "task": "telemetry.rollups_apply",
        "schedule": 60.0,
    },
    "telemetry-partitions-maintain": {
        "task": "telemetry.partitions_maintain",
        "schedule": 3600.0,
    },
    # Late telemetry and billing restatements: re-allocate this month and last every night.
    "attribution-recent-periods": {
        "task": "attribution.recent_periods_allocate",
        "schedule": cron_schedule("ATTRIBUTION_RECENT_CRON", "30 2 * * *"),
    },
    # Configured cloud billing connections (S3 CUR, BigQuery export): this month and last.
    "billing-connections-pull": {
        "task": "billing.connections_pull",
        "schedule": cron_schedule("BILLING_CONNECTIONS_CRON", "15 4 * * *"),
    },
    # Provider list prices change rarely; weekly, early Monday UTC, providers 30 min apart.
    "catalog.price_import.aws": {
        "task": "catalog.price_import",
        "schedule": cron_schedule("PRICE_IMPORT_AWS_CRON", "17 3 * * mon"),
        "kwargs": {"provider": "aws"},
    },
    # After the nightly re-allocation (02:30) has settled.
    "recommendations-refresh": {
        "task": "recommendations.recommendation_refresh",
        "schedule": cron_schedule("RECOMMENDATIONS_REFRESH_CRON", "15 4 * * *"),
    },
    "catalog.price_import.gcp": {
        "task": "catalog.price_import",
        "schedule": cron_schedule("PRICE_IMPORT_GCP_CRON", "47 3 * * mon"),
        "kwargs": {"provider": "gcp"},
    },
    # Anomaly detection: hourly after the telemetry rollups (minute 20), daily after the
    # nightly billing import and re-allocation (03:30).
    "anomalies-detect-hourly": {
        "task": "anomalies.detect",
        "schedule": cron_schedule("ANOMALY_HOURLY_CRON", "20 * * * *"),
        "kwargs": {"granularity": "hour"},
    },
    "anomalies-detect-daily": {
        "task": "anomalies.detect",
        "schedule": cron_schedule("ANOMALY_DAILY_CRON", "30 3 * * *"),
        "kwargs": {"granularity": "day"},
    },
    "anomalies-deliveries-retry": {
        "task": "anomalies.deliveries_retry",
        "schedule": cron_schedule("ANOMALY_DELIVERY_RETRY_CRON", "*/5 * * * *"),
    },
    # Weekly owner reports go out Monday 08:00-08:59 in each team's time zone: check hourly.
    "reports-weekly-send-due": {
        "task": "reports.weekly_reports_send_due",
        "schedule": cron_schedule("REPORTS_WEEKLY_CRON", "5 * * * *"),
    },
    "reports-budget-alerts": {
        "task": "reports.budget_alerts_check",
        "schedule": cron_schedule("REPORTS_BUDGET_ALERTS_CRON", "20 * * * *"),
    },
}

# --- Billing sources (apps/billing/bigquery.py) ---------------------------------------
# Unset: the public BigQuery API with Application Default Credentials. Set: a local stand-in.
BILLING_BIGQUERY_API_ENDPOINT = env_str("BILLING_BIGQUERY_API_ENDPOINT")
BILLING_BIGQUERY_ANONYMOUS = env_bool("BILLING_BIGQUERY_ANONYMOUS", default=False)

# --- Price-book importers (apps/catalog/services/price_import_*.py) ---------------------
PRICE_IMPORT_AWS_REGIONS = env_list("PRICE_IMPORT_AWS_REGIONS", ["us-east-1"])
PRICE_IMPORT_GCP_REGIONS = env_list("PRICE_IMPORT_GCP_REGIONS", ["us-central1"])
# Unset: the public AWS / Google endpoints. Set: a proxy or a local test server.
PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL = env_str("PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL")
PRICE_IMPORT_AWS_EC2_ENDPOINT_URL = env_str("PRICE_IMPORT_AWS_EC2_ENDPOINT_URL")
PRICE_IMPORT_AWS_MAX_ATTEMPTS = env_int("PRICE_IMPORT_AWS_MAX_ATTEMPTS", 3)
PRICE_IMPORT_GCP_API_ENDPOINT = env_str("PRICE_IMPORT_GCP_API_ENDPOINT")
# Anonymous calls only work against a local catalogue server; Google needs credentials (ADC).
PRICE_IMPORT_GCP_ANONYMOUS = env_bool("PRICE_IMPORT_GCP_ANONYMOUS", default=False)

# --- Recommendations: factor overrides as key=value items (docs/recommendations.md) -----
RECOMMENDATION_FACTORS = env_list("RECOMMENDATION_FACTORS", [])

# --- Auth --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Time: stored and computed in UTC -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: served by whitenoise; plotly.js is vendored under static/ ---------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from static/ too, so a checkout works before collectstatic has run.
WHITENOISE_USE_FINDERS = True

# --- Email -------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = "costgov <costgov@localhost>"
# Absolute links in emails (weekly reports, budget alerts) start with this.
COSTGOV_BASE_URL = env_str("COSTGOV_BASE_URL", "http://127.0.0.1:8000")
# Report figures are cached this many seconds at most (0 disables; see apps/reports/cache.py).
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 300)
# How often each process re-reads the report data fingerprint (seconds; 0: every request).
REPORTS_VERSION_SECONDS = env_int("REPORTS_VERSION_SECONDS", 2)
globals().update(email_from_url(env_str("EMAIL_URL") or "console://"))

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apps.accounts.permissions.HasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "apps.common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "costgov API",
    "DESCRIPTION": "Cost governance and billing intelligence for AI inference.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field name another component also uses are named explicitly, so the
    # published enum names stay stable.
    "ENUM_NAME_OVERRIDES": {
        "RecommendationStatusEnum": "apps.recommendations.choices.Status",
        "KindEnum": "apps.catalog.choices.RuleKind",
        "CloudConnectionKindEnum": "apps.billing.choices.ConnectionKind",
    },
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# --- Anomaly detection (apps/anomalies; per-monitor values override these) ---------------
# An anomaly is outside the band (ANOMALY_BAND_K robust sigmas) AND at least this impact per
# point (money, billing currency) AND at least this relative change.
ANOMALY_MIN_IMPACT_HOURLY = env_str("ANOMALY_MIN_IMPACT_HOURLY", "0.50")
ANOMALY_MIN_IMPACT_DAILY = env_str("ANOMALY_MIN_IMPACT_DAILY", "10.00")
ANOMALY_MIN_RELATIVE_PCT = env_str("ANOMALY_MIN_RELATIVE_PCT", "10")
ANOMALY_BAND_K = env_str("ANOMALY_BAND_K", "4")
# Webhook/Slack/e-mail delivery attempts before a delivery is marked failed.
ANOMALY_DELIVERY_MAX_ATTEMPTS = env_int("ANOMALY_DELIVERY_MAX_ATTEMPTS", 5)
# Link to the anomaly page in alerts.
COSTGOV_BASE_URL = env_str("COSTGOV_BASE_URL", "http://127.0.0.1:8000")

COSTGOV_UPLOAD_DIR = Path(env_str("COSTGOV_UPLOAD_DIR") or BASE_DIR / "var" / "uploads")
COSTGOV_MAX_UPLOAD_BYTES = env_int("COSTGOV_MAX_UPLOAD_BYTES", 2 * 1024**3)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024**2)

# --- Attribution ------------------------------------------------------------------------
# PostgreSQL work_mem for an allocation run's transaction (sorts and hashes of the splits).
ATTRIBUTION_WORK_MEM = env_str("ATTRIBUTION_WORK_MEM", "64MB")

# --- Telemetry ingestion ---------------------------------------------------------------
# Largest request body (and largest body after gzip decoding) accepted by the ingest APIs.
TELEMETRY_MAX_BODY_BYTES = env_int("TELEMETRY_MAX_BODY_BYTES", 16 * 1024**2)
# Ingest requests per API token (or user) per minute; 0 disables the limit.
TELEMETRY_RATE_LIMIT_PER_MINUTE = env_int("TELEMETRY_RATE_LIMIT_PER_MINUTE", 600)
# Raw events older than this many UTC days are rejected and their partitions dropped.
TELEMETRY_RETENTION_DAYS = env_int("TELEMETRY_RETENTION_DAYS", 90)
# Daily partitions created ahead of today by the maintenance task.
TELEMETRY_PARTITIONS_AHEAD_DAYS = env_int("TELEMETRY_PARTITIONS_AHEAD_DAYS", 3)
# How long after an ingest commits its rollup apply starts: every batch committed in that
# window is added by the same apply (one upsert per rollup key), so this is the rollups' lag.
TELEMETRY_ROLLUP_APPLY_DELAY_MS = env_int("TELEMETRY_ROLLUP_APPLY_DELAY_MS", 1000)
