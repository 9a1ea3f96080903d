import json
from decimal import Decimal

import pytest
from pytest_django.fixtures import Settings

from apps.catalog.models import PriceBookEntry
from apps.catalog.parsers.prices import PriceDataMalformed
from apps.catalog.services.price_book_seed import DEFAULT_SOURCE, price_book_seed
from apps.catalog.services.price_import_aws import SOURCE, price_import_aws
from apps.catalog.sources.aws import ec2_price_list
from apps.catalog.tests.conftest import NOW
from apps.catalog.tests.price_data import ec2_product, g6_products
from apps.common.errors import SourceUnavailable, ValidationFailed
from tests.fakes.aws import FakeAws

pytestmark = pytest.mark.django_db
TYPES = ["p4d.24xlarge", "g6.xlarge"]


def test_on_demand_reserved_and_spot_prices_land_exactly(fake_aws: FakeAws) -> None:
    result = price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    p4d = PriceBookEntry.objects.get(provider="aws", instance_type="p4d.24xlarge")
    assert p4d.region == "us-east-1"
    assert p4d.on_demand_hourly == Decimal("32.7726")
    # Standard no-upfront terms only (the convertible and partial-upfront terms are ignored).
    assert p4d.commit_1y_hourly == Decimal("20.1740")
    assert p4d.commit_3y_hourly == Decimal("12.9180")
    # Latest per zone: a 12.1043, b 11.5127, c 13.0003, d 10.9876 -> (11.5127 + 12.1043) / 2.
    assert p4d.spot_hourly == Decimal("11.8085")
    assert (p4d.gpu_model, p4d.gpus_per_instance, p4d.gpu_memory_gb) == ("A100-40GB", 8, 40)
    assert p4d.supports_fp8 is False
    assert (p4d.source, p4d.source_date, p4d.currency) == (SOURCE, NOW.date(), "USD")
    g6 = PriceBookEntry.objects.get(provider="aws", instance_type="g6.xlarge")
    assert g6.on_demand_hourly == Decimal("0.8048")
    assert g6.spot_hourly == Decimal("0.2999")  # median of 0.2811, 0.2999, 0.3102
    assert g6.commit_1y_hourly is None
    assert g6.commit_3y_hourly is None
    assert (g6.gpu_model, g6.gpus_per_instance, g6.gpu_memory_gb, g6.supports_fp8) == (
        "L4",
        1,
        24,
        True,
    )


def test_spot_history_is_read_across_every_page(fake_aws: FakeAws) -> None:
    price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    spot_calls = [c for c in fake_aws.http.calls if c[0] == "POST"]
    # 8 Linux/UNIX records, one per page: the median needs all of them.
    assert len(spot_calls) >= 8
    assert PriceBookEntry.objects.get(instance_type="p4d.24xlarge").spot_hourly == Decimal(
        "11.8085"
    )


def test_get_products_pages_are_followed_to_the_end(fake_aws: FakeAws) -> None:
    fake_aws.products = [
        ec2_product(sku=f"G6DUP{n}", instance_type="g6.xlarge", gpus="1", gpu_memory="24 GB")
        for n in range(3)
    ]

    items = ec2_price_list(instance_type="g6.xlarge", region="us-east-1")

    assert sorted(json.loads(i)["product"]["sku"] for i in items) == ["G6DUP0", "G6DUP1", "G6DUP2"]


def test_several_products_for_one_instance_type_is_an_error_naming_the_skus(
    fake_aws: FakeAws,
) -> None:
    fake_aws.products = [
        ec2_product(sku=f"G6DUP{n}", instance_type="g6.xlarge", gpus="1", gpu_memory="24 GB")
        for n in range(2)
    ]

    with pytest.raises(PriceDataMalformed, match="G6DUP0, G6DUP1"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])
    assert not PriceBookEntry.objects.exists()


def test_second_import_of_same_prices_changes_nothing(fake_aws: FakeAws) -> None:
    price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)
    stamps = dict(PriceBookEntry.objects.values_list("instance_type", "updated_at"))

    again = price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(PriceBookEntry.objects.values_list("instance_type", "updated_at")) == stamps


def test_changed_list_price_updates_the_row(fake_aws: FakeAws) -> None:
    price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])
    fake_aws.products = [
        ec2_product(
            sku="G6XLLINUXUSE1",
            instance_type="g6.xlarge",
            gpus="1",
            gpu_memory="24 GB",
            on_demand="0.7800000000",
        )
    ]

    result = price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])

    assert (result.created, result.updated) == (0, 1)
    assert PriceBookEntry.objects.get().on_demand_hourly == Decimal("0.7800")


def test_instance_type_not_sold_in_region_is_reported_not_written(fake_aws: FakeAws) -> None:
    result = price_import_aws(now=NOW, regions=["us-west-2"], instance_types=TYPES)

    assert result.not_found == ("g6.xlarge us-west-2",)
    row = PriceBookEntry.objects.get()
    assert (row.instance_type, row.region, row.spot_hourly) == ("p4d.24xlarge", "us-west-2", None)


