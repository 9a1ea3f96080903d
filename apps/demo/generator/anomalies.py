"""Injected anomalies and their ground truth (pure code, no ORM).

Each anomaly is placed at a fixed fraction of the period, on an endpoint chosen by rule (not by
chance), so a label always points at data that exists. Kinds:

- ``traffic_spike``: one interactive dedicated endpoint gets ``factor`` x its request rate for three
  hours; queues grow. Root cause: the endpoint.
- ``model_version_regression``: a shared-node endpoint switches from ``v1`` to ``v2`` at
  00:00; every v2 request takes ``factor`` x the latency and GPU time, so its cost per token
  rises. Root cause: ``model_version=v2``.
- ``runaway_batch``: a batch endpoint gets a flood of batch requests from one customer for ten
  hours, served by two extra (spot) instances launched for the window. Root cause: the customer.
- ``idle_replica``: an extra replica of a dedicated endpoint is launched and never receives traffic
  until the end of the period. Root cause: its resource id.
- ``pricing_change``: the on-demand hourly rate of one instance type rises by ``factor`` from 00:00
  to the end of the period. Root cause: the instance type.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from apps.demo.generator.topology import Instance, Topology, _instance

MIN_DAYS = 4
RUNAWAY_CUSTOMER = "cust-batch-etl"


@dataclass(frozen=True)
class Anomaly:
    id: str
    kind: str
    start: datetime
    end: datetime
    endpoint: str | None
    resource_id: str | None
    instance_type: str | None
    dimension: str
    value: str
    factor: Decimal
    description: str

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def as_label(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "resource_id": self.resource_id,
            "instance_type": self.instance_type,
            "start": self.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": self.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "root_cause": {"dimension": self.dimension, "value": self.value},
            "factor": str(self.factor),
            "description": self.description,
        }


@dataclass(frozen=True)
class AnomalyPlan:
    anomalies: tuple[Anomaly, ...]
    extra_instances: tuple[Instance, ...]
    runaway_instances: tuple[str, ...]  # resource ids that serve the runaway traffic only

    def of_kind(self, kind: str) -> Anomaly | None:
        return next((a for a in self.anomalies if a.kind == kind), None)


def _day(period_start: datetime, days: int, fraction: float, last: int) -> datetime:
    return period_start + timedelta(days=max(1, min(int(days * fraction), days - last)))


def anomalies_plan(*, topo: Topology, period_start: datetime, days: int) -> AnomalyPlan:
    """Place the five anomalies; a period shorter than ``MIN_DAYS`` days gets none."""
    if days < MIN_DAYS:
        return AnomalyPlan(anomalies=(), extra_instances=(), runaway_instances=())
    end = period_start + timedelta(days=days)
    eps = topo.endpoints
    dedicated = [e for e in eps if e.hosting == "dedicated" and "interactive" in e.lanes]
    shared = [e for e in eps if e.hosting == "shared"]
    batch = [e for e in eps if e.hosting == "dedicated" and "batch" in e.lanes]
    idle_ep = dedicated[0]
    spike_ep = dedicated[1] if len(dedicated) > 1 else dedicated[0]
    regress_ep = shared[0]
    batch_ep = batch[0]
    on_demand_types = sorted({e.instance_type for e in eps if e.pricing_category == "on_demand"})
    price_type = "g6.xlarge" if "g6.xlarge" in on_demand_types else on_demand_types[0]

    items: list[Anomaly] = []
    extra: list[Instance] = []

    idle_start = _day(period_start, days, 0.3, 2) + timedelta(hours=10)
    idle = _instance(
        seed=topo.seed,
        name=f"{idle_ep.name}-replica-forgotten",
        instance_type=idle_ep.instance_type,
        pricing=idle_ep.pricing_category,
        endpoints=(),
        owner=idle_ep.name,
        pool=None,
        team=idle_ep.team,
        tagged=idle_ep.is_tagged,
        start=idle_start,
        is_routable=False,
    )
    extra.append(idle)
    items.append(
        Anomaly(
            id="a1-idle-replica",
            kind="idle_replica",
            start=idle_start,
            end=end,
            endpoint=idle_ep.name,
            resource_id=idle.resource_id,
            instance_type=idle.instance_type,
            dimension="resource_id",
            value=idle.resource_id,
            factor=Decimal(1),
            description="An extra replica is billed every hour but serves no requests.",
        )
    )

    price_start = _day(period_start, days, 0.4, 2)
    items.append(
        Anomaly(
            id="a2-pricing-change",
            kind="pricing_change",
            start=price_start,
            end=end,
            endpoint=None,
            resource_id=None,
            instance_type=price_type,
            dimension="instance_type",
            value=price_type,
            factor=Decimal("1.15"),
            description=f"The on-demand hourly rate of {price_type} rises by 15%.",
        )
    )

    regress_start = _day(period_start, days, 0.55, 1)
    items.append(
        Anomaly(
            id="a3-model-version",
            kind="model_version_regression",
            start=regress_start,
            end=end,
            endpoint=regress_ep.name,
            resource_id=None,
            instance_type=regress_ep.instance_type,
            dimension="model_version",
            value="v2",
            factor=Decimal("1.6"),
            description="Model version v2 needs 1.6x the latency and GPU time per token of v1.",
        )
    )

    spike_start = _day(period_start, days, 0.7, 1) + timedelta(hours=14)
    items.append(
        Anomaly(
            id="a4-traffic-spike",
            kind="traffic_spike",
            start=spike_start,
            end=spike_start + timedelta(hours=3),
            endpoint=spike_ep.name,
            resource_id=None,
            instance_type=spike_ep.instance_type,
            dimension="endpoint",
            value=spike_ep.name,
            factor=Decimal(8),
            description="Requests arrive at 8x the usual rate for three hours.",
        )
    )

    runaway_start = _day(period_start, days, 0.8, 2) + timedelta(hours=20)
    runaway_end = runaway_start + timedelta(hours=10)
    runaway = [
        replace(
            _instance(
                seed=topo.seed,
                name=f"{batch_ep.name}-runaway-{n + 1}",
                instance_type=batch_ep.instance_type,
                pricing=batch_ep.pricing_category,
                endpoints=(batch_ep.name,),
                owner=batch_ep.name,
                pool=None,
                team=batch_ep.team,
                tagged=batch_ep.is_tagged,
            ),
            start=runaway_start,
            end=runaway_end,
            is_routable=False,
        )
        for n in range(2)
    ]
    extra.extend(runaway)
    items.append(
        Anomaly(
            id="a5-runaway-batch",
            kind="runaway_batch",
            start=runaway_start,
            end=runaway_end,
            endpoint=batch_ep.name,
            resource_id=None,
            instance_type=batch_ep.instance_type,
            dimension="customer",
            value=RUNAWAY_CUSTOMER,
            factor=Decimal(12),
            description=(
                "One customer's batch job floods the endpoint; two extra instances scale out."
            ),
        )
    )
    return AnomalyPlan(
        anomalies=tuple(sorted(items, key=lambda a: (a.start, a.id))),
        extra_instances=tuple(extra),
        runaway_instances=tuple(i.resource_id for i in runaway),
    )
