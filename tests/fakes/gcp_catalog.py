"""Fake GCP Cloud Billing Catalog API (REST v1): ``services`` and ``services/{id}/skus``.

Answers the paths the ``CloudCatalogClient`` REST transport calls, with ``pageSize`` /
``pageToken`` paging, so the real client (and its pager) is exercised.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeHttpServer

COMPUTE_ENGINE_ID = "6F81-5844-456A"
SERVICES = [
    {
        "name": "services/6F81-5844-456A",
        "serviceId": "6F81-5844-456A",
        "displayName": "Compute Engine",
        "businessEntityName": "businessEntities/GCP",
    },
    {
        "name": "services/95FF-2EF5-5EA1",
        "serviceId": "95FF-2EF5-5EA1",
        "displayName": "Cloud Storage",
        "businessEntityName": "businessEntities/GCP",
    },
]


@dataclass
class FakeCloudCatalog:
    """``skus``: Compute Engine SKUs as REST JSON dicts. ``status`` != 200 fails every call."""

    skus: list[dict] = field(default_factory=list)
    page_size: int = 2
    status: int = 200
    raw_skus_body: bytes | None = None

    def server(self) -> FakeHttpServer:
        return FakeHttpServer(self._route)

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        if self.status != 200:
            error = {"error": {"code": self.status, "message": "fake outage", "status": "X"}}
            return self.status, "application/json", json.dumps(error).encode()
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/v1/services":
            return 200, "application/json", self._page("services", SERVICES, query)
        if parts.path == f"/v1/services/{COMPUTE_ENGINE_ID}/skus":
            if self.raw_skus_body is not None:
                return 200, "application/json", self.raw_skus_body
            return 200, "application/json", self._page("skus", self.skus, query)
        if parts.path.startswith("/v1/services/") and parts.path.endswith("/skus"):
            return 200, "application/json", self._page("skus", [], query)
        return 404, "application/json", b'{"error": {"code": 404, "message": "not found"}}'

    def _page(self, name: str, items: list[dict], query: dict[str, str]) -> bytes:
        start = int(query.get("pageToken") or 0)
        end = start + min(self.page_size, int(query.get("pageSize") or self.page_size))
        token = str(end) if end < len(items) else ""
        return json.dumps({name: items[start:end], "nextPageToken": token}).encode()
