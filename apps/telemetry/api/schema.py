"""The event JSON Schema, adapted for the OpenAPI 3.0 document."""

import copy
import json
from functools import cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "event.schema.json"


@cache
def event_json_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _to_openapi(node: object) -> object:
    """JSON Schema 2020-12 -> OpenAPI 3.0: ``[T, "null"]`` types become ``nullable``."""
    if isinstance(node, dict):
        out = {k: _to_openapi(v) for k, v in node.items() if not k.startswith("$")}
        types = out.get("type")
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            out["type"] = rest[0]
            out["nullable"] = len(rest) < len(types)
        if "enum" in out and None in out["enum"]:
            out["enum"] = [v for v in out["enum"] if v is not None]
            out["type"], out["nullable"] = "string", True
        return out
    if isinstance(node, list):
        return [_to_openapi(v) for v in node]
    return node


def event_openapi_schema() -> dict:
    return _to_openapi(copy.deepcopy(event_json_schema()))
