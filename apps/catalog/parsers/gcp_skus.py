"""Price GCP GPU machine types from Cloud Catalog SKUs (``billing_v1.Sku``). Pure code.

Compute Engine bills an accelerator-optimized VM as separate SKUs: the attached GPUs, the
vCPUs ("<series> Instance Core") and the memory ("<series> Instance Ram", per GiB). So

    instance hourly = gpus x GPU SKU + vCPUs x core SKU + memory GiB x RAM SKU

for each term, identified by ``category.usage_type``: OnDemand, Preemptible (spot), Commit1Yr,
Commit3Yr. A term is priced only when all three components have a SKU for the region
(``service_regions``). Descriptions are matched by anchored patterns, so a SKU variant not listed
here (sole tenancy, DWS, "Mega" H100s…) is never mistaken for a plain on-demand price. The
mapping is documented in docs/price-book.md.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from google.cloud.billing_v1 import Sku

from apps.catalog.parsers.gpu_models import GPU_MODELS
from apps.catalog.parsers.prices import PriceDataMalformed

_GPU_NAMES = {"A100": "A100-40GB", "A100 80GB": "A100-80GB", "H100 80GB": "H100-80GB", "L4": "L4"}
_GPU = "(?P<gpu>A100 80GB|A100|H100 80GB|L4)"
_PATTERNS = (
    re.compile(rf"^(?:Spot Preemptible |Preemptible )?Nvidia (?:Tesla )?{_GPU} GPU running in .+$"),
    re.compile(
        rf"^Commitment v1: Nvidia (?:Tesla )?{_GPU} GPU (?:running )?in .+ for [13] Years?$"
    ),
    re.compile(
        r"^(?:Spot Preemptible )?(?P<series>A2|A3|G2) Instance (?P<part>Core|Ram) running in .+$"
    ),
    re.compile(
        r"^Commitment v1: (?P<series>A2|A3|G2) (?P<part>Cpu|Core|Ram) in .+ for [13] Years?$"
    ),
)
TERMS = {"OnDemand": "on_demand", "Preemptible": "spot", "Commit1Yr": "commit_1y",
         "Commit3Yr": "commit_3y"}  # fmt: skip
# Cloud Catalog usage units: GPUs and vCPUs per hour, memory per GiB-hour.
_UNITS = {"gpu": "h", "core": "h", "ram": "GiBy.h"}


@dataclass(frozen=True)
class MachineShape:
    series: str
    gpu_model: str
    gpus: int
    vcpus: int
    memory_gib: int


def _shapes() -> dict[str, MachineShape]:
    a2 = {1: (12, 85), 2: (24, 170), 4: (48, 340), 8: (96, 680)}
    shapes = {
        f"a2-highgpu-{n}g": MachineShape("A2", "A100-40GB", n, c, m) for n, (c, m) in a2.items()
    }
    shapes["a2-megagpu-16g"] = MachineShape("A2", "A100-40GB", 16, 96, 1360)
    for n, (c, m) in a2.items():
        shapes[f"a2-ultragpu-{n}g"] = MachineShape("A2", "A100-80GB", n, c, m * 2)
    shapes["a3-highgpu-8g"] = MachineShape("A3", "H100-80GB", 8, 208, 1872)
    g2 = {4: 1, 8: 1, 12: 1, 16: 1, 24: 2, 32: 1, 48: 4, 96: 8}
    for vcpus, gpus in g2.items():
        shapes[f"g2-standard-{vcpus}"] = MachineShape("G2", "L4", gpus, vcpus, vcpus * 4)
    return shapes


GCP_MACHINE_SHAPES: dict[str, MachineShape] = _shapes()


def unit_price(sku: Sku) -> Decimal:
    """USD per usage unit of the SKU's first tier: ``units + nanos / 1e9``, exactly."""
    record = f"GCP SKU {sku.sku_id} ({sku.description})"
    if not sku.pricing_info:
        raise PriceDataMalformed(record=record, field="pricing_info", problem="empty")
    rates = sku.pricing_info[0].pricing_expression.tiered_rates
    field = "pricing_info[0].pricing_expression.tiered_rates"
    if not rates:
        raise PriceDataMalformed(record=record, field=field, problem="empty")
    money = rates[0].unit_price
    if money.currency_code != "USD":
        raise PriceDataMalformed(
            record=record, field=f"{field}[0].unit_price.currency_code",
            problem=f"expected USD, got {money.currency_code!r}",
        )  # fmt: skip
    units, nanos = int(money.units), int(money.nanos)
    if units < 0 or not 0 <= nanos < 10**9:
        raise PriceDataMalformed(
            record=record, field=f"{field}[0].unit_price",
            problem=f"not a price: units={units} nanos={nanos}",
        )  # fmt: skip
    return Decimal(units) + Decimal(nanos).scaleb(-9)


def _component(sku: Sku) -> tuple[str, str] | None:
    """("gpu", model) / ("core", series) / ("ram", series) for a SKU this mapping knows."""
    for pattern in _PATTERNS:
        match = pattern.match(sku.description)
        if match is None:
            continue
        if "gpu" in pattern.groupindex:
            return "gpu", _GPU_NAMES[match["gpu"]]
        return ("ram" if match["part"] == "Ram" else "core"), match["series"]
    return None


def component_prices(skus: Iterable[Sku], *, region: str) -> dict[tuple[str, str, str], Decimal]:
    """{(kind, name, term): USD per unit} for one region. One SKU per key, or an error."""
    found: dict[tuple[str, str, str], tuple[str, Decimal]] = {}
    for sku in skus:
        term = TERMS.get(sku.category.usage_type)
        component = _component(sku)
        if term is None or component is None or region not in sku.service_regions:
            continue
        record = f"GCP SKU {sku.sku_id} ({sku.description})"
        unit = sku.pricing_info[0].pricing_expression.usage_unit if sku.pricing_info else ""
        if unit != _UNITS[component[0]]:
            raise PriceDataMalformed(
                record=record, field="pricing_info[0].pricing_expression.usage_unit",
                problem=f"expected {_UNITS[component[0]]!r}, got {unit!r}",
            )  # fmt: skip
        key = (*component, term)
        if key in found:
            raise PriceDataMalformed(
                record=record, field="service_regions",
                problem=f"{region} is also priced by SKU {found[key][0]} for {key}",
            )  # fmt: skip
        found[key] = (sku.sku_id, unit_price(sku))
    return {key: price for key, (_, price) in found.items()}


def machine_prices(
    components: dict[tuple[str, str, str], Decimal], shape: MachineShape
) -> dict[str, Decimal | None]:
    """Hourly price per term ("on_demand", "spot", "commit_1y", "commit_3y"); None if unpriced."""
    prices: dict[str, Decimal | None] = {}
    for term in TERMS.values():
        parts = (
            components.get(("gpu", shape.gpu_model, term)),
            components.get(("core", shape.series, term)),
            components.get(("ram", shape.series, term)),
        )
        if any(part is None for part in parts):
            prices[term] = None
            continue
        gpu, core, ram = parts
        prices[term] = shape.gpus * gpu + shape.vcpus * core + shape.memory_gib * ram
    return prices


def gpu_facts(shape: MachineShape) -> tuple[int, bool]:
    gpu = GPU_MODELS[shape.gpu_model]
    return gpu.memory_gb, gpu.supports_fp8
