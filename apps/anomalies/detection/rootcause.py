"""Ranked contributors of an anomaly (pure pandas, no ORM).

Input: long rows ``(dimension, value, ts, amount)`` for the anomalous window and for a reference
window (the same hours 1..7 days earlier, the detector's own baseline), ``reference_days`` the
number of reference copies. Per dimension the expected amount of each value is its reference
total / ``reference_days``. Values are scored as in Adtributor (Bhagwan et al., NSDI 2014):

- **explanatory power** ``EP = (actual_v - expected_v) / (actual - expected)``: the share of the
  delta the value carries;
- **surprise** ``S``: the Jensen-Shannon term between the value's expected and actual share of
  its dimension: a value whose share moved is surprising, one that grew in step with everything
  else is not (so an endpoint whose every customer costs 15% more names no customer).

Candidates need ``EP >= min_ep``; they are ranked by surprise, then EP. A change that moves no
share inside the series (a uniform price change, a spread-out traffic surge) has no surprising
value: the series itself is then the root cause, and is ranked first.
"""

import math

import pandas as pd

MIN_EP = 0.2
MIN_SURPRISE = 0.005


def _js_term(p: float, q: float) -> float:
    m = (p + q) / 2
    total = 0.0
    if p > 0:
        total += 0.5 * p * math.log(p / m)
    if q > 0:
        total += 0.5 * q * math.log(q / m)
    return total


def rank_contributors(
    actual: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    reference_days: int,
    series_dimension: str,
    series_value: str,
    limit: int = 8,
) -> list[dict]:
    """Ranked ``{dimension, value, expected, actual, delta, share_of_delta, surprise}`` rows."""
    a = actual.groupby(["dimension", "value"])["amount"].sum()
    f = reference.groupby(["dimension", "value"])["amount"].sum() / max(reference_days, 1)
    both = pd.concat([a.rename("actual"), f.rename("expected")], axis=1).fillna(0.0)
    results: list[dict] = []
    total_delta = None
    for dimension, rows in both.groupby(level=0):
        total_a, total_f = rows["actual"].sum(), rows["expected"].sum()
        delta = total_a - total_f
        if total_delta is None or abs(delta) > abs(total_delta):
            total_delta = delta
        if abs(delta) < 1e-12 or total_a <= 0 and total_f <= 0:
            continue
        for (_, value), row in rows.iterrows():
            ep = (row["actual"] - row["expected"]) / delta
            p = row["expected"] / total_f if total_f > 0 else 0.0
            q = row["actual"] / total_a if total_a > 0 else 0.0
            surprise = _js_term(p, q)
            if ep >= MIN_EP and surprise >= MIN_SURPRISE and value not in ("", None):
                results.append(
                    {
                        "dimension": dimension,
                        "value": value,
                        "expected": row["expected"],
                        "actual": row["actual"],
                        "delta": row["actual"] - row["expected"],
                        "share_of_delta": ep,
                        "surprise": surprise,
                    }
                )
    results.sort(key=lambda r: (-r["surprise"], -r["share_of_delta"]))
    whole = {
        "dimension": series_dimension,
        "value": series_value,
        "expected": None,
        "actual": None,
        "delta": total_delta,
        "share_of_delta": 1.0,
        "surprise": 0.0,
    }
    # The series itself leads when no value inside it moved its share (see module docstring).
    return ([*results, whole] if results else [whole])[:limit]
