"""Month-end cost forecast with weekly seasonality. Pure code: Decimal in, Decimal out.

Method (see docs/reports.md):

1. ``actual`` is the cost of the month's complete days, ``[month_start, as_of)``.
2. The history is the last 28 complete days before ``as_of`` (four of each weekday; it may reach
   into the previous month). Days absent from ``daily`` are left out.
3. Weekday factors: mean cost of each weekday over the history divided by the mean of all 28
   days (1 for every weekday when the history is empty or sums to zero).
4. Level: the mean of the last 7 days of history (one of each weekday, so already deseasonalised);
   with fewer than 7 days of history, the mean of what there is.
5. Each remaining day of the month is forecast as ``level x factor[weekday]``; the month-end
   forecast is ``actual + sum(remaining)``. A month already over equals its actual.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from apps.common.clock import next_month

HISTORY_DAYS = 28


def forecast_month_end(
    *, daily: Mapping[date, Decimal], month_start: date, as_of: date
) -> tuple[Decimal, Decimal]:
    """``(actual, forecast)`` for the month starting ``month_start``, seen on day ``as_of``."""
    month_end = next_month(month_start)
    cutoff = min(max(as_of, month_start), month_end)
    actual = sum(
        (v for d, v in daily.items() if month_start <= d < cutoff),
        Decimal(0),
    )
    if cutoff >= month_end:
        return actual, actual
    history_start = cutoff - timedelta(days=HISTORY_DAYS)
    history = [
        (history_start + timedelta(days=i), daily.get(history_start + timedelta(days=i)))
        for i in range(HISTORY_DAYS)
    ]
    known = [(d, v) for d, v in history if v is not None]
    if not known:
        return actual, actual
    overall_mean = sum((v for _, v in history if v is not None), Decimal(0)) / len(known)
    factors = dict.fromkeys(range(7), Decimal(1))
    if overall_mean != 0 and len(known) >= 7:
        for weekday in range(7):
            values = [v for d, v in known if d.weekday() == weekday]
            if values:
                factors[weekday] = (sum(values, Decimal(0)) / len(values)) / overall_mean
    recent = [v for d, v in known if d >= cutoff - timedelta(days=7)] or [v for _, v in known]
    level = sum(recent, Decimal(0)) / len(recent)
    remaining = sum(
        (
            level * factors[(cutoff + timedelta(days=i)).weekday()]
            for i in range((month_end - cutoff).days)
        ),
        Decimal(0),
    )
    return actual, actual + remaining
