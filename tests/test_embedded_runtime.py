"""With DATABASE_URL and REDIS_URL unset, costgov boots its own PostgreSQL and Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
from django.db import connection
from django.conf import settings
import redis
from apps.catalog.tasks import price_book_seed_task
with connection.cursor() as cur:
    cur.execute("SELECT current_setting('server_version_num')::int, inet_server_addr()")
    version, addr = cur.fetchone()
print("pg", version >= 150000, addr is None, settings.DATABASES["default"]["HOST"])
print("redis", redis.Redis.from_url(settings.CELERY_BROKER_URL).ping(), settings.CELERY_BROKER_URL)
print("task", price_book_seed_task.delay().get(timeout=90))
"""


def _run(args: list[str], env: dict, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.embedded
def test_embedded_postgres_and_redis_serve_migrate_and_a_real_worker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["COSTGOV_VAR_DIR"] = str(tmp_path / "var")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = None
    try:
        migrate = _run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        assert migrate.returncode == 0, migrate.stderr
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "costgov",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        check = _run(["manage.py", "shell", "-c", CHECK], env)
        assert check.returncode == 0, check.stderr
        lines = dict(
            line.split(" ", 1)
            for line in check.stdout.splitlines()
            if line.split(" ", 1)[0] in {"pg", "redis", "task"}
        )
        # A Unix-socket connection (no TCP address) to a PostgreSQL >= 15 under var/.
        assert lines["pg"].startswith("True True ")
        assert lines["redis"].startswith("True redis://127.0.0.1:")
        assert "'created': 14" in lines["task"]
        assert (tmp_path / "var" / "pgdata" / "PG_VERSION").exists()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        stop = _run(["-m", "costgov.embedded", "stop"], env)
        assert stop.returncode == 0, stop.stderr
