"""Pure parsing rules of the importers (no database, no server)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from google.cloud.billing_v1 import Sku

from apps.catalog.parsers.aws_price_list import parse_price_list_item
from apps.catalog.parsers.aws_spot import spot_price_by_instance_type
from apps.catalog.parsers.gcp_skus import GCP_MACHINE_SHAPES, unit_price
from apps.catalog.parsers.prices import PriceDataMalformed
from apps.catalog.tests.price_data import ec2_product, gcp_sku

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _spot(zone: str, price: str, at: datetime, instance_type: str = "g5.xlarge") -> dict:
    return {
        "InstanceType": instance_type,
        "AvailabilityZone": zone,
        "SpotPrice": price,
        "Timestamp": at,
        "ProductDescription": "Linux/UNIX",
    }


def test_spot_uses_each_zones_latest_price_whatever_the_record_order() -> None:
    records = [
        _spot("us-east-1a", "0.4000", T0 + timedelta(hours=5)),
        _spot("us-east-1a", "0.9000", T0),
        _spot("us-east-1b", "0.3000", T0),
        _spot("us-east-1c", "0.3500", T0),
    ]

    assert spot_price_by_instance_type(records) == {"g5.xlarge": Decimal("0.3500")}


def test_spot_median_of_an_even_number_of_zones_averages_the_middle_two_exactly() -> None:
    records = [
        _spot(f"us-east-1{z}", p, T0)
        for z, p in zip("abcd", ["1", "0.3", "0.4", "0.01"], strict=True)
    ]

    assert spot_price_by_instance_type(records) == {"g5.xlarge": Decimal("0.35")}


def test_spot_without_records_has_no_price() -> None:
    assert spot_price_by_instance_type([]) == {}


def test_spot_timestamp_without_offset_is_rejected() -> None:
    with pytest.raises(PriceDataMalformed, match="us-east-1a.*Timestamp"):
        spot_price_by_instance_type([_spot("us-east-1a", "0.3", T0.replace(tzinfo=None))])


def test_spot_price_that_is_not_a_number_is_rejected() -> None:
    with pytest.raises(PriceDataMalformed, match="g5.xlarge us-east-1a.*SpotPrice"):
        spot_price_by_instance_type([_spot("us-east-1a", "n/a", T0)])


def test_price_list_item_keeps_full_decimal_precision() -> None:
    item = ec2_product(sku="X", instance_type="p5.48xlarge", on_demand="98.3200000001")

    assert parse_price_list_item(json.dumps(item)).on_demand_hourly == Decimal("98.3200000001")


def test_price_list_item_without_on_demand_term_names_sku_and_field() -> None:
    item = ec2_product(sku="NOOD", instance_type="g5.xlarge")
    del item["terms"]["OnDemand"]

    with pytest.raises(PriceDataMalformed, match=r"NOOD.*terms\.OnDemand"):
        parse_price_list_item(json.dumps(item))


def test_price_list_item_that_is_not_json_is_rejected() -> None:
    with pytest.raises(PriceDataMalformed, match="json"):
        parse_price_list_item("{not json")


def test_reserved_terms_with_only_upfront_options_give_no_commitment_price() -> None:
    item = ec2_product(
        sku="PU",
        instance_type="g5.xlarge",
        reserved={("1yr", "standard", "All Upfront"): "0.0000000000"},
    )

    assert parse_price_list_item(json.dumps(item)).commit_1y_hourly is None


def _sku(**price: object) -> Sku:
    return Sku.from_json(json.dumps(gcp_sku("S1", "Nvidia L4 GPU running in Americas", **price)))


def test_sku_unit_price_is_units_plus_nanos_exactly() -> None:
    assert unit_price(_sku(units=2, nanos=933908000)) == Decimal("2.933908")
    assert unit_price(_sku(units=0, nanos=1)) == Decimal("0.000000001")


def test_sku_with_negative_nanos_is_rejected() -> None:
    with pytest.raises(PriceDataMalformed, match="S1.*unit_price"):
        unit_price(_sku(units=1, nanos=-5))


def test_sku_priced_in_another_currency_is_rejected() -> None:
    raw = gcp_sku("S1", "Nvidia L4 GPU running in Americas", nanos=5)
    raw["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["currencyCode"] = (
        "EUR"
    )

    with pytest.raises(PriceDataMalformed, match="currency_code"):
        unit_price(Sku.from_json(json.dumps(raw)))


def test_machine_shapes_match_the_default_table_gpu_counts() -> None:
    assert GCP_MACHINE_SHAPES["a2-highgpu-8g"].gpus == 8
    assert GCP_MACHINE_SHAPES["a2-ultragpu-8g"].memory_gib == 1360
    assert GCP_MACHINE_SHAPES["a3-highgpu-8g"].vcpus == 208
    assert GCP_MACHINE_SHAPES["g2-standard-48"].gpus == 4


def test_spot_median_finer_than_the_money_column_is_rounded_once_to_ten_places() -> None:
    records = [_spot("us-east-1a", "0.0000000001", T0), _spot("us-east-1b", "0.0000000002", T0)]

    # (1e-10 + 2e-10) / 2 = 1.5e-10 -> banker's rounding to 10 places -> 2e-10.
    assert spot_price_by_instance_type(records) == {"g5.xlarge": Decimal("0.0000000002")}
