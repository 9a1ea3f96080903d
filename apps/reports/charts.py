"""Plotly chart specs as plain dicts (rendered by plotly.js from static/; no CDN).

Values are decimal strings rounded to cents: plotly.js reads numeric strings, so no float is made.
"""

from datetime import date, timedelta

from apps.common.clock import next_month
from apps.common.money import round_display

LAYOUT = {"margin": {"l": 60, "r": 20, "t": 30, "b": 60}, "height": 320}


def _m(value: object) -> str:
    return str(round_display(value))


def _month_axis(month_start: date) -> dict:
    """A date axis spanning the whole month, so a month with few days of data still reads right."""
    last = next_month(month_start) - timedelta(days=1)
    return {"type": "date", "range": [month_start.isoformat(), last.isoformat()]}


def finance_charts(summary: dict) -> dict:
    teams = summary["by_team"]
    budgets = summary["budgets"]
    treemap = [t for t in summary["treemap"] if t["billed_cost"] > 0]
    team_names = sorted({t["team"] for t in treemap})
    return {
        "by_team": {
            "data": [
                {
                    "type": "bar",
                    "name": m.split("_")[0],
                    "x": [t["team"] for t in teams],
                    "y": [_m(t[m]) for t in teams],
                }
                for m in ("billed_cost", "effective_cost", "list_cost")
            ],
            "layout": {**LAYOUT, "title": {"text": "Cost by team"}, "barmode": "group"},
        },
        "daily": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "billed",
                    "x": [d["day"].isoformat() for d in summary["daily"]],
                    "y": [_m(d["billed_cost"]) for d in summary["daily"]],
                }
            ],
            "layout": {
                **LAYOUT,
                "title": {"text": "Daily cost"},
                "xaxis": _month_axis(summary["month"]),
            },
        },
        "treemap": {
            "data": [
                {
                    "type": "treemap",
                    "branchvalues": "remainder",
                    "ids": team_names + [f"{t['team']}/{t['endpoint']}" for t in treemap],
                    "labels": team_names + [t["endpoint"] for t in treemap],
                    "parents": [""] * len(team_names) + [t["team"] for t in treemap],
                    "values": ["0"] * len(team_names) + [_m(t["billed_cost"]) for t in treemap],
                }
            ],
            "layout": {**LAYOUT, "height": 420, "title": {"text": "Team → endpoint"}},
        },
        "categories": {
            "data": [
                {
                    "type": "pie",
                    "labels": [c["category"] for c in summary["by_category"]],
                    "values": [_m(max(c["billed_cost"], 0)) for c in summary["by_category"]],
                }
            ],
            "layout": {**LAYOUT, "title": {"text": "Usage, idle, shared, unallocated"}},
        },
        "billed_effective_list": {
            "data": [
                {
                    "type": "bar",
                    "x": ["list", "effective", "billed"],
                    "y": [
                        _m(summary["totals"][m])
                        for m in ("list_cost", "effective_cost", "billed_cost")
                    ],
                }
            ],
            "layout": {**LAYOUT, "title": {"text": "List vs effective vs billed"}},
        },
        "budgets": {
            "data": [
                {
                    "type": "bar",
                    "name": key,
                    "x": [b["endpoint"] or b["team"] for b in budgets],
                    "y": [_m(b[key]) for b in budgets],
                }
                for key in ("budget", "actual", "forecast")
            ],
            "layout": {
                **LAYOUT,
                "title": {"text": "Budget vs actual vs forecast"},
                "barmode": "group",
            },
        },
    }


def owner_charts(summary: dict) -> dict:
    return {
        "endpoint_daily": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": e["endpoint"],
                    "x": [d["day"].isoformat() for d in e["daily"]],
                    "y": [_m(d["cost"]) for d in e["daily"]],
                }
                for e in summary["endpoints"]
            ],
            "layout": {
                **LAYOUT,
                "title": {"text": "Daily cost per endpoint"},
                "xaxis": _month_axis(summary["month"]),
            },
        },
        "unit_cost": {
            "data": [
                {
                    "type": "bar",
                    "x": [e["endpoint"] for e in summary["endpoints"]],
                    "y": [str(e["cost_per_1k_tokens"] or 0) for e in summary["endpoints"]],
                }
            ],
            "layout": {**LAYOUT, "title": {"text": "Cost per 1k tokens"}},
        },
    }
