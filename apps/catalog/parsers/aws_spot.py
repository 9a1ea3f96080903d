"""Reduce EC2 spot price history to one hourly spot price per instance type. Pure code.

Statistic: for each availability zone, the latest price in the history (the price in effect
now; EC2 also returns the last change before ``StartTime``, so every zone with capacity has one);
then the median of those per-zone prices across zones. The median, not the minimum, because the
cheapest zone often has no capacity; an even number of zones averages the middle two, stored at
the money column's 10 decimal places (banker's rounding; exact for EC2's 4-6 place prices).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from apps.catalog.parsers.prices import PriceDataMalformed, median
from apps.common.money import ROUNDING, STORAGE_QUANTUM


def _record_name(record: dict) -> str:
    return f"EC2 spot price {record.get('InstanceType', '?')} {record.get('AvailabilityZone', '?')}"


def spot_price_by_instance_type(records: Iterable[dict]) -> dict[str, Decimal]:
    """Median across zones of each zone's latest spot price, keyed by instance type (USD/h)."""
    latest: dict[str, dict[str, tuple[datetime, Decimal]]] = defaultdict(dict)
    for record in records:
        name = _record_name(record)
        for field in ("InstanceType", "AvailabilityZone", "SpotPrice", "Timestamp"):
            if not record.get(field):
                raise PriceDataMalformed(record=name, field=field, problem="missing")
        stamp = record["Timestamp"]
        if not isinstance(stamp, datetime) or stamp.tzinfo is None:
            raise PriceDataMalformed(
                record=name, field="Timestamp", problem=f"not an aware time: {stamp!r}"
            )
        try:
            price = Decimal(record["SpotPrice"])
        except (InvalidOperation, TypeError):
            price = Decimal("NaN")
        if not price.is_finite() or price < 0:
            raise PriceDataMalformed(
                record=name, field="SpotPrice", problem=f"not a price: {record['SpotPrice']!r}"
            )
        stamp = stamp.astimezone(UTC)
        zones = latest[record["InstanceType"]]
        zone = record["AvailabilityZone"]
        if zone not in zones or stamp > zones[zone][0]:
            zones[zone] = (stamp, price)
    return {
        instance_type: median([price for _, price in zones.values()]).quantize(
            STORAGE_QUANTUM, rounding=ROUNDING
        )
        for instance_type, zones in latest.items()
    }
