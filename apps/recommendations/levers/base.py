"""What every lever reads (an endpoint profile) and returns (a projection). Pure code, no ORM.

A lever module exposes ``LEVER`` (a ``Lever`` choice) and
``project(profile, factors, variant) -> Projection | None``: ``None`` when the lever does not
apply. ``variant`` is ``point``, ``pessimistic`` or ``optimistic`` and selects factor values.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

MONTH_DAYS = 30
MONTH_HOURS = Decimal(MONTH_DAYS * 24)
NON_INTERACTIVE = ("nearline", "batch")
BYTES_PER_PARAMETER = {
    "fp32": Decimal(4),
    "fp16": Decimal(2),
    "bf16": Decimal(2),
    "fp8": Decimal(1),
    "int8": Decimal(1),
    "int4": Decimal("0.5"),
}


@dataclass(frozen=True)
class PriceInfo:
    """One price-book entry (prices per instance-hour)."""

    instance_type: str
    gpu_model: str
    gpus_per_instance: int
    gpu_memory_gb: int
    supports_fp8: bool
    on_demand_hourly: Decimal
    spot_hourly: Decimal | None = None
    commit_1y_hourly: Decimal | None = None
    commit_3y_hourly: Decimal | None = None
    source: str = ""
    source_date: str = ""

    def gpu_hourly(self, category: str = "on_demand") -> Decimal | None:
        price = {
            "on_demand": self.on_demand_hourly,
            "spot": self.spot_hourly,
            "commitment": self.commit_1y_hourly,
        }[category]
        return None if price is None else price / self.gpus_per_instance

    def as_json(self) -> dict:
        return {
            "instance_type": self.instance_type,
            "gpu_model": self.gpu_model,
            "gpus_per_instance": self.gpus_per_instance,
            "gpu_memory_gb": self.gpu_memory_gb,
            "supports_fp8": self.supports_fp8,
            "on_demand_hourly": str(self.on_demand_hourly),
            "spot_hourly": None if self.spot_hourly is None else str(self.spot_hourly),
            "commit_1y_hourly": None
            if self.commit_1y_hourly is None
            else str(self.commit_1y_hourly),
            "commit_3y_hourly": None
            if self.commit_3y_hourly is None
            else str(self.commit_3y_hourly),
            "source": self.source,
            "source_date": self.source_date,
        }


@dataclass(frozen=True)
class LaneUsage:
    requests: int = 0
    gpu_seconds: Decimal = Decimal(0)
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class EndpointProfile:
    """An endpoint's configuration and its measured usage and cost over the evidence window.

    ``monthly_cost`` is usage + idle allocated cost over the days with cost, scaled to 30 days;
    ``monthly_idle_cost`` likewise; ``monthly_list_cost`` is the same capacity at public
    on-demand prices (None when unknown). ``hourly_on_demand_cost`` has one entry per hour of the
    window (zero where nothing was billed on demand). ``has_telemetry`` is False when the
    endpoint sent no telemetry (then utilization is unknown).
    """

    endpoint_id: int
    name: str
    team_id: int
    parameter_count: int
    precision: str
    accelerator_type: str
    accelerator_count: int
    instance_type: str
    provider: str
    region: str
    pricing_category: str
    is_interruption_tolerant: bool
    currency: str
    window_start: date
    window_end: date
    days_covered: int
    monthly_cost: Decimal
    monthly_idle_cost: Decimal
    lanes: dict[str, LaneUsage] = field(default_factory=dict)
    monthly_list_cost: Decimal | None = None
    replica_count: Decimal | None = None  # fixed by the what-if calculator before price edits
    latency_ms_sum: int = 0
    duplicate_prompts: int = 0
    active_hours: int = 0
    window_hours: int = 0
    hourly_on_demand_cost: tuple[Decimal, ...] = ()
    price: PriceInfo | None = None
    catalog: tuple[PriceInfo, ...] = ()

    @property
    def requests(self) -> int:
        return sum(lane.requests for lane in self.lanes.values())

    @property
    def gpu_seconds(self) -> Decimal:
        return sum((lane.gpu_seconds for lane in self.lanes.values()), Decimal(0))

    @property
    def has_telemetry(self) -> bool:
        return self.requests > 0

    @property
    def utilization(self) -> Decimal | None:
        """Usage / (usage + idle) allocated cost; None without telemetry or cost."""
        if not self.has_telemetry or self.monthly_cost <= 0:
            return None
        return (self.monthly_cost - self.monthly_idle_cost) / self.monthly_cost

    @property
    def requests_per_day(self) -> Decimal:
        if self.days_covered <= 0:
            return Decimal(0)
        return Decimal(self.requests) / self.days_covered

    def lane_share(self, lanes: tuple[str, ...]) -> Decimal:
        """Share of GPU time spent on ``lanes`` (0 without GPU time)."""
        total = self.gpu_seconds
        if total <= 0:
            return Decimal(0)
        part = sum(
            (self.lanes[lane].gpu_seconds for lane in lanes if lane in self.lanes), Decimal(0)
        )
        return part / total

    @property
    def mean_batch_size(self) -> Decimal | None:
        """Requests served together on average: latency x GPUs per replica / GPU time."""
        gpu_ms = self.gpu_seconds * 1000
        if gpu_ms <= 0 or self.latency_ms_sum <= 0:
            return None
        return Decimal(self.latency_ms_sum) * self.accelerator_count / gpu_ms

    @property
    def replica_hourly(self) -> Decimal | None:
        """On-demand price of one replica (its share of the instance's GPUs) per hour."""
        if self.price is None:
            return None
        return self.price.on_demand_hourly * self.accelerator_count / self.price.gpus_per_instance

    @property
    def current_replica_hourly(self) -> Decimal | None:
        """Price of one replica per hour in its current pricing category."""
        if self.price is None:
            return None
        gpu = self.price.gpu_hourly(self.pricing_category)
        return None if gpu is None else gpu * self.accelerator_count

    @property
    def replicas(self) -> Decimal | None:
        """Average replicas paid for: list (on-demand) cost / (30 days x on-demand replica
        price), which holds whatever discount applies (spot, savings plan); without list cost,
        monthly cost / (30 days x the replica price of its pricing category)."""
        if self.replica_count is not None:
            return self.replica_count
        if self.monthly_list_cost and self.replica_hourly:
            return self.monthly_list_cost / (MONTH_HOURS * self.replica_hourly)
        hourly = self.current_replica_hourly
        if not hourly:
            return None
        return self.monthly_cost / (MONTH_HOURS * hourly)


@dataclass
class Projection:
    """What a lever projects for one variant: the monthly cost after, and why."""

    cost_after: Decimal
    title: str
    confidence: str
    details: dict = field(default_factory=dict)
    risks: dict = field(default_factory=dict)
    prerequisites: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def gpus_needed(
    *, parameters: int, precision: str, gpu_memory_gb: int, headroom: Decimal, usable: Decimal
) -> int:
    """GPUs whose memory holds the weights at ``precision`` times the KV-cache headroom."""
    weights_gb = Decimal(parameters) * BYTES_PER_PARAMETER[precision] / Decimal(10**9)
    return max(1, ceil(weights_gb * headroom / (Decimal(gpu_memory_gb) * usable)))


def fmt(value: Decimal, places: int = 2) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


def one_replica_monthly(profile: EndpointProfile) -> Decimal:
    """Monthly cost of one replica at what the endpoint pays today (cost / replicas), for
    endpoints paying at least one (0 for a share of a pool, which has no floor)."""
    replicas = profile.replicas
    if replicas is None or replicas < 1:
        return Decimal(0)
    return profile.monthly_cost / replicas


def floor_one_replica(
    profile: EndpointProfile, cost_after: Decimal, gpu_ratio: Decimal = Decimal(1)
) -> Decimal:
    """Dedicated capacity never drops below one replica (of ``gpu_ratio`` x today's GPUs).

    Endpoints paying for less than one replica (a share of a pool) have no floor.
    """
    floor = one_replica_monthly(profile) * gpu_ratio
    if floor <= 0:
        return cost_after
    return max(cost_after, min(floor, profile.monthly_cost))


def spot_price_ratio(
    profile: EndpointProfile, factors: object, variant: str
) -> tuple[Decimal, str]:
    """Spot / on-demand price of the endpoint's instance: the price book, else the factor."""
    price = profile.price
    if price is not None and price.spot_hourly is not None and price.on_demand_hourly > 0:
        return price.spot_hourly / price.on_demand_hourly, "price book"
    return Decimal(1) - factors.get("spot.discount_fallback", variant), "spot.discount_fallback"
