import json
from decimal import Decimal

import pytest
from pytest_django.fixtures import Settings

from apps.catalog.models import PriceBookEntry
from apps.catalog.parsers.prices import PriceDataMalformed
from apps.catalog.services.price_book_seed import DEFAULT_SOURCE, price_book_seed
from apps.catalog.services.price_import_gcp import SOURCE, price_import_gcp
from apps.catalog.tests.conftest import NOW
from apps.catalog.tests.price_data import gcp_sku
from apps.common.errors import SourceUnavailable, ValidationFailed
from tests.fakes.gcp_catalog import COMPUTE_ENGINE_ID, FakeCloudCatalog

pytestmark = pytest.mark.django_db
TYPES = ["a2-highgpu-1g", "a2-highgpu-8g", "g2-standard-4", "g2-standard-48"]


def _import(**kwargs: object) -> object:
    kwargs.setdefault("regions", ["us-central1"])
    kwargs.setdefault("instance_types", TYPES)
    return price_import_gcp(now=NOW, **kwargs)


def test_machine_prices_are_gpu_plus_core_plus_ram_skus_exactly(
    fake_gcp: FakeCloudCatalog,
) -> None:
    result = _import()

    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    a2 = PriceBookEntry.objects.get(provider="gcp", instance_type="a2-highgpu-1g")
    # 1 x 2.933908 + 12 x 0.031611 + 85 x 0.004237
    assert a2.on_demand_hourly == Decimal("3.673385")
    # 1 x 0.88017 + 12 x 0.00948 + 85 x 0.00127
    assert a2.spot_hourly == Decimal("1.10188")
    # 1 x 1.848362 + 12 x 0.019915 + 85 x 0.002669
    assert a2.commit_1y_hourly == Decimal("2.314207")
    # 1 x 1.026868 + 12 x 0.014225 + 85 x 0.001907
    assert a2.commit_3y_hourly == Decimal("1.359663")
    assert (a2.gpu_model, a2.gpus_per_instance, a2.gpu_memory_gb, a2.supports_fp8) == (
        "A100-40GB",
        1,
        40,
        False,
    )
    assert (a2.source, a2.source_date, a2.region) == (SOURCE, NOW.date(), "us-central1")
    # 8 x 2.933908 + 96 x 0.031611 + 680 x 0.004237
    assert PriceBookEntry.objects.get(instance_type="a2-highgpu-8g").on_demand_hourly == Decimal(
        "29.38708"
    )
    g2 = PriceBookEntry.objects.get(instance_type="g2-standard-4")
    assert g2.on_demand_hourly == Decimal("0.70684")  # 0.56004 + 4 x 0.024988 + 16 x 0.002928
    assert g2.spot_hourly == Decimal("0.28268")  # 0.224 + 4 x 0.00999 + 16 x 0.00117
    # No G2 or L4 commitment SKU in the catalogue: no commitment price, not a guess.
    assert (g2.commit_1y_hourly, g2.commit_3y_hourly) == (None, None)
    assert (g2.gpu_model, g2.gpu_memory_gb, g2.supports_fp8) == ("L4", 24, True)
    # 4 x 0.56004 + 48 x 0.024988 + 192 x 0.002928
    assert PriceBookEntry.objects.get(instance_type="g2-standard-48").on_demand_hourly == Decimal(
        "4.00176"
    )


def test_every_sku_page_is_read(fake_gcp: FakeCloudCatalog) -> None:
    _import()

    sku_pages = [path for _, path in fake_gcp.http.calls if f"{COMPUTE_ENGINE_ID}/skus" in path]
    # 22 SKUs, 2 per page; the G2 RAM SKU sits on page 8 and the decoys after it.
    assert len(sku_pages) == 11
    assert "pageToken=20" in sku_pages[-1]
    assert "currencyCode=USD" in sku_pages[0]


def test_second_import_of_same_skus_changes_nothing(fake_gcp: FakeCloudCatalog) -> None:
    _import()
    stamps = dict(PriceBookEntry.objects.values_list("instance_type", "updated_at"))

    again = _import()

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert dict(PriceBookEntry.objects.values_list("instance_type", "updated_at")) == stamps


def test_region_outside_the_skus_service_regions_is_not_priced(
    fake_gcp: FakeCloudCatalog,
) -> None:
    result = _import(regions=["europe-west4"], instance_types=["a2-highgpu-1g"])

    # The EMEA A100 SKU alone is not enough: A2 core and RAM SKUs are Americas only here.
    assert result.not_found == ("a2-highgpu-1g europe-west4",)
    assert not PriceBookEntry.objects.exists()


