"""Request traffic: per-endpoint plans and per-(day, endpoint) event batches (pure numpy, no ORM).

Every (day, endpoint) pair has its own ``numpy.random.Generator`` seeded with
``[seed, day ordinal, endpoint index]``, consumed hour by hour in a fixed order, so a day can be
generated alone and the output never depends on other days or on how many endpoints came before.

Shape: the mean daily volume of an endpoint is ``requests_per_day * weight / sum(weights)``; it
varies by hour (interactive traffic peaks at 15:00 UTC, batch traffic at night) and by weekday
(weekends 70% of weekdays). Arrivals in an hour are Poisson.

GPU time: ``gpu_ms`` of a request is the accelerator time it held. It is calibrated so that each
endpoint keeps its planned share of the GPUs it runs on busy (``target_utilisation``), whatever
``--requests-per-day`` is, and grows with the request's tokens.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np

from apps.demo.generator.anomalies import RUNAWAY_CUSTOMER, AnomalyPlan
from apps.demo.generator.prices import price_book
from apps.demo.generator.topology import Endpoint, Instance, Topology

LANES = ("interactive", "nearline", "batch")
PROMPTS_PER_ENDPOINT = 2000
CUSTOMERS = 400
HOUR_US = 3_600_000_000
BATCH_BASE = {"interactive": 1, "nearline": 8, "batch": 32}


@dataclass(frozen=True)
class EndpointPlan:
    endpoint: Endpoint
    daily_requests: float
    gpu_ms_mean: float
    lane_p: tuple[float, float, float]
    ttft_ms: float
    tpot_ms: float


@dataclass
class Batch:
    """One endpoint's requests in one hour, as parallel arrays (microseconds from the hour)."""

    endpoint: Endpoint
    us: np.ndarray
    seq0: int
    lane: np.ndarray
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    cached: np.ndarray
    latency: np.ndarray
    ttft: np.ndarray
    queue: np.ndarray
    route: np.ndarray  # index into routes
    routes: tuple[str, ...]
    customer: list[str]
    status: np.ndarray  # 0 ok, 1 error, 2 timeout
    prompt: np.ndarray
    batch_size: np.ndarray
    gpu_ms: np.ndarray
    version: str


def _lane_p(lanes: tuple[str, ...]) -> tuple[float, float, float]:
    if lanes == ("batch",):
        return (0.0, 0.0, 1.0)
    inter = 0.7 if len(lanes) > 1 else 1.0
    return (
        inter,
        (1 - inter) if "nearline" in lanes else 0.0,
        (1 - inter) if "batch" in lanes else 0.0,
    )


def plans_build(*, topo: Topology, requests_per_day: int) -> dict[str, EndpointPlan]:
    total_weight = sum(e.weight for e in topo.endpoints)
    plans: dict[str, EndpointPlan] = {}
    for e in topo.endpoints:
        gpus = 0.0
        for inst in topo.instances:
            if not inst.is_routable or e.name not in inst.endpoints:
                continue
            gpus += inst.gpus / len(inst.endpoints)
        daily = requests_per_day * e.weight / total_weight
        busy_ms = e.target_utilisation * gpus * 86_400_000
        billions = e.family.parameter_count / 1e9
        plans[e.name] = EndpointPlan(
            endpoint=e,
            daily_requests=daily,
            gpu_ms_mean=busy_ms / max(daily, 1.0),
            lane_p=_lane_p(e.lanes),
            ttft_ms=60 + 2.5 * billions,
            tpot_ms=6 + 2.0 * math.sqrt(billions),
        )
    return plans


@lru_cache(maxsize=1 << 16)  # Zipf: a few prompts per endpoint take most requests
def prompt_hash(endpoint: str, index: int) -> str:
    """The hash of one prompt of the endpoint's pool; repeated prompts share it."""
    return hashlib.blake2b(f"{endpoint}:prompt:{index}".encode(), digest_size=8).hexdigest()


def _hour_shape(hour: int, lane_p: tuple[float, float, float], weekday: int) -> float:
    """Relative rate of an hour; averages 1 over a day and over a week."""
    day_curve = 1 + 0.6 * math.cos(2 * math.pi * (hour - 15) / 24)
    night_curve = 1 + 0.5 * math.cos(2 * math.pi * (hour - 2) / 24)
    shape = (lane_p[0] + lane_p[1]) * day_curve + lane_p[2] * night_curve
    week = 1.12 if weekday < 5 else 0.7
    return shape * week


