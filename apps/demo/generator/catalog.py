"""The catalog that matches a generated dataset, as plain JSON data (pure code, no ORM).

Attribution rules: every endpoint has a ``tag`` rule on ``costgov:endpoint`` with its own name.
Endpoints whose dedicated replicas are untagged also get one ``resource`` rule per replica (the
instance id as pattern). Shared-node endpoints have no billing rule: the pool nodes are shared
cost, split by telemetry.
"""

from apps.demo.generator.anomalies import AnomalyPlan
from apps.demo.generator.prices import price_book
from apps.demo.generator.topology import ENDPOINT_TAG, REGION, Topology

SERVING_FRAMEWORK = {"sdxl": "diffusers", "embed": "text-embeddings-inference"}


def catalog_describe(*, topo: Topology, plan: AnomalyPlan) -> dict:
    teams = [
        {"name": t.name, "cost_center": t.cost_center, "contact_email": t.contact_email,
         "timezone": t.timezone}
        for t in topo.teams
    ]  # fmt: skip
    endpoints = []
    for e in topo.endpoints:
        rules: list[dict] = [{"kind": "tag", "tag_key": ENDPOINT_TAG, "values": [e.name],
                              "pattern": "", "priority": 100}]  # fmt: skip
        if e.hosting == "dedicated" and not e.is_tagged:
            rules.extend(
                {"kind": "resource", "tag_key": "", "values": [], "pattern": i.resource_id,
                 "priority": 100}
                for i in topo.instances
                if i.owner == e.name
            )  # fmt: skip
        endpoints.append(
            {
                "name": e.name, "team": e.team, "model": e.family.model,
                "model_family": e.family.name,
                "parameter_count": e.family.parameter_count,
                "precision": e.family.precision,
                "serving_framework": SERVING_FRAMEWORK.get(e.family.short, "vllm"),
                "accelerator_type": e.accelerator_type, "accelerator_count": e.accelerator_count,
                "instance_type": e.instance_type, "provider": "aws", "region": REGION,
                "pricing_category": e.pricing_category, "lanes": list(e.lanes),
                "is_interruption_tolerant": e.pricing_category == "spot",
                "hosting": e.hosting, "attribution_rules": rules,
            }
        )  # fmt: skip
    instances = [
        {"resource_id": i.resource_id, "name": i.name, "instance_type": i.instance_type,
         "gpus": price_book()[i.instance_type].gpus, "pricing": i.pricing,
         "account_id": i.account_id, "owner": i.owner, "pool": i.pool,
         "endpoints": list(i.endpoints), "tags": dict(sorted(i.tags.items())),
         "start": i.start.strftime("%Y-%m-%dT%H:%M:%SZ") if i.start else None,
         "end": i.end.strftime("%Y-%m-%dT%H:%M:%SZ") if i.end else None,
         "is_routable": i.is_routable}
        for i in topo.instances
    ]  # fmt: skip
    users = [
        {"username": "admin", "role": "admin", "is_superuser": True, "is_staff": True,
         "teams": []},
        {"username": "finance", "role": "finance", "is_superuser": False, "is_staff": False,
         "teams": []},
        {"username": "sre", "role": "sre", "is_superuser": False, "is_staff": False,
         "teams": []},
        *({"username": f"owner-{t.name}", "role": "owner", "is_superuser": False,
           "is_staff": False, "teams": [t.name]} for t in topo.teams),
    ]  # fmt: skip
    return {"teams": teams, "endpoints": endpoints, "instances": instances, "users": users,
            "anomaly_instances": [i.resource_id for i in plan.extra_instances]}  # fmt: skip
