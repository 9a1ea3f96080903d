"""The demo world: teams, endpoints, the instances that serve them, users (pure code, no ORM).

Everything is derived from ``(seed, teams, endpoints)`` with a string-seeded ``random.Random``,
so the same arguments always give the same world. Instance ids are hashes of the seed and the
instance name, so they are stable too.

Hosting: about a third of the endpoints are small models packed onto *shared* multi-GPU nodes
(pools of one or two nodes, tagged ``costgov:pool`` but with no endpoint tag; telemetry tells who
used them). The others run on *dedicated* replicas tagged ``costgov:endpoint``, except endpoints
with a tagging gap, whose replicas carry no endpoint tag and are found by resource-id rules.
Batch-only endpoints run on spot capacity.
"""

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import datetime

from apps.demo.generator.prices import price_book

PAYER_ACCOUNT = "111122223333"
PROD_ACCOUNT = "444455556666"
PLATFORM_ACCOUNT = "777788889999"
REGION = "us-east-1"
ENDPOINT_TAG = "costgov:endpoint"
POOL_TAG = "costgov:pool"

TEAM_NAMES = (
    ("search", "America/New_York"),
    ("assistant", "America/Los_Angeles"),
    ("ads", "Europe/London"),
    ("support", "Europe/Berlin"),
    ("vision", "Asia/Tokyo"),
    ("risk", "Asia/Kolkata"),
    ("docs", "America/Chicago"),
    ("voice", "Europe/Paris"),
    ("growth", "America/Sao_Paulo"),
    ("code", "Australia/Sydney"),
)


@dataclass(frozen=True)
class Family:
    """A served model family and what one replica needs."""

    short: str
    model: str
    parameter_count: int
    precision: str
    instance_type: str
    lanes: tuple[str, ...]
    tokens_in: int  # median input tokens per request
    tokens_out: int  # median output tokens per request
    weight: int  # how often the family is picked

    @property
    def name(self) -> str:
        """The catalog's model family: the model name up to its size."""
        return FAMILY_NAMES[self.short]


FAMILIES = (
    Family("llama8b", "llama-3.1-8b-instruct", 8_030_000_000, "bf16", "g5.xlarge",
           ("interactive", "nearline"), 900, 220, 6),
    Family("mistral7b", "mistral-7b-instruct", 7_240_000_000, "fp16", "g6.xlarge",
           ("interactive",), 700, 180, 5),
    Family("embed", "bge-large-en-v1.5", 335_000_000, "fp16", "g6.xlarge",
           ("interactive", "batch"), 350, 1, 4),
    Family("qwen32b", "qwen2.5-32b-instruct", 32_800_000_000, "bf16", "g6.12xlarge",
           ("interactive", "nearline"), 1500, 350, 3),
    Family("mixtral", "mixtral-8x7b-instruct", 46_700_000_000, "bf16", "g5.12xlarge",
           ("interactive", "nearline"), 1200, 300, 3),
    Family("llama70b", "llama-3.1-70b-instruct", 70_600_000_000, "bf16", "p4d.24xlarge",
           ("interactive", "batch"), 2000, 400, 2),
    Family("llama405b", "llama-3.1-405b-instruct-fp8", 405_000_000_000, "fp8", "p5.48xlarge",
           ("interactive",), 2500, 500, 1),
    Family("sdxl", "stable-diffusion-xl", 3_500_000_000, "fp16", "g5.48xlarge",
           ("batch",), 80, 1, 1),
)  # fmt: skip
FAMILY_NAMES = {
    "llama8b": "llama-3.1", "mistral7b": "mistral", "embed": "bge", "qwen32b": "qwen2.5",
    "mixtral": "mixtral", "llama70b": "llama-3.1", "llama405b": "llama-3.1", "sdxl": "sdxl",
}  # fmt: skip
SHARED_POOL_TYPES = ("g5.12xlarge", "g6.12xlarge")
# Endpoint index -> family: two shared-node endpoints, an untagged dedicated one, a spot batch
# one and a p5 one come first, so even a small world has every kind the anomalies need.
PINNED_FAMILIES = {0: 0, 1: 2, 2: 1, 3: 7, 5: 6}
SMALL_FAMILIES = {"llama8b", "mistral7b", "embed"}


@dataclass(frozen=True)
class Team:
    name: str
    cost_center: str
    contact_email: str
    timezone: str


@dataclass(frozen=True)
class Endpoint:
    index: int
    name: str
    team: str
    family: Family
    accelerator_type: str
    accelerator_count: int  # GPUs one replica uses
    instance_type: str
    pricing_category: str  # on_demand | spot
    lanes: tuple[str, ...]
    hosting: str  # dedicated | shared
    is_tagged: bool  # dedicated replicas carry the costgov:endpoint tag
    weight: float  # share of the day's requests
    target_utilisation: float  # planned busy fraction of the GPUs it holds


