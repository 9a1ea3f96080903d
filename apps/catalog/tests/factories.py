from datetime import date
from decimal import Decimal

import factory

from apps.accounts.tests.factories import TeamFactory
from apps.catalog.models import AttributionRule, ModelEndpoint, PriceBookEntry


class ModelEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelEndpoint

    name = factory.Sequence(lambda n: f"endpoint-{n}")
    team = factory.SubFactory(TeamFactory)
    model_family = "llama-3"
    parameter_count = 8_000_000_000
    precision = "bf16"
    serving_framework = "vllm"
    accelerator_type = "A10G"
    accelerator_count = 1
    instance_type = "g5.xlarge"
    provider = "aws"
    region = "us-east-1"
    pricing_category = "on_demand"
    lanes = factory.LazyFunction(lambda: ["interactive"])


class AttributionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributionRule

    endpoint = factory.SubFactory(ModelEndpointFactory)
    kind = "tag"
    tag_key = "costgov:endpoint"
    values = factory.LazyAttribute(lambda r: [r.endpoint.name])


class PriceBookEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceBookEntry
        django_get_or_create = ("provider", "instance_type", "region")

    provider = "aws"
    instance_type = "g5.xlarge"
    region = "us-east-1"
    gpu_model = "A10G"
    gpus_per_instance = 1
    gpu_memory_gb = 24
    currency = "USD"
    on_demand_hourly = Decimal("1.0060")
    spot_hourly = Decimal("0.3521")
    commit_1y_hourly = Decimal("0.6438")
    commit_3y_hourly = Decimal("0.4024")
    source = "test"
    source_date = date(2025, 1, 15)
