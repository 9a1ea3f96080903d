"""Provider catalogue records shaped like the real APIs' answers, for the importer tests."""

from datetime import datetime, timedelta

from tests.fakes.aws import SpotRecord


def ec2_product(
    *,
    sku: str,
    instance_type: str,
    region: str = "us-east-1",
    gpus: str = "8",
    gpu_memory: str | None = "320 GB",
    on_demand: str = "32.7726000000",
    reserved: dict[tuple[str, str, str], str] | None = None,
    **attributes: str,
) -> dict:
    """One Price List item; ``reserved``: {(length, class, purchase option): hourly USD}."""
    attrs = {
        "servicecode": "AmazonEC2",
        "instanceType": instance_type,
        "regionCode": region,
        "location": {"us-east-1": "US East (N. Virginia)"}.get(region, "US West (Oregon)"),
        "locationType": "AWS Region",
        "instanceFamily": "GPU instance",
        "vcpu": "96",
        "memory": "1152 GiB",
        "gpu": gpus,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
        "operation": "RunInstances",
        "usagetype": f"BoxUsage:{instance_type}",
        **attributes,
    }
    if gpu_memory is not None:
        attrs["gpuMemory"] = gpu_memory
    on_demand_key = f"{sku}.JRTCKXETXF"
    terms = {
        "OnDemand": {
            on_demand_key: {
                "offerTermCode": "JRTCKXETXF",
                "sku": sku,
                "effectiveDate": "2026-11-01T00:00:00Z",
                "priceDimensions": {
                    f"{on_demand_key}.6YS6EN2CT7": {
                        "rateCode": f"{on_demand_key}.6YS6EN2CT7",
                        "description": f"${on_demand} per On Demand Linux {instance_type} Hour",
                        "beginRange": "0",
                        "endRange": "Inf",
                        "unit": "Hrs",
                        "pricePerUnit": {"USD": on_demand},
                        "appliesTo": [],
                    }
                },
                "termAttributes": {},
            }
        }
    }
    reserved_terms = {}
    for n, ((length, offering_class, option), hourly) in enumerate((reserved or {}).items()):
        key = f"{sku}.RESERVED{n}"
        dimensions = {
            f"{key}.6YS6EN2CT7": {
                "unit": "Hrs",
                "pricePerUnit": {"USD": hourly},
                "description": f"{instance_type} reserved hourly",
            }
        }
        if option != "No Upfront":
            dimensions[f"{key}.2TG2D8R56U"] = {
                "unit": "Quantity",
                "pricePerUnit": {"USD": "100000"},
                "description": "Upfront Fee",
            }
        reserved_terms[key] = {
            "offerTermCode": f"RESERVED{n}",
            "sku": sku,
            "priceDimensions": dimensions,
            "termAttributes": {
                "LeaseContractLength": length,
                "OfferingClass": offering_class,
                "PurchaseOption": option,
            },
        }
    if reserved_terms:
        terms["Reserved"] = reserved_terms
    return {
        "product": {"productFamily": "Compute Instance", "attributes": attrs, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": terms,
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z",
    }


def p4d_products() -> list[dict]:
    """p4d.24xlarge in us-east-1 with reserved terms, plus products the filters must exclude."""
    reserved = {
        ("1yr", "standard", "No Upfront"): "20.1740000000",
        ("3yr", "standard", "No Upfront"): "12.9180000000",
        ("1yr", "convertible", "No Upfront"): "23.9530000000",
        ("1yr", "standard", "Partial Upfront"): "9.6360000000",
    }
    return [
        ec2_product(sku="P4DLINUXUSE1", instance_type="p4d.24xlarge", reserved=reserved),
        ec2_product(
            sku="P4DWINUSE1",
            instance_type="p4d.24xlarge",
            on_demand="37.1886000000",
            operatingSystem="Windows",
        ),
        ec2_product(
            sku="P4DDEDUSE1",
            instance_type="p4d.24xlarge",
            on_demand="36.0499000000",
            tenancy="Dedicated",
        ),
        ec2_product(
            sku="P4DUNUSEDUSE1",
            instance_type="p4d.24xlarge",
            on_demand="32.7726000000",
            capacitystatus="UnusedCapacityReservation",
        ),
        ec2_product(
            sku="P4DLINUXUSW2",
            instance_type="p4d.24xlarge",
            region="us-west-2",
            on_demand="32.7726000000",
        ),
    ]


def g6_products() -> list[dict]:
    return [
        ec2_product(
            sku="G6XLLINUXUSE1",
            instance_type="g6.xlarge",
            gpus="1",
            gpu_memory="24 GB",
            on_demand="0.8048000000",
        )
    ]


def gcp_sku(
    sku_id: str,
    description: str,
    *,
    usage_type: str = "OnDemand",
    group: str = "GPU",
    regions: tuple[str, ...] = ("us-central1", "us-east1", "us-west1"),
    unit: str = "h",
    units: int = 0,
    nanos: int = 0,
) -> dict:
    """One Compute Engine SKU as the Cloud Catalog REST API returns it."""
    return {
        "name": f"services/6F81-5844-456A/skus/{sku_id}",
        "skuId": sku_id,
        "description": description,
        "category": {
            "serviceDisplayName": "Compute Engine",
            "resourceFamily": "Compute",
            "resourceGroup": group,
            "usageType": usage_type,
        },
        "serviceRegions": list(regions),
        "pricingInfo": [
            {
                "summary": "",
                "pricingExpression": {
                    "usageUnit": unit,
                    "displayQuantity": 1,
                    "tieredRates": [
                        {
                            "startUsageAmount": 0,
                            "unitPrice": {
                                "currencyCode": "USD",
                                "units": str(units),
                                "nanos": nanos,
                            },
                        }
                    ],
                    "usageUnitDescription": "hour" if unit == "h" else "gibibyte hour",
                    "baseUnit": "s" if unit == "h" else "By.s",
                    "baseUnitDescription": "second",
                    "baseUnitConversionFactor": 3600,
                },
                "currencyConversionRate": 1,
                "effectiveTime": "2026-11-20T12:00:00.000Z",
            }
        ],
        "serviceProviderName": "Google",
    }


AMERICAS = ("us-central1", "us-east1", "us-west1")


def gcp_skus() -> list[dict]:
    """A2 (A100 40GB) and G2 (L4) component SKUs for the Americas, with decoys."""
    spot, c1, c3 = "Preemptible", "Commit1Yr", "Commit3Yr"
    return [
        gcp_sku("A100-OD", "Nvidia Tesla A100 GPU running in Americas", units=2, nanos=933908000),
        gcp_sku(
            "A100-SPOT",
            "Spot Preemptible Nvidia Tesla A100 GPU running in Americas",
            usage_type=spot,
            nanos=880170000,
        ),
        gcp_sku(
            "A100-C1",
            "Commitment v1: Nvidia Tesla A100 GPU in Americas for 1 Year",
            usage_type=c1,
            units=1,
            nanos=848362000,
        ),
        gcp_sku(
            "A100-C3",
            "Commitment v1: Nvidia Tesla A100 GPU in Americas for 3 Year",
            usage_type=c3,
            units=1,
            nanos=26868000,
        ),
        gcp_sku("A2-CORE", "A2 Instance Core running in Americas", group="CPU", nanos=31611000),
        gcp_sku(
            "A2-RAM",
            "A2 Instance Ram running in Americas",
            group="RAM",
            unit="GiBy.h",
            nanos=4237000,
        ),  # fmt: skip
        gcp_sku(
            "A2-CORE-SPOT",
            "Spot Preemptible A2 Instance Core running in Americas",
            usage_type=spot,
            group="CPU",
            nanos=9480000,
        ),
        gcp_sku(
            "A2-RAM-SPOT",
            "Spot Preemptible A2 Instance Ram running in Americas",
            usage_type=spot,
            group="RAM",
            unit="GiBy.h",
            nanos=1270000,
        ),
        gcp_sku(
            "A2-CPU-C1",
            "Commitment v1: A2 Cpu in Americas for 1 Year",
            usage_type=c1,
            group="CPU",
            nanos=19915000,
        ),
        gcp_sku(
            "A2-RAM-C1",
            "Commitment v1: A2 Ram in Americas for 1 Year",
            usage_type=c1,
            group="RAM",
            unit="GiBy.h",
            nanos=2669000,
        ),
        gcp_sku(
            "A2-CPU-C3",
            "Commitment v1: A2 Cpu in Americas for 3 Year",
            usage_type=c3,
            group="CPU",
            nanos=14225000,
        ),
        gcp_sku(
            "A2-RAM-C3",
            "Commitment v1: A2 Ram in Americas for 3 Year",
            usage_type=c3,
            group="RAM",
            unit="GiBy.h",
            nanos=1907000,
        ),
        gcp_sku("L4-OD", "Nvidia L4 GPU running in Americas", nanos=560040000),
        gcp_sku(
            "L4-SPOT",
            "Spot Preemptible Nvidia L4 GPU running in Americas",
            usage_type=spot,
            nanos=224000000,
        ),
        gcp_sku("G2-CORE", "G2 Instance Core running in Americas", group="CPU", nanos=24988000),
        gcp_sku(
            "G2-RAM",
            "G2 Instance Ram running in Americas",
            group="RAM",
            unit="GiBy.h",
            nanos=2928000,
        ),  # fmt: skip
        gcp_sku(
            "G2-CORE-SPOT",
            "Spot Preemptible G2 Instance Core running in Americas",
            usage_type=spot,
            group="CPU",
            nanos=9990000,
        ),
        gcp_sku(
            "G2-RAM-SPOT",
            "Spot Preemptible G2 Instance Ram running in Americas",
            usage_type=spot,
            group="RAM",
            unit="GiBy.h",
            nanos=1170000,
        ),
        # Decoys: another geography, sole tenancy, a GPU variant without a machine shape here.
        gcp_sku(
            "A100-EMEA",
            "Nvidia Tesla A100 GPU running in EMEA",
            regions=("europe-west4",),
            units=3,
            nanos=0,
        ),
        gcp_sku(
            "A100-SOLE",
            "Nvidia Tesla A100 GPU Sole Tenancy Premium running in Americas",
            units=1,
            nanos=0,
        ),
        gcp_sku("H100-MEGA", "Nvidia H100 80GB Mega GPU running in Americas", units=11),
        gcp_sku(
            "N1-CORE", "N1 Predefined Instance Core running in Americas", group="CPU", nanos=31611
        ),
    ]


def spot_history(now: datetime) -> list[SpotRecord]:
    """p4d.24xlarge and g6.xlarge spot records in us-east-1 zones."""
    day = timedelta(days=1)
    return [
        SpotRecord("p4d.24xlarge", "us-east-1a", "11.0021", now - 3 * day),
        SpotRecord("p4d.24xlarge", "us-east-1a", "12.1043", now - 1 * day),
        SpotRecord("p4d.24xlarge", "us-east-1b", "11.5127", now - 2 * day),
        SpotRecord("p4d.24xlarge", "us-east-1c", "13.0003", now - 5 * day),
        SpotRecord("p4d.24xlarge", "us-east-1d", "10.9876", now - 9 * day),
        SpotRecord("p4d.24xlarge", "us-east-1b", "2.0000", now - 1 * day, "SUSE Linux"),
        SpotRecord("g6.xlarge", "us-east-1a", "0.2811", now - 1 * day),
        SpotRecord("g6.xlarge", "us-east-1b", "0.3102", now - 2 * day),
        SpotRecord("g6.xlarge", "us-east-1c", "0.2999", now - 4 * day),
    ]
