"""Load SQL files from ``apps/<app>/sql/<name>.sql`` (cached). Values are always bind parameters."""

from functools import cache
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parent.parent


@cache
def load_sql(app: str, name: str) -> str:
    path = APPS_DIR / app / "sql" / f"{name}.sql"
    return path.read_text()