@dataclass(frozen=True)
class Instance:
    """One billed instance. ``endpoints`` are who may be routed to it; empty means none."""

    resource_id: str
    name: str
    instance_type: str
    pricing: str  # on_demand | spot
    account_id: str
    endpoints: tuple[str, ...]
    owner: str | None  # the endpoint of a dedicated instance, None for a shared node
    pool: str | None
    tags: dict[str, str] = field(hash=False)
    start: datetime | None = None  # None: runs for the whole period
    end: datetime | None = None
    is_routable: bool = True

    @property
    def gpus(self) -> int:
        return price_book()[self.instance_type].gpus

    def hours_on(self, day_start: datetime) -> range:
        """The hours of the day (0-23) this instance is billed for."""
        first, last = 0, 24
        if self.start is not None:
            first = max(first, int((self.start - day_start).total_seconds() // 3600))
        if self.end is not None:
            last = min(last, int((self.end - day_start).total_seconds() // 3600))
        return range(max(first, 0), max(last, 0))


@dataclass(frozen=True)
class Topology:
    seed: int
    teams: tuple[Team, ...]
    endpoints: tuple[Endpoint, ...]
    instances: tuple[Instance, ...]

    def endpoint(self, name: str) -> Endpoint:
        return next(e for e in self.endpoints if e.name == name)


def resource_id(seed: int, name: str) -> str:
    """A stable EC2-style instance id (``i-`` and 17 hex digits) for an instance name."""
    return "i-0" + hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=8).hexdigest()


def _instance(
    *,
    seed: int,
    name: str,
    instance_type: str,
    pricing: str,
    endpoints: tuple[str, ...],
    owner: str | None,
    pool: str | None,
    team: str,
    tagged: bool,
    **extra: object,
) -> Instance:
    tags = {"team": team, "env": "prod"}
    if owner is not None and tagged:
        tags[ENDPOINT_TAG] = owner
    if pool is not None:
        tags[POOL_TAG] = pool
    return Instance(
        resource_id=resource_id(seed, name),
        name=name,
        instance_type=instance_type,
        pricing=pricing,
        account_id=PLATFORM_ACCOUNT if pool else PROD_ACCOUNT,
        endpoints=endpoints,
        owner=owner,
        pool=pool,
        tags=tags,
        **extra,  # type: ignore[arg-type]
    )


def topology_build(*, seed: int, teams: int, endpoints: int) -> Topology:
    """Build the world. Needs 1-10 teams and at least 4 endpoints (so every hosting kind exists)."""
    if not 1 <= teams <= len(TEAM_NAMES):
        raise ValueError(f"teams must be between 1 and {len(TEAM_NAMES)}")
    if endpoints < 4:
        raise ValueError("endpoints must be at least 4")
    rng = random.Random(f"costgov-demo:{seed}:topology")
    team_rows = tuple(
        Team(
            name=n,
            cost_center=f"CC-{1100 + 10 * i}",
            contact_email=f"{n}-ml@example.com",
            timezone=tz,
        )
        for i, (n, tz) in enumerate(TEAM_NAMES[:teams])
    )
    prices = price_book()
    eps: list[Endpoint] = []
    counters: dict[str, int] = {}
    for i in range(endpoints):
        if i in PINNED_FAMILIES:
            fam = FAMILIES[PINNED_FAMILIES[i]]
        else:
            fam = rng.choices(FAMILIES, weights=[f.weight for f in FAMILIES])[0]
        team = team_rows[i % len(team_rows)].name
        key = f"{team}-{fam.short}"
        counters[key] = counters.get(key, 0) + 1
        name = f"{key}-{counters[key]}"
        shared = fam.short in SMALL_FAMILIES and (i in (0, 1) or (i > 5 and rng.random() < 0.45))
        spot = fam.lanes == ("batch",) or (i > 3 and "batch" in fam.lanes and rng.random() < 0.3)
        instance_type = fam.instance_type
        price = prices[instance_type]
        eps.append(
            Endpoint(
                index=i,
                name=name,
                team=team,
                family=fam,
                accelerator_type=price.gpu_model,
                accelerator_count=1 if shared else price.gpus,
                instance_type=instance_type,
                pricing_category="spot" if spot and not shared else "on_demand",
                lanes=fam.lanes,
                hosting="shared" if shared else "dedicated",
                is_tagged=not (i == 2 or (i > 3 and rng.random() < 0.2)),
                weight=round(rng.uniform(0.5, 2.0) * (3 if fam.short in SMALL_FAMILIES else 1), 3),
                target_utilisation=round(rng.uniform(0.35, 0.75), 3),
            )
        )
    instances: list[Instance] = []
    shared_eps = [e for e in eps if e.hosting == "shared"]
    pool_of: dict[str, tuple[str, str]] = {}
    for p in range(0, len(shared_eps), 3):
        members = shared_eps[p : p + 3]
        pool = f"shared-{p // 3 + 1}"
        pool_type = SHARED_POOL_TYPES[(p // 3) % len(SHARED_POOL_TYPES)]
        for e in members:
            pool_of[e.name] = (pool, pool_type)
        for n in range(1 + (len(members) > 2)):
            instances.append(
                _instance(
                    seed=seed,
                    name=f"{pool}-node-{n + 1}",
                    instance_type=pool_type,
                    pricing="on_demand",
                    endpoints=tuple(e.name for e in members),
                    owner=None,
                    pool=pool,
                    team="platform",
                    tagged=False,
                )
            )
    eps = [
        replace(
            e,
            instance_type=pool_of[e.name][1],
            accelerator_type=prices[pool_of[e.name][1]].gpu_model,
        )
        if e.name in pool_of
        else e
        for e in eps
    ]
    for e in eps:
        if e.hosting != "dedicated":
            continue
        replicas = 1 if e.family.short in ("llama405b", "llama70b", "sdxl") else rng.randint(1, 3)
        for r in range(replicas):
            instances.append(
                _instance(
                    seed=seed,
                    name=f"{e.name}-replica-{r + 1}",
                    instance_type=e.instance_type,
                    pricing=e.pricing_category,
                    endpoints=(e.name,),
                    owner=e.name,
                    pool=None,
                    team=e.team,
                    tagged=e.is_tagged,
                )
            )
    return Topology(seed=seed, teams=team_rows, endpoints=tuple(eps), instances=tuple(instances))


def with_instances(topo: Topology, extra: list[Instance]) -> Topology:
    return Topology(
        seed=topo.seed,
        teams=topo.teams,
        endpoints=topo.endpoints,
        instances=topo.instances + tuple(extra),
    )
