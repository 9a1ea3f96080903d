from decimal import Decimal

import pytest

from apps.catalog.tests.factories import ModelEndpointFactory
from apps.recommendations.models import Recommendation
from apps.recommendations.services.recommendation_refresh import recommendation_refresh
from apps.recommendations.services.recommendation_transition import recommendation_transition
from apps.recommendations.tests.factories import allocate, endpoint_days, now_after, price_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(team_a: object) -> object:
    """14 days of two replicas (48.00/day -> 1440/month), 12.5% used, 300 requests/day."""
    price_book()
    ep = ModelEndpointFactory(name="search-llm", team=team_a)
    ModelEndpointFactory(name="unused-llm", team=team_a)  # no cost in the window
    endpoint_days(ep, first=1, last=14)
    allocate()
    return ep


def _by_lever(endpoint: object) -> dict[str, Recommendation]:
    return {r.lever: r for r in Recommendation.objects.filter(endpoint=endpoint)}


def test_refresh_creates_one_open_recommendation_per_applicable_lever(endpoint):
    result = recommendation_refresh(now=now_after(19))
    recs = _by_lever(endpoint)
    # Utilization 6 / 48 = 0.125 (one replica idle, the other used 21600 of 86400 GPU-s).
    # right-sizing: 2 x 0.125 / 0.6 = 0.42 GPUs -> 1 replica: 1440 -> 720.
    # batching: 1440 / 3 = 480, floored at one replica (720). tiering: 259.20. quantization:
    # 1440 / 1.2 -> 240. No caching (no duplicates), spot (interactive), commitment (14 days).
    assert set(recs) == {"right_sizing", "batching", "model_tiering", "quantization"}
    assert result.created == 4
    assert result.endpoints == 2  # the endpoint without cost is assessed and gets nothing
    sizing = recs["right_sizing"]
    assert sizing.status == "open"
    assert sizing.current_monthly_cost == Decimal("1440")
    assert sizing.savings_monthly == Decimal("720")
    assert sizing.projected_monthly_cost == Decimal("720")
    assert recs["model_tiering"].savings_monthly == Decimal("259.2")
    assert recs["quantization"].savings_monthly == Decimal("240")
    assert sizing.evidence["cost"]["utilization"] == "0.1250"
    assert sizing.evidence["usage"]["requests"] == 14 * 300
    assert sizing.evidence["factors"]["rightsizing.target_utilization"]["value"] == "0.6"
    assert sizing.risks["latency"]
    assert sizing.steps
    assert sizing.prerequisites


def test_second_refresh_on_the_same_data_changes_nothing(endpoint):
    recommendation_refresh(now=now_after(19))
    before = list(Recommendation.objects.order_by("id").values())
    result = recommendation_refresh(now=now_after(19))
    assert (result.created, result.updated, result.removed) == (0, 0, 0)
    assert result.unchanged == 4
    assert list(Recommendation.objects.order_by("id").values()) == before


def _dismiss(rec: Recommendation) -> None:
    recommendation_transition(
        recommendation_id=rec.id, status="dismissed", user=None, now=now_after(19), reason="no"
    )


def test_dismissed_stays_dismissed_when_savings_grow_less_than_a_quarter(endpoint):
    recommendation_refresh(now=now_after(19))
    _dismiss(_by_lever(endpoint)["model_tiering"])
    # Three more days at a higher cost: 17 days, monthly cost 1440 -> (672 + 3 x 60) x 30/17
    # = 1503.53, tiering savings 259.20 -> 270.64 (+4%).
    endpoint_days(endpoint, first=15, last=17)
    allocate()
    recommendation_refresh(now=now_after(19))
    tiering = _by_lever(endpoint)["model_tiering"]
    assert tiering.status == "dismissed"
    assert tiering.savings_monthly == Decimal("259.2")


def test_dismissed_reopens_when_savings_grow_by_more_than_a_quarter(endpoint):
    recommendation_refresh(now=now_after(19))
    _dismiss(_by_lever(endpoint)["right_sizing"])
    # 14 more days with four replicas: cost per day doubles, right-sizing saves far more.
    endpoint_days(endpoint, first=15, last=28, replicas=4)
    allocate()
    result = recommendation_refresh(now=now_after(29))
    sizing = _by_lever(endpoint)["right_sizing"]
    assert result.reopened == 1
    assert sizing.status == "open"
    assert sizing.savings_monthly > Decimal("720") * Decimal("1.25")
    assert sizing.evidence["reopened_after_dismissal"]["reason"] == "no"


def test_dismissed_reopens_when_the_endpoint_configuration_changes(endpoint):
    recommendation_refresh(now=now_after(19))
    _dismiss(_by_lever(endpoint)["batching"])
    endpoint.is_interruption_tolerant = True
    endpoint.save()
    recommendation_refresh(now=now_after(19))
    assert _by_lever(endpoint)["batching"].status == "open"


def test_open_recommendation_that_no_longer_applies_is_removed_but_accepted_one_is_kept(
    endpoint,
):
    recommendation_refresh(now=now_after(19))
    recommendation_transition(
        recommendation_id=_by_lever(endpoint)["right_sizing"].id,
        status="accepted",
        user=None,
        now=now_after(19),
    )
    endpoint.precision = "int8"
    endpoint.parameter_count = 1_000_000_000
    endpoint.save()
    result = recommendation_refresh(now=now_after(19))
    recs = _by_lever(endpoint)
    assert "quantization" not in recs
    assert "model_tiering" not in recs
    assert result.removed == 2
    assert recs["right_sizing"].status == "accepted"


def test_retiring_an_endpoint_removes_its_open_recommendations(endpoint):
    recommendation_refresh(now=now_after(19))
    endpoint.is_active = False
    endpoint.save()
    result = recommendation_refresh(now=now_after(19))
    assert result.removed == 4
    assert not Recommendation.objects.filter(endpoint=endpoint).exists()
