"""Load SQL files from ``apps/<app>/sql/<name>.sql`` (cached). Values are always bind parameters."""

import logging
import time
from functools import cache
from pathlib import Path

logger = logging.getLogger("costgov.sql")

APPS_DIR = Path(__file__).resolve().parent.parent


@cache
def load_sql(app: str, name: str) -> str:
    path = APPS_DIR / app / "sql" / f"{name}.sql"
    return path.read_text()


def split_statements(script: str) -> list[str]:
    """Split a SQL file into statements at semicolons that end a line.

    SQL files keep one statement per ``;``-terminated block and never end a line with a
    semicolon inside a string or comment, so this simple rule is exact for them.
    """
    statements, current = [], []
    for line in script.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            text = "\n".join(current).strip()
            if any(
                part.strip() and not part.strip().startswith("--") for part in text.splitlines()
            ):
                statements.append(text)
            current = []
    tail = "\n".join(current).strip()
    if any(part.strip() and not part.strip().startswith("--") for part in tail.splitlines()):
        statements.append(tail)
    return statements


def run_sql_file(cursor: object, app: str, name: str, params: dict | None = None) -> None:
    """Execute every statement of ``apps/<app>/sql/<name>.sql`` with the same bind parameters.

    Each statement's wall time is logged at DEBUG on ``costgov.sql`` (bulk paths are tuned by it).
    """
    for number, statement in enumerate(split_statements(load_sql(app, name)), start=1):
        started = time.perf_counter()
        cursor.execute(statement, params or {})
        logger.debug("%s/%s #%d: %.3fs", app, name, number, time.perf_counter() - started)