class EndpointDay:
    """Generates one endpoint's requests of one day, hour by hour (call ``hour`` in order 0..23)."""

    def __init__(
        self, *, plan: EndpointPlan, seed: int, day_start: datetime, anomalies: AnomalyPlan
    ) -> None:
        self.plan = plan
        self.rng = np.random.default_rng([seed, day_start.toordinal(), plan.endpoint.index])
        self.seq = 0
        self.anomalies = [a for a in anomalies.anomalies if a.endpoint == plan.endpoint.name]
        self.runaway_routes = anomalies.runaway_instances

    def _active(self, kind: str, instant: datetime) -> float | None:
        for a in self.anomalies:
            if a.kind == kind and a.covers(instant):
                return float(a.factor)
        return None

    def hour(
        self, hour: int, hour_start: datetime, routes: tuple[str, ...], billed: frozenset[str]
    ) -> list[Batch]:
        """The hour's batches: ordinary traffic, plus the runaway job's while it lasts."""
        plan, rng, e = self.plan, self.rng, self.plan.endpoint
        lam = plan.daily_requests / 24 * _hour_shape(hour, plan.lane_p, hour_start.weekday())
        spike = self._active("traffic_spike", hour_start)
        version_factor = self._active("model_version_regression", hour_start)
        version = "v2" if version_factor else "v1"
        n = int(rng.poisson(lam * (spike or 1.0))) if routes else 0
        batches = []
        if n:
            batches.append(
                self._draw(n, routes, spike=spike, factor=version_factor or 1.0, version=version)
            )
        runaway = self._active("runaway_batch", hour_start)
        run_routes = tuple(r for r in self.runaway_routes if r in billed)
        if runaway and run_routes:
            expected = max(40.0, lam * runaway)
            gpus = price_book()[e.instance_type].gpus
            m = int(rng.poisson(expected))
            batch = self._draw(
                m,
                run_routes,
                spike=None,
                factor=version_factor or 1.0,
                version=version,
                runaway_gpu_ms=0.9 * len(run_routes) * gpus * HOUR_US / 1000 / expected,
            )
            batches.append(batch)
        return batches

    def _draw(
        self,
        n: int,
        routes: tuple[str, ...],
        *,
        spike: float | None,
        factor: float,
        version: str,
        runaway_gpu_ms: float | None = None,
    ) -> Batch:
        plan, rng, e = self.plan, self.rng, self.plan.endpoint
        fam = e.family
        us = np.sort(rng.integers(0, HOUR_US, n))
        runaway = runaway_gpu_ms is not None
        lane = np.full(n, 2) if runaway else rng.choice(3, size=n, p=plan.lane_p)
        tin = np.maximum(1, rng.lognormal(math.log(fam.tokens_in), 0.6, n)).astype(np.int64)
        if fam.tokens_out > 1:
            tout = np.maximum(1, rng.lognormal(math.log(fam.tokens_out), 0.5, n)).astype(np.int64)
        else:
            tout = np.ones(n, dtype=np.int64)
        prompt = np.minimum(rng.zipf(1.3, n), PROMPTS_PER_ENDPOINT) - 1
        hit = (prompt < 64) & (rng.random(n) < 0.6)
        cached = np.where(hit, np.maximum(1, (tin * 3) // 4), 0)
        base_batch = np.array([BATCH_BASE[x] for x in LANES])[lane]
        batch_size = base_batch + rng.poisson(base_batch / 2 + 1)
        queue = rng.exponential(400.0 if spike else 8.0, n)
        ttft = queue + plan.ttft_ms * factor * rng.lognormal(0, 0.25, n) * np.where(hit, 0.5, 1.0)
        latency = ttft + tout * plan.tpot_ms * factor * rng.lognormal(0, 0.2, n)
        u = rng.random(n)
        status = np.where(u < 0.008, 1, np.where(u < (0.06 if spike else 0.012), 2, 0))
        token_factor = 0.3 * tin / fam.tokens_in + 0.7 * tout / fam.tokens_out
        mean_gpu = plan.gpu_ms_mean if runaway_gpu_ms is None else runaway_gpu_ms
        gpu_ms = np.maximum(1, mean_gpu * factor * token_factor * rng.lognormal(0, 0.2, n))
        route = rng.integers(0, len(routes), n) if routes else np.zeros(n, dtype=np.int64)
        if runaway_gpu_ms is None:
            cust = np.minimum(rng.zipf(1.5, n), CUSTOMERS)
            customer = [f"cust-{c:04d}" for c in cust.tolist()]
        else:
            customer = [RUNAWAY_CUSTOMER] * n
        batch = Batch(
            endpoint=e,
            us=us,
            seq0=self.seq,
            lane=lane,
            input_tokens=tin,
            output_tokens=tout,
            cached=cached,
            latency=np.rint(latency).astype(np.int64),
            ttft=np.rint(ttft).astype(np.int64),
            queue=np.rint(queue).astype(np.int64),
            route=route,
            routes=routes,
            customer=customer,
            status=status,
            prompt=prompt,
            batch_size=batch_size,
            gpu_ms=np.rint(gpu_ms).astype(np.int64),
            version=version,
        )
        self.seq += n
        return batch


def routes_by_endpoint(
    topo: Topology, billed: dict[str, tuple[Instance, range]]
) -> dict[str, tuple[str, ...]]:
    """Resource ids (in ``billed`` order) that take each endpoint's ordinary traffic today."""
    routes: dict[str, list[str]] = {e.name: [] for e in topo.endpoints}
    for resource, (inst, _) in billed.items():
        if inst.is_routable:
            for name in inst.endpoints:
                routes[name].append(resource)
    return {name: tuple(r) for name, r in routes.items()}
