"""Parse one AWS Price List product (a JSON string from ``pricing.get_products``). Pure code.

Shape (Price List Query API, AmazonEC2)::

    {"product": {"sku": "…", "attributes": {"instanceType", "regionCode", "gpu", "gpuMemory", …}},
     "terms": {"OnDemand": {"<sku>.<offer>": {"priceDimensions": {"…": {"unit": "Hrs",
                                                   "pricePerUnit": {"USD": "32.7726000000"}}}}},
               "Reserved": {"<sku>.<offer>": {"termAttributes": {"LeaseContractLength": "1yr",
                   "OfferingClass": "standard", "PurchaseOption": "No Upfront"},
                   "priceDimensions": {…}}}}}
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from apps.catalog.parsers.prices import PriceDataMalformed

_GB = re.compile(r"^\s*(\d+)\s*GB\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AwsProductPrice:
    sku: str
    instance_type: str
    region: str
    gpus_per_instance: int
    gpu_memory_total_gb: int | None
    on_demand_hourly: Decimal
    commit_1y_hourly: Decimal | None
    commit_3y_hourly: Decimal | None


def _hourly_usd(term: dict, *, record: str, where: str) -> Decimal:
    """The USD price of the term's single hourly price dimension."""
    dimensions = term.get("priceDimensions")
    if not isinstance(dimensions, dict) or not dimensions:
        raise PriceDataMalformed(record=record, field=f"{where}.priceDimensions", problem="missing")
    hourly = [d for d in dimensions.values() if isinstance(d, dict) and d.get("unit") == "Hrs"]
    if len(hourly) != 1:
        raise PriceDataMalformed(
            record=record,
            field=f"{where}.priceDimensions",
            problem=f"expected one dimension with unit 'Hrs', found {len(hourly)}",
        )
    text = (hourly[0].get("pricePerUnit") or {}).get("USD")
    field = f"{where}.priceDimensions.pricePerUnit.USD"
    if not isinstance(text, str):
        raise PriceDataMalformed(record=record, field=field, problem=f"not a price: {text!r}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PriceDataMalformed(
            record=record, field=field, problem=f"not a decimal: {text!r}"
        ) from None
    if not value.is_finite() or value < 0:
        raise PriceDataMalformed(record=record, field=field, problem=f"not a price: {text!r}")
    return value


def _reserved_no_upfront(terms: dict, *, years: int, record: str) -> Decimal | None:
    """Hourly price of the standard, no-upfront reservation of ``years``; None when not sold."""
    matches = [
        (key, term)
        for key, term in (terms.get("Reserved") or {}).items()
        if (term.get("termAttributes") or {}).get("LeaseContractLength") == f"{years}yr"
        and term["termAttributes"].get("OfferingClass") == "standard"
        and term["termAttributes"].get("PurchaseOption") == "No Upfront"
    ]
    if not matches:
        return None
    if len(matches) > 1:
        raise PriceDataMalformed(
            record=record,
            field="terms.Reserved",
            problem=f"{len(matches)} standard no-upfront {years}yr terms",
        )
    key, term = matches[0]
    return _hourly_usd(term, record=record, where=f"terms.Reserved.{key}")


def parse_price_list_item(text: str) -> AwsProductPrice:
    """Prices and GPU facts of one EC2 product. Raises PriceDataMalformed naming SKU and field."""
    try:
        item = json.loads(text, parse_float=Decimal)
    except (TypeError, ValueError) as exc:
        raise PriceDataMalformed(
            record="PriceList item", field="(json)", problem=str(exc)
        ) from None
    if not isinstance(item, dict) or not isinstance(item.get("product"), dict):
        raise PriceDataMalformed(record="PriceList item", field="product", problem="missing")
    product = item["product"]
    attributes = product.get("attributes") or {}
    sku = product.get("sku") or "?"
    record = f"AWS product {sku} ({attributes.get('instanceType', '?')})"
    for field in ("instanceType", "regionCode", "gpu"):
        if not attributes.get(field):
            raise PriceDataMalformed(record=record, field=f"attributes.{field}", problem="missing")
    try:
        gpus = int(attributes["gpu"])
    except ValueError:
        gpus = 0
    if gpus < 1:
        raise PriceDataMalformed(
            record=record,
            field="attributes.gpu",
            problem=f"not a GPU count: {attributes['gpu']!r}",
        )
    # gpuMemory is the instance's total accelerator memory ("320 GB"); absent or "NA" on some.
    memory = _GB.match(str(attributes.get("gpuMemory", "")))
    terms = item.get("terms")
    if not isinstance(terms, dict):
        raise PriceDataMalformed(record=record, field="terms", problem="missing")
    on_demand = list((terms.get("OnDemand") or {}).items())
    if len(on_demand) != 1:
        raise PriceDataMalformed(
            record=record,
            field="terms.OnDemand",
            problem=f"expected one on-demand term, found {len(on_demand)}",
        )
    key, term = on_demand[0]
    return AwsProductPrice(
        sku=sku,
        instance_type=attributes["instanceType"],
        region=attributes["regionCode"],
        gpus_per_instance=gpus,
        gpu_memory_total_gb=int(memory.group(1)) if memory else None,
        on_demand_hourly=_hourly_usd(term, record=record, where=f"terms.OnDemand.{key}"),
        commit_1y_hourly=_reserved_no_upfront(terms, years=1, record=record),
        commit_3y_hourly=_reserved_no_upfront(terms, years=3, record=record),
    )
