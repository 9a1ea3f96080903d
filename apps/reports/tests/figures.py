"""Check that every figure a dashboard shows equals the matching API value, rounded for display."""

import html
import re
from decimal import Decimal

from apps.common.money import round_display

FIGURE = re.compile(r'data-figure="([^"]+)"(?: data-kind="(\w+)")?[^>]*>([^<]*)<')
KEYS = {
    "by_team": "team",
    "by_cost_center": "cost_center",
    "by_category": "category",
    "top_movers": "endpoint",
    "budgets": "budget_id",
    "endpoints": "endpoint",
}


def page_figures(content: str) -> list[tuple[str, str, str]]:
    return [(html.unescape(p), k, html.unescape(t).strip()) for p, k, t in FIGURE.findall(content)]


def api_value(data: dict, path: str) -> str | None:
    parts = path.split("|")
    node: object = data
    if parts[0] in KEYS and len(parts) == 3:
        key = KEYS[parts[0]]
        node = next(row for row in data[parts[0]] if str(row[key]) == parts[1])
        return node[parts[2]]
    for part in parts:
        node = node[part]
    return node


def expected_text(value: str | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "percent":
        return f"{round_display(Decimal(value) * 100)}%"
    if kind == "unit":
        return f"{Decimal(value).quantize(Decimal('0.0001')):,}"
    return f"{round_display(Decimal(value)):,}"


def assert_page_matches_api(content: str, data: dict) -> int:
    figures = page_figures(content)
    assert figures, "the page shows no figures"
    for path, kind, text in figures:
        assert text == expected_text(api_value(data, path), kind), path
    return len(figures)