def test_machine_type_whose_gpu_sku_is_missing_is_reported_not_written(
    fake_gcp: FakeCloudCatalog,
) -> None:
    result = _import(instance_types=["a3-highgpu-8g", "g2-standard-4"])

    assert result.not_found == ("a3-highgpu-8g us-central1",)
    assert list(PriceBookEntry.objects.values_list("instance_type", flat=True)) == ["g2-standard-4"]


def test_imported_rows_replace_default_seed_and_reseeding_keeps_them(
    fake_gcp: FakeCloudCatalog,
) -> None:
    price_book_seed()

    _import()
    reseed = price_book_seed()

    a2 = PriceBookEntry.objects.get(provider="gcp", instance_type="a2-highgpu-1g")
    assert (a2.source, a2.on_demand_hourly) == (SOURCE, Decimal("3.673385"))
    assert reseed.kept == 4
    assert set(
        PriceBookEntry.objects.filter(provider="gcp", source=DEFAULT_SOURCE).values_list(
            "instance_type", flat=True
        )
    ) == {"a2-ultragpu-8g", "a3-highgpu-8g"}


def test_unreachable_catalog_raises_source_unavailable_and_writes_nothing(
    fake_gcp: FakeCloudCatalog, settings: Settings, closed_port_url: str
) -> None:
    price_book_seed()
    before = list(PriceBookEntry.objects.values_list("id", "on_demand_hourly", "source"))
    settings.PRICE_IMPORT_GCP_API_ENDPOINT = closed_port_url

    with pytest.raises(SourceUnavailable, match="unreachable"):
        _import()

    assert list(PriceBookEntry.objects.values_list("id", "on_demand_hourly", "source")) == before


def test_catalog_outage_raises_source_unavailable(fake_gcp: FakeCloudCatalog) -> None:
    fake_gcp.status = 503

    with pytest.raises(SourceUnavailable):
        _import()
    assert not PriceBookEntry.objects.exists()


def test_sku_without_tiered_rates_names_sku_and_field_and_writes_nothing(
    fake_gcp: FakeCloudCatalog,
) -> None:
    bad = gcp_sku("L4-BROKEN", "Nvidia L4 GPU running in Americas", nanos=560040000)
    bad["pricingInfo"][0]["pricingExpression"]["tieredRates"] = []
    fake_gcp.skus = [s for s in fake_gcp.skus if s["skuId"] != "L4-OD"] + [bad]

    with pytest.raises(PriceDataMalformed) as caught:
        _import()

    assert "L4-BROKEN" in caught.value.message
    assert "tiered_rates" in caught.value.message
    assert not PriceBookEntry.objects.exists()


def test_ram_sku_priced_per_hour_instead_of_per_gib_hour_is_rejected(
    fake_gcp: FakeCloudCatalog,
) -> None:
    fake_gcp.skus = [s for s in fake_gcp.skus if s["skuId"] != "A2-RAM"] + [
        gcp_sku("A2-RAM-H", "A2 Instance Ram running in Americas", group="RAM", nanos=4237000)
    ]

    with pytest.raises(PriceDataMalformed, match=r"A2-RAM-H.*usage_unit"):
        _import()


def test_two_skus_pricing_one_component_in_one_region_is_rejected(
    fake_gcp: FakeCloudCatalog,
) -> None:
    fake_gcp.skus = [
        *fake_gcp.skus,
        gcp_sku("L4-IOWA", "Nvidia L4 GPU running in Iowa", regions=("us-central1",), nanos=1),
    ]

    with pytest.raises(PriceDataMalformed, match="L4-IOWA.*L4-OD"):
        _import()
    assert not PriceBookEntry.objects.exists()


def test_body_that_is_not_a_sku_list_is_an_error_and_writes_nothing(
    fake_gcp: FakeCloudCatalog,
) -> None:
    fake_gcp.raw_skus_body = json.dumps({"skus": [{"skuId": 42, "pricingInfo": "x"}]}).encode()

    with pytest.raises(PriceDataMalformed, match="list_skus response.*skuId"):
        _import()
    assert not PriceBookEntry.objects.exists()


def test_unknown_machine_type_is_refused_before_calling_gcp(fake_gcp: FakeCloudCatalog) -> None:
    with pytest.raises(ValidationFailed, match="n1-standard-8"):
        _import(instance_types=["n1-standard-8"])
    assert fake_gcp.http.calls == []
