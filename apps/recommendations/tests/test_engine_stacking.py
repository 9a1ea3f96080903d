from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.recommendations.choices import Lever
from apps.recommendations.engine import STACK_ORDER, clamp_savings, endpoint_assess, plan_stack
from apps.recommendations.levers import LEVER_MODULES
from apps.recommendations.levers.base import LaneUsage
from apps.recommendations.tests.profiles import G5_12XL, P4D, factors, profile

money = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
ratio = st.decimals(min_value=-1, max_value=3, places=4, allow_nan=False, allow_infinity=False)


def test_plan_applies_levers_in_sequence_on_the_remaining_cost():
    # right-sizing halves 1000 -> 500; caching 0.8 of 500 -> 400; commitment 0.9 -> 360.
    steps = plan_stack(
        Decimal(1000),
        {
            Lever.COMMITMENT: Decimal("0.9"),
            Lever.RIGHT_SIZING: Decimal("0.5"),
            Lever.RESPONSE_CACHING: Decimal("0.8"),
        },
    )
    assert [(s.lever, s.savings) for s in steps] == [
        (Lever.RIGHT_SIZING, Decimal("500.0")),
        (Lever.RESPONSE_CACHING, Decimal("100.00")),
        (Lever.COMMITMENT, Decimal("40.000")),
    ]


def test_spot_excludes_lanes_and_commitment_and_scale_to_zero_excludes_all():
    steps = plan_stack(
        Decimal(100),
        {Lever.SPOT: Decimal("0.4"), Lever.COMMITMENT: Decimal("0.7"), Lever.PRIORITY_LANES: 1},
    )
    assert [s.lever for s in steps] == [Lever.SPOT]
    steps = plan_stack(Decimal(100), {Lever.SCALE_TO_ZERO: Decimal("0.1"), Lever.SPOT: 0})
    assert [s.lever for s in steps] == [Lever.SCALE_TO_ZERO]


def test_capacity_levers_stop_at_one_replica_but_pricing_levers_go_below():
    # 1000 with a 400 floor: right-sizing 0.3 -> 400 (not 300); caching 0.5 -> stays 400;
    # commitment 0.9 -> 360.
    steps = plan_stack(
        Decimal(1000),
        {
            Lever.RIGHT_SIZING: Decimal("0.3"),
            Lever.RESPONSE_CACHING: Decimal("0.5"),
            Lever.COMMITMENT: Decimal("0.9"),
        },
        floor=Decimal(400),
    )
    assert [s.cost_after for s in steps] == [Decimal(400), Decimal(400), Decimal("360.0")]


@settings(max_examples=200, deadline=None)
@given(cost=money, ratios=st.dictionaries(st.sampled_from(STACK_ORDER), ratio), floor=money)
def test_stacked_savings_never_exceed_the_cost_and_are_never_negative(cost, ratios, floor):
    steps = plan_stack(cost, ratios, floor=floor)
    total = sum((s.savings for s in steps), Decimal(0))
    assert all(s.savings >= 0 for s in steps)
    assert 0 <= total <= cost
    if steps:
        assert steps[-1].cost_after == cost - total


@settings(max_examples=200, deadline=None)
@given(cost=money, after=st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_clamped_savings_stay_between_zero_and_the_cost(cost, after):
    assert 0 <= clamp_savings(cost, after) <= cost


@settings(max_examples=40, deadline=None)
@given(
    cost=st.decimals(min_value=1, max_value=10**6, places=2),
    idle_share=st.decimals(min_value=0, max_value=1, places=3),
    interactive=st.integers(min_value=0, max_value=10**6),
    batch=st.integers(min_value=0, max_value=10**6),
    duplicates=st.integers(min_value=0, max_value=10**6),
    active_hours=st.integers(min_value=0, max_value=720),
    precision=st.sampled_from(["fp32", "fp16", "bf16", "int8"]),
    big=st.booleans(),
)
def test_every_lever_on_random_endpoints_saves_between_zero_and_the_cost(
    cost, idle_share, interactive, batch, duplicates, active_hours, precision, big
):
    lanes = {
        "interactive": LaneUsage(requests=interactive, gpu_seconds=Decimal(interactive)),
        "batch": LaneUsage(requests=batch, gpu_seconds=Decimal(batch) / 3),
    }
    shape = (
        {"accelerator_count": 8, "price": P4D, "parameter_count": 70 * 10**9}
        if big
        else {"accelerator_count": 4, "price": G5_12XL}
    )
    prof = profile(
        monthly_cost=cost,
        monthly_idle_cost=cost * idle_share,
        lanes=lanes,
        duplicate_prompts=min(duplicates, interactive + batch),
        active_hours=active_hours,
        precision=precision,
        hourly_on_demand_cost=(cost / 720,) * 720,
        **shape,
    )
    proposals = endpoint_assess(prof, factors())
    for p in proposals:
        assert 0 <= p.savings_low <= p.savings_monthly <= p.savings_high <= cost
        assert p.projected_monthly_cost == cost - p.savings_monthly
    steps = plan_stack(cost, {p.lever: p.cost_ratio for p in proposals})
    assert 0 <= sum((s.savings for s in steps), Decimal(0)) <= cost


def test_every_lever_has_its_own_module_in_stacking_order():
    assert {m.LEVER for m in LEVER_MODULES} == set(Lever.values)
    assert STACK_ORDER[0] == Lever.SCALE_TO_ZERO
    assert STACK_ORDER[-1] == Lever.COMMITMENT


def test_evidence_names_every_factor_used_with_its_source():
    proposals = endpoint_assess(profile(duplicate_prompts=900), factors())
    caching = next(p for p in proposals if p.lever == Lever.RESPONSE_CACHING)
    used = caching.evidence["factors"]
    assert used["caching.servable_share"]["value"] == "0.5"
    assert used["caching.servable_share"]["source"] == "costgov assumption"
    assert caching.evidence["usage"]["duplicate_prompts"] == 900
    assert caching.evidence["price"]["on_demand_hourly"] == "1.0"
