"""Fake BigQuery REST API (v2): the calls ``google.cloud.bigquery.Client`` makes for a query.

* ``tables.get`` (schema and partitioning of a billing export table),
* ``jobs.query`` (POST ``/projects/{p}/queries``: runs the query, answers the first page),
* ``jobs.get`` and ``jobs.getQueryResults`` (GET ``/projects/{p}/queries/{job}``, ``pageToken``).

The fake does not implement SQL. It understands the one shape ``apps.billing.bigquery`` sends:
a select list of top-level columns and ``STRUCT(parent.leaf AS leaf, …) AS parent`` items,
``FROM `project.dataset.table```, and the ``@invoice_month`` parameter, which it applies. A column
the table does not have is refused as BigQuery refuses it (400 ``invalidQuery``). Rows are
nested dicts; FLOAT cells are given as text (the REST API sends every scalar as a string) and
TIMESTAMP cells as ISO text (sent as integer microseconds, as ``useInt64Timestamp`` asks).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeHttpServer

PREFIX = "/bigquery/v2"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STRUCT_ITEM = re.compile(r"^STRUCT\((?P<leaves>.*)\) AS (?P<name>\w+)$", re.DOTALL)
_LEAF = re.compile(r"^(?P<parent>\w+)\.(?P<leaf>\w+) AS (?P=leaf)$")


def field_(name: str, type_: str, mode: str = "NULLABLE", fields: list | None = None) -> dict:
    result = {"name": name, "type": type_, "mode": mode}
    if fields:
        result["fields"] = fields
    return result


def export_schema(*, detailed: bool, cost_at_list: bool = True) -> list[dict]:
    """The columns of a GCP billing export table that matter here (standard or detailed)."""
    key_value = [field_("key", "STRING"), field_("value", "STRING")]
    fields = [
        field_("billing_account_id", "STRING"),
        field_(
            "service", "RECORD", fields=[field_("id", "STRING"), field_("description", "STRING")]
        ),
        field_("sku", "RECORD", fields=[field_("id", "STRING"), field_("description", "STRING")]),
        field_("usage_start_time", "TIMESTAMP"),
        field_("usage_end_time", "TIMESTAMP"),
        field_("project", "RECORD", fields=[field_("id", "STRING"), field_("name", "STRING")]),
        field_("labels", "RECORD", "REPEATED", key_value),
        field_(
            "location", "RECORD", fields=[field_("location", "STRING"), field_("region", "STRING")]
        ),
        field_("export_time", "TIMESTAMP"),
        field_("cost", "FLOAT"),
        field_("currency", "STRING"),
        field_(
            "usage",
            "RECORD",
            fields=[
                field_("amount", "FLOAT"),
                field_("unit", "STRING"),
                field_("amount_in_pricing_units", "FLOAT"),
                field_("pricing_unit", "STRING"),
            ],
        ),
        field_(
            "credits",
            "RECORD",
            "REPEATED",
            [field_("name", "STRING"), field_("amount", "FLOAT"), field_("type", "STRING")],
        ),
        field_("invoice", "RECORD", fields=[field_("month", "STRING")]),
        field_("cost_type", "STRING"),
    ]
    if cost_at_list:
        fields.append(field_("cost_at_list", "FLOAT"))
    if detailed:
        fields.append(
            field_(
                "resource",
                "RECORD",
                fields=[field_("name", "STRING"), field_("global_name", "STRING")],
            )
        )
    return fields


@dataclass
class FakeTable:
    schema: list[dict]
    rows: list[dict] = field(default_factory=list)
    partition_field: str | None = None  # None: ingestion-time (_PARTITIONTIME)


@dataclass
class FakeBigQuery:
    """``tables``: ``{"project.dataset.table": FakeTable}``. ``fail_page``: answer that page
    number (1 = the jobs.query answer) with ``fail_status``, ``failures_left`` times (None:
    always). ``queries`` logs the jobs.query bodies, ``calls`` the requests (once served)."""

    tables: dict[str, FakeTable] = field(default_factory=dict)
    page_size: int = 2
    fail_page: int | None = None
    fail_status: int = 503
    failures_left: int | None = None  # None: fail_page fails every time
    queries: list[dict] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _results: dict[str, tuple[list[dict], list[dict], str]] = field(default_factory=dict)

    def server(self) -> FakeHttpServer:
        return FakeHttpServer(self._route)

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segments = parts.path.removeprefix(PREFIX).strip("/").split("/")
        match segments:
            case ["projects", project, "datasets", dataset, "tables", table] if method == "GET":
                return self._table_get(f"{project}.{dataset}.{table}")
            case ["projects", project, "queries"] if method == "POST":
                return self._jobs_query(project, json.loads(body))
            case ["projects", project, "queries", job_id] if method == "GET":
                return self._page(project, job_id, query)
            case ["projects", project, "jobs", job_id] if method == "GET":
                return self._job(project, job_id)
        return _error(404, "notFound", f"no route {method} {parts.path}")

    def _table_get(self, table_id: str) -> tuple[int, str, bytes]:
        table = self.tables.get(table_id)
        if table is None:
            return _error(404, "notFound", f"Not found: Table {table_id}")
        project, dataset, name = table_id.split(".")
        partitioning = {"type": "DAY"}
        if table.partition_field:
            partitioning["field"] = table.partition_field
        resource = {
            "kind": "bigquery#table",
            "id": f"{project}:{dataset}.{name}",
            "tableReference": {"projectId": project, "datasetId": dataset, "tableId": name},
            "schema": {"fields": table.schema},
            "timePartitioning": partitioning,
            "type": "TABLE",
            "location": "US",
        }
        return 200, "application/json", json.dumps(resource).encode()

    def _jobs_query(self, project: str, request: dict) -> tuple[int, str, bytes]:
        self.queries.append(request)
        sql = request["query"]
        found = re.search(r"FROM `([\w-]+\.\w+\.\w+)`", sql)
        table = self.tables.get(found.group(1)) if found else None
        if table is None:
            return _error(404, "notFound", "Not found: Table")
        try:
            schema, projections = _select_list(sql, table.schema)
        except KeyError as exc:
            return _error(400, "invalidQuery", f"Unrecognized name: {exc.args[0]}")
        params = {
            p["name"]: p["parameterValue"]["value"] for p in request.get("queryParameters", [])
        }
        rows = [
            _project(row, projections)
            for row in table.rows
            if row["invoice"]["month"] == params.get("invoice_month")
        ]
        job_id = f"job_{len(self.queries)}"
        self._results[job_id] = (schema, rows, sql)
        return self._page(project, job_id, {"maxResults": request.get("maxResults")}, first=True)

    def _page(
        self, project: str, job_id: str, query: dict, *, first: bool = False
    ) -> tuple[int, str, bytes]:
        schema, rows, _ = self._results[job_id]
        start = int(query.get("pageToken") or 0)
        page_number = 1 + start // self.page_size
        if self.fail_page == page_number and self.failures_left != 0:
            if self.failures_left is not None:
                self.failures_left -= 1
            return _error(self.fail_status, "backendError", "fake outage")
        size = min(self.page_size, int(query.get("maxResults") or self.page_size))
        end = start + size
        response = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobReference": {"projectId": project, "jobId": job_id, "location": "US"},
            "jobComplete": True,
            "schema": {"fields": schema},
            "totalRows": str(len(rows)),
            "rows": [_encode_row(row, schema) for row in rows[start:end]],
        }
        if end < len(rows):
            response["pageToken"] = str(end)
        return 200, "application/json", json.dumps(response).encode()

    def _job(self, project: str, job_id: str) -> tuple[int, str, bytes]:
        _, _, sql = self._results[job_id]
        job = {
            "kind": "bigquery#job",
            "jobReference": {"projectId": project, "jobId": job_id, "location": "US"},
            "configuration": {"query": {"query": sql, "useLegacySql": False}},
            "status": {"state": "DONE"},
        }
        return 200, "application/json", json.dumps(job).encode()


def _error(status: int, reason: str, message: str) -> tuple[int, str, bytes]:
    body = {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}
    return status, "application/json", json.dumps(body).encode()


def _top_level_items(select_list: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in select_list:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


def _select_list(sql: str, table_schema: list[dict]) -> tuple[list[dict], list]:
    """The result schema and ``[(name, None | [leaf, …])]`` of the query's select list."""
    by_name = {f["name"]: f for f in table_schema}
    select_list = sql.split("SELECT", 1)[1].split("\nFROM", 1)[0]
    schema, projections = [], []
    for item in _top_level_items(select_list):
        struct = _STRUCT_ITEM.match(item)
        if struct is None:
            schema.append(by_name[item])
            projections.append((item, None))
            continue
        parent = by_name[struct["name"]]
        children = {f["name"]: f for f in parent["fields"]}
        leaves = []
        for text in _top_level_items(struct["leaves"]):
            leaf = _LEAF.match(text)
            if leaf is None or leaf["parent"] != struct["name"]:
                raise KeyError(text)
            leaves.append(children[leaf["leaf"]]["name"])
        schema.append({**parent, "fields": [children[name] for name in leaves]})
        projections.append((struct["name"], leaves))
    return schema, projections


def _project(row: dict, projections: list) -> dict:
    result = {}
    for name, leaves in projections:
        value = row.get(name)
        result[name] = (
            value if leaves is None or value is None else {k: value.get(k) for k in leaves}
        )
    return result


def _encode_cell(value: object, schema_field: dict) -> object:
    if schema_field.get("mode") == "REPEATED":
        item = {**schema_field, "mode": "NULLABLE"}
        return [{"v": _encode_cell(v, item)} for v in value or []]
    if value is None:
        return None
    if schema_field["type"] == "RECORD":
        return _encode_row(value, schema_field["fields"])
    if schema_field["type"] == "TIMESTAMP":
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return str((instant - EPOCH) // timedelta(microseconds=1))
    return str(value)


def _encode_row(row: dict, schema: list[dict]) -> dict:
    return {"f": [{"v": _encode_cell(row.get(f["name"]), f)} for f in schema]}
