from datetime import date, timedelta
from decimal import Decimal

from apps.reports.forecast import forecast_month_end

MARCH = date(2024, 3, 1)


def _series(start: date, days: int, weekday_costs: list[str]) -> dict[date, Decimal]:
    return {
        start + timedelta(days=i): Decimal(weekday_costs[(start + timedelta(days=i)).weekday()])
        for i in range(days)
    }


def test_flat_cost_forecasts_the_daily_rate_times_the_days_left():
    daily = _series(date(2024, 2, 1), 29 + 10, ["10"] * 7)
    actual, forecast = forecast_month_end(daily=daily, month_start=MARCH, as_of=date(2024, 3, 11))
    assert actual == Decimal("100")
    assert forecast == Decimal("310")


def test_weekly_pattern_is_projected_onto_the_remaining_weekdays():
    # Weekdays cost 12, weekends 5: each remaining day gets its own weekday's cost back.
    costs = ["12", "12", "12", "12", "12", "5", "5"]
    daily = _series(date(2024, 2, 1), 29 + 10, costs)
    actual, forecast = forecast_month_end(daily=daily, month_start=MARCH, as_of=date(2024, 3, 11))
    expected_rest = sum(
        (Decimal(costs[(date(2024, 3, 11) + timedelta(days=i)).weekday()]) for i in range(21)),
        Decimal(0),
    )
    assert actual == sum((daily[MARCH + timedelta(days=i)] for i in range(10)), Decimal(0))
    assert abs(forecast - (actual + expected_rest)) < Decimal("1E-20")


def test_a_finished_month_forecasts_its_actual():
    daily = _series(date(2024, 3, 1), 31, ["1"] * 7)
    assert forecast_month_end(daily=daily, month_start=MARCH, as_of=date(2024, 5, 1)) == (
        Decimal(31),
        Decimal(31),
    )


def test_no_history_forecasts_nothing_more():
    assert forecast_month_end(daily={}, month_start=MARCH, as_of=date(2024, 3, 5)) == (0, 0)
