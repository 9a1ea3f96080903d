import csv
from decimal import Decimal

import pytest

from apps.catalog.models import PriceBookEntry
from apps.catalog.services.price_book_seed import DEFAULT_TABLE, price_book_seed
from apps.catalog.tests.factories import PriceBookEntryFactory

pytestmark = pytest.mark.django_db


def test_seed_loads_every_row_of_the_documented_table_exactly():
    result = price_book_seed()
    with DEFAULT_TABLE.open() as fh:
        rows = list(csv.DictReader(fh))
    assert result.created == len(rows) == PriceBookEntry.objects.count()
    for row in rows:
        entry = PriceBookEntry.objects.get(
            provider=row["provider"], instance_type=row["instance_type"], region=row["region"]
        )
        assert entry.on_demand_hourly == Decimal(row["on_demand_hourly"])
        assert entry.spot_hourly == Decimal(row["spot_hourly"])
        assert entry.gpus_per_instance == int(row["gpus_per_instance"])
        assert entry.source_date.isoformat() == "2025-01-15"


def test_seeding_twice_changes_nothing():
    price_book_seed()
    before = list(PriceBookEntry.objects.order_by("id").values())
    second = price_book_seed()
    after = list(PriceBookEntry.objects.order_by("id").values())
    assert second.created == 0
    assert [{**r, "updated_at": None} for r in before] == [{**r, "updated_at": None} for r in after]


def test_seed_keeps_prices_an_importer_already_refreshed():
    PriceBookEntryFactory(
        provider="aws",
        instance_type="g5.xlarge",
        region="us-east-1",
        on_demand_hourly=Decimal("0.9999"),
        source="AWS Pricing API",
    )
    result = price_book_seed()
    assert result.kept == 1
    assert PriceBookEntry.objects.get(instance_type="g5.xlarge").on_demand_hourly == Decimal(
        "0.9999"
    )


def test_price_book_api_serves_money_as_exact_strings(client_for, owner_user):
    price_book_seed()
    response = client_for(owner_user).get(
        "/api/v1/catalog/price-book/", {"instance_type": "p5.48xlarge"}
    )
    [entry] = response.json()["results"]
    assert entry["on_demand_hourly"] == "98.3200000000"
    assert entry["supports_fp8"] is True
