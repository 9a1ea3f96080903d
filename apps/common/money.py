"""Money: Decimal end to end. One column type, one rounding rule, exact splits."""

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import models

MONEY_MAX_DIGITS = 24
MONEY_DECIMAL_PLACES = 10
# Statements and displays round once, here: cents, banker's rounding (IEEE 754 default,
# unbiased over many lines).
DISPLAY_QUANTUM = Decimal("0.01")
ROUNDING = ROUND_HALF_EVEN
STORAGE_QUANTUM = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)


def money_field(**kwargs: object) -> models.DecimalField:
    """The one money column type: NUMERIC(24, 10). Put a ``currency`` column beside it."""
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    return models.DecimalField(**kwargs)


def currency_field(**kwargs: object) -> models.CharField:
    """ISO 4217 currency code."""
    kwargs.setdefault("max_length", 3)
    return models.CharField(**kwargs)


def parse_money(text: str) -> Decimal:
    """Parse a money cell written as text. Raises ValueError with the offending text."""
    if isinstance(text, float):
        raise TypeError("money must not be parsed from float")
    cleaned = str(text).strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def round_display(value: Decimal) -> Decimal:
    return value.quantize(DISPLAY_QUANTUM, rounding=ROUNDING)


def split_largest_remainder(
    total: Decimal, weights: Sequence[Decimal], quantum: Decimal = STORAGE_QUANTUM
) -> list[Decimal]:
    """Split ``total`` into parts proportional to ``weights`` that sum to ``total`` exactly.

    Each part is truncated to ``quantum``; the leftover quanta go one each to the parts with the
    largest remainders (ties: the earlier index), so the result is deterministic. Zero total
    weight splits evenly. Negative totals (credits) split the same way by magnitude.
    """
    if not weights:
        raise ValueError("cannot split over zero weights")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    units = int((magnitude / quantum).to_integral_value(rounding=ROUNDING))
    if Decimal(units) * quantum != magnitude:
        raise ValueError(f"total {total} is finer than the quantum {quantum}")
    exact = [Decimal(units) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]
    leftover = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [sign * Decimal(n) * quantum for n in floors]
