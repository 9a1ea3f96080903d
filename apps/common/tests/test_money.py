from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.common.money import parse_money, round_display, split_largest_remainder

CENT = Decimal("0.01")


def test_split_gives_leftover_cents_to_largest_remainders_deterministically():
    assert split_largest_remainder(Decimal("1.00"), [Decimal(1)] * 3, CENT) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    assert split_largest_remainder(Decimal("10.00"), [Decimal(1), Decimal(2)], CENT) == [
        Decimal("3.33"),
        Decimal("6.67"),
    ]


def test_split_of_a_credit_keeps_the_sign():
    assert split_largest_remainder(Decimal("-0.05"), [Decimal(1), Decimal(1)], CENT) == [
        Decimal("-0.03"),
        Decimal("-0.02"),
    ]


def test_zero_weights_split_evenly():
    assert split_largest_remainder(Decimal("0.03"), [Decimal(0)] * 3, CENT) == [CENT] * 3


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
)
def test_split_parts_always_sum_exactly_to_the_total(cents, weights):
    total = Decimal(cents) * CENT
    parts = split_largest_remainder(total, [Decimal(w) for w in weights], CENT)
    assert sum(parts, Decimal(0)) == total
    assert len(parts) == len(weights)
    # No part is more than one quantum away from its exact proportional share.
    weight_sum = sum(weights) or len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * Decimal(weight if sum(weights) else 1) / Decimal(weight_sum)
        assert abs(part - exact) < CENT


def test_parse_money_is_exact_and_rejects_floats_and_garbage():
    assert parse_money(" 0.0827499841274349353 ") == Decimal("0.0827499841274349353")
    with pytest.raises(TypeError):
        parse_money(0.1)
    with pytest.raises(ValueError, match="not a decimal"):
        parse_money("12,5")
    with pytest.raises(ValueError, match="finite"):
        parse_money("NaN")


def test_display_rounding_is_bankers_rounding_to_cents():
    assert round_display(Decimal("2.345")) == Decimal("2.34")
    assert round_display(Decimal("2.355")) == Decimal("2.36")