def test_imported_rows_replace_default_seed_and_reseeding_keeps_them(fake_aws: FakeAws) -> None:
    price_book_seed()
    seeded_count = PriceBookEntry.objects.count()

    price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)
    reseed = price_book_seed()

    assert PriceBookEntry.objects.count() == seeded_count
    p4d = PriceBookEntry.objects.get(provider="aws", instance_type="p4d.24xlarge")
    assert (p4d.source, p4d.spot_hourly) == (SOURCE, Decimal("11.8085"))
    assert reseed.kept == 2
    assert PriceBookEntry.objects.filter(provider="aws", source=DEFAULT_SOURCE).count() == 6


def test_default_instance_types_are_the_default_tables_and_the_books(
    fake_aws: FakeAws, settings: Settings
) -> None:
    settings.PRICE_IMPORT_AWS_REGIONS = ["us-east-1"]

    result = price_import_aws(now=NOW)

    assert result.created == 2
    assert "p5.48xlarge us-east-1" in result.not_found
    assert len(result.not_found) == 6


def test_unreachable_pricing_endpoint_raises_source_unavailable_and_writes_nothing(
    fake_aws: FakeAws, settings: Settings, closed_port_url: str
) -> None:
    price_book_seed()
    before = list(PriceBookEntry.objects.values_list("id", "on_demand_hourly", "source"))
    settings.PRICE_IMPORT_AWS_PRICING_ENDPOINT_URL = closed_port_url

    with pytest.raises(SourceUnavailable, match="get_products unreachable"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    assert list(PriceBookEntry.objects.values_list("id", "on_demand_hourly", "source")) == before


def test_unreachable_ec2_endpoint_after_prices_were_read_writes_nothing(
    fake_aws: FakeAws, settings: Settings, closed_port_url: str
) -> None:
    settings.PRICE_IMPORT_AWS_EC2_ENDPOINT_URL = closed_port_url

    with pytest.raises(SourceUnavailable, match="describe_spot_price_history"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    assert not PriceBookEntry.objects.exists()


def test_server_error_from_pricing_api_raises_source_unavailable(fake_aws: FakeAws) -> None:
    fake_aws.status = 500

    with pytest.raises(SourceUnavailable):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)


def test_malformed_price_names_product_and_field_and_writes_nothing(fake_aws: FakeAws) -> None:
    bad = g6_products()[0]
    dimension = next(
        iter(next(iter(bad["terms"]["OnDemand"].values()))["priceDimensions"].values())
    )
    dimension["pricePerUnit"]["USD"] = "0.80 USD"
    fake_aws.products = [*fake_aws.products[:1], bad]

    with pytest.raises(PriceDataMalformed) as caught:
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    assert "G6XLLINUXUSE1" in caught.value.message
    assert "pricePerUnit.USD" in caught.value.message
    assert not PriceBookEntry.objects.exists()


def test_product_without_gpu_count_is_rejected(fake_aws: FakeAws) -> None:
    fake_aws.products = [ec2_product(sku="G6NOGPU", instance_type="g6.xlarge", gpus="")]

    with pytest.raises(PriceDataMalformed, match=r"G6NOGPU.*attributes\.gpu"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])


def test_gpu_memory_disagreeing_with_the_family_is_rejected(fake_aws: FakeAws) -> None:
    fake_aws.products = [
        ec2_product(sku="G6ODD", instance_type="g6.xlarge", gpus="1", gpu_memory="48 GB")
    ]

    with pytest.raises(PriceDataMalformed, match="gpuMemory"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])


def test_unknown_instance_family_is_refused_before_calling_aws(fake_aws: FakeAws) -> None:
    with pytest.raises(ValidationFailed, match="m7i.large"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["m7i.large"])
    assert fake_aws.http.calls == []


def test_spot_prices_from_moto_ec2_are_read_through_boto3(
    fake_aws: FakeAws, settings: Settings, moto_url: str
) -> None:
    # moto serves one record per zone offering the type, each at a fixed 0.00001 USD.
    settings.PRICE_IMPORT_AWS_EC2_ENDPOINT_URL = moto_url

    price_import_aws(now=NOW, regions=["us-east-1"], instance_types=TYPES)

    p4d = PriceBookEntry.objects.get(instance_type="p4d.24xlarge")
    assert p4d.spot_hourly == Decimal("0.00001")
    assert p4d.on_demand_hourly == Decimal("32.7726")


def test_price_finer_than_the_money_column_is_refused_and_nothing_written(
    fake_aws: FakeAws,
) -> None:
    fake_aws.products = [
        ec2_product(
            sku="G6FINE",
            instance_type="g6.xlarge",
            gpus="1",
            gpu_memory="24 GB",
            on_demand="0.80480000001",
        )
    ]

    with pytest.raises(ValidationFailed, match="on_demand_hourly 0.80480000001"):
        price_import_aws(now=NOW, regions=["us-east-1"], instance_types=["g6.xlarge"])
    assert not PriceBookEntry.objects.exists()
