"""Fake AWS endpoints the importers call, for what moto 5.2 does not serve realistically.

* Price List Query API ``GetProducts`` (JSON 1.1, target ``AWSPriceListService.GetProducts``):
  moto has no ``pricing`` service. TERM_MATCH filters on product attributes, ``NextToken`` pages.
* EC2 ``DescribeSpotPriceHistory`` (EC2 query protocol, XML): moto answers with a fixed price
  and timestamp and never pages, so spot statistics and paging are checked here.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from tests.fakes.http import FakeHttpServer

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"


@dataclass
class SpotRecord:
    instance_type: str
    availability_zone: str
    price: str
    timestamp: datetime
    product_description: str = "Linux/UNIX"


@dataclass
class FakeAws:
    """Catalogue data served by the fake; ``products`` are Price List items (dicts or raw text)."""

    products: list[dict | str] = field(default_factory=list)
    spot: list[SpotRecord] = field(default_factory=list)
    page_size: int = 1
    status: int = 200

    def server(self) -> FakeHttpServer:
        return FakeHttpServer(self._route)

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        if self.status != 200:
            return self.status, "application/json", b'{"__type": "InternalError"}'
        target = headers.get("X-Amz-Target", "")
        if target == "AWSPriceListService.GetProducts":
            return 200, "application/x-amz-json-1.1", self._get_products(json.loads(body))
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("Action") == "DescribeSpotPriceHistory":
            # EC2 is regional: the SigV4 credential scope names the region called.
            scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", headers.get("Authorization", ""))
            region = scope.group(1) if scope else "us-east-1"
            return 200, "text/xml", self._spot_history(form, region)
        return 400, "application/json", b'{"__type": "UnknownOperationException"}'

    @staticmethod
    def _page(items: list, token: str | None, size: int) -> tuple[list, str | None]:
        start = int(token or 0)
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)

    def _get_products(self, request: dict) -> bytes:
        def matches(item: dict | str) -> bool:
            if isinstance(item, str):
                return True
            attributes = item["product"]["attributes"]
            return item.get("serviceCode") == request["ServiceCode"] and all(
                attributes.get(f["Field"]) == f["Value"] for f in request.get("Filters", [])
            )

        selected = [i if isinstance(i, str) else json.dumps(i) for i in self.products if matches(i)]
        page, token = self._page(
            selected, request.get("NextToken"), min(self.page_size, request.get("MaxResults", 100))
        )
        response = {"FormatVersion": "aws_v1", "PriceList": page}
        if token:
            response["NextToken"] = token
        return json.dumps(response).encode()

    def _spot_history(self, form: dict[str, str], region: str) -> bytes:
        types = {v for k, v in form.items() if k.startswith("InstanceType.")}
        descriptions = {v for k, v in form.items() if k.startswith("ProductDescription.")}
        selected = [
            r
            for r in self.spot
            if r.availability_zone.startswith(region)
            and (not types or r.instance_type in types)
            and (not descriptions or r.product_description in descriptions)
        ]
        page, token = self._page(selected, form.get("NextToken"), self.page_size)
        items = "".join(
            "<item>"
            f"<instanceType>{escape(r.instance_type)}</instanceType>"
            f"<productDescription>{escape(r.product_description)}</productDescription>"
            f"<spotPrice>{escape(r.price)}</spotPrice>"
            f"<timestamp>{r.timestamp.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</timestamp>"
            f"<availabilityZone>{escape(r.availability_zone)}</availabilityZone>"
            "</item>"
            for r in page
        )
        next_token = f"<nextToken>{token}</nextToken>" if token else "<nextToken/>"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<DescribeSpotPriceHistoryResponse xmlns="{EC2_XMLNS}">'
            f"<requestId>fake-request</requestId>"
            f"<spotPriceHistorySet>{items}</spotPriceHistorySet>{next_token}"
            f"</DescribeSpotPriceHistoryResponse>"
        ).encode()
