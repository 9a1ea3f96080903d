"""The true cost of each endpoint per day, as the generator knows it (pure code, no ORM).

For every instance and UTC day:

- ``C`` is the sum of the instance's CUR ``UnblendedCost`` that day; for an instance covered by
  the Savings Plan it is the sum of its ``SavingsPlanEffectiveCost`` (its covered usage and
  negation lines net to zero; the money is in the plan's fee);
- ``K = billed hours x 3,600,000 x GPUs`` is its capacity in GPU-milliseconds;
- ``u_e`` is the sum of ``attributes.gpu_ms`` of the telemetry requests endpoint ``e`` sent to it
  that day (every status counts) and ``U = sum(u_e)``.

``C`` is split with ``split_largest_remainder`` (10 decimal places, leftover units to the largest
fractions, ties to the earlier part) over the weights
``[u_e for each endpoint in name order] + [max(K - U, 0)]``:

- on a dedicated instance the endpoint's part is its ``dedicated_cost`` and the last part its
  ``idle_cost`` (a replica with no traffic is all idle, still charged to its endpoint);
- on a shared node each endpoint's part is its ``shared_node_cost`` and the last part goes to the
  row ``unallocated:shared_idle``.

Shared costs are not allocated: data transfer -> ``unallocated:network``, S3 and EBS ->
``unallocated:storage`` (dated by their usage day), the Savings Plan commitment no covered usage
used -> ``unallocated:commitment_unused`` (by day), support fee -> ``unallocated:support`` and
tax -> ``unallocated:tax`` (dated by the first day of their billing month). Hence the sum of
``total_cost`` over the file equals the CUR's unblended total exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.common.money import split_largest_remainder
from apps.demo.generator.cur import Charge, money_text
from apps.demo.generator.topology import Instance

COLUMNS = (
    "usage_date", "team", "endpoint", "dedicated_cost", "shared_node_cost", "idle_cost",
    "total_cost", "currency",
)  # fmt: skip
ZERO = Decimal(0)
UNALLOCATED = {
    "shared_idle": "unallocated:shared_idle",
    "network": "unallocated:network",
    "storage": "unallocated:storage",
    "support": "unallocated:support",
    "tax": "unallocated:tax",
    "commitment": "unallocated:commitment_unused",
}


@dataclass
class Parts:
    dedicated: Decimal = ZERO
    shared: Decimal = ZERO
    idle: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.dedicated + self.shared + self.idle


def truth_day(
    *,
    usage_date: date,
    endpoint_teams: dict[str, str],
    instance_costs: Iterable[tuple[Instance, Decimal, int]],
    usage: dict[tuple[str, str], int],
    other: Iterable[Charge],
    currency: str = "USD",
) -> list[list[str]]:
    """Rows for one day: every endpoint (zero rows included), then the unallocated rows."""
    parts = {name: Parts() for name in endpoint_teams}
    unallocated = {key: ZERO for key in UNALLOCATED}
    by_resource: dict[str, dict[str, int]] = {}
    for (resource, endpoint), gpu_ms in usage.items():
        by_resource.setdefault(resource, {})[endpoint] = gpu_ms
    for inst, cost, hours in instance_costs:
        used = by_resource.get(inst.resource_id, {})
        names = sorted(used)
        capacity = hours * 3_600_000 * inst.gpus
        busy = sum(used.values())
        weights = [Decimal(used[n]) for n in names] + [Decimal(max(capacity - busy, 0))]
        split = split_largest_remainder(cost, weights)
        for name, share in zip(names, split, strict=False):
            if inst.owner is not None:
                parts[name].dedicated += share
            else:
                parts[name].shared += share
        if inst.owner is not None:
            parts[inst.owner].idle += split[-1]
        else:
            unallocated["shared_idle"] += split[-1]
    for charge in other:
        unallocated[charge.kind] += charge.effective
    rows = [
        [usage_date.isoformat(), endpoint_teams[name], name, money_text(p.dedicated),
         money_text(p.shared), money_text(p.idle), money_text(p.total), currency]
        for name, p in sorted(parts.items())
    ]  # fmt: skip
    rows.extend(
        [usage_date.isoformat(), "", UNALLOCATED[key], "0", "0", "0", money_text(value), currency]
        for key, value in unallocated.items()
        if value or key in ("shared_idle", "network", "storage")
    )
    return rows


def truth_month(*, month_start: date, charges: Iterable[Charge]) -> list[list[str]]:
    """Rows for a month's support fee and tax."""
    return [
        [month_start.isoformat(), "", UNALLOCATED[c.kind], "0", "0", "0", money_text(c.cost),
         c.currency]
        for c in charges
    ]  # fmt: skip
