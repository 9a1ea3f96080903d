"""Turn selector dicts into JSON-safe values: Decimals as exact strings (never float), dates ISO."""

from datetime import date
from decimal import Decimal

from apps.reports.statements import dec


def jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
