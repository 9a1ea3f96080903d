"""A two-team world allocated for January and February 2024 (hand-computable amounts).

January: rank (search) 10 on its own instance (billed 10, effective 8, list 12, matched by a
catalog resource rule) plus 30% of a 5.6720 pool (2160 of 7200 GPU-seconds), chat (assistant)
the other 70%; tax 1.50 shared in proportion to direct cost; support 0.25 stays unallocated.
February: rank 20 and chat 7 on their own instances.
"""

from datetime import date

from apps.attribution.models import SharedCostRule
from apps.attribution.services.period_allocate import period_allocate
from apps.attribution.tests.builders import line_item, rollup
from apps.catalog.tests.factories import (
    AttributionRuleFactory,
    ModelEndpointFactory,
    PriceBookEntryFactory,
)

JAN = date(2024, 1, 1)
FEB = date(2024, 2, 1)


def reports_world(team_a: object, team_b: object) -> dict:
    """Build and allocate the world; returns its endpoints and teams."""
    PriceBookEntryFactory(instance_type="g5.12xlarge", gpus_per_instance=4)
    rank = ModelEndpointFactory(name="rank", team=team_a)
    chat = ModelEndpointFactory(name="chat", team=team_b)
    AttributionRuleFactory(endpoint=rank, kind="resource", tag_key="", values=[], pattern="i-rank")
    AttributionRuleFactory(endpoint=chat, kind="resource", tag_key="", values=[], pattern="i-chat")
    line_item(cost="10", resource_id="i-rank", effective="8", list_cost="12")
    line_item(cost="5.6720", resource_id="i-pool", instance_type="g5.12xlarge")
    rollup(endpoint=rank, resource_id="i-pool", gpu_seconds="2160", tokens=2000)
    rollup(endpoint=chat, resource_id="i-pool", gpu_seconds="5040", tokens=500)
    line_item(cost="1.50", charge_category="Tax", service_name="Tax", service_category="")
    line_item(cost="0.25", service_name="AWS Support", service_category="")
    SharedCostRule.objects.create(name="tax", match_charge_category="Tax", method="proportional")
    line_item(cost="20", resource_id="i-rank", day=date(2024, 2, 3))
    line_item(cost="7", resource_id="i-chat", day=date(2024, 2, 4))
    period_allocate(period_start=JAN)
    period_allocate(period_start=FEB)
    return {"rank": rank, "chat": chat, "team_a": team_a, "team_b": team_b}
