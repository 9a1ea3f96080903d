"""Tags as one JSON object per line item (key convention: docs/billing.md)."""

import json
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from apps.billing.parsers.common import constant


def tags_json(rows: Iterable[dict]) -> pa.Array:
    """Tags as JSON text per row (``{}`` when none), keys sorted for stable output."""
    return pa.array(
        [json.dumps(tags, sort_keys=True, ensure_ascii=False) if tags else "{}" for tags in rows],
        pa.string(),
    )


def _json_strings(values: pa.Array) -> pa.Array:
    """Each value as a JSON string literal, escaped with Arrow kernels (no per-row Python)."""
    if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f]")).as_py():
        # Control characters need \uXXXX escapes; rare enough to leave to json.dumps.
        dumped = [
            None if v is None else json.dumps(v, ensure_ascii=False) for v in values.to_pylist()
        ]
        return pa.array(dumped, pa.string())
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    return pc.binary_join_element_wise('"', escaped, '"', "")


def tags_from_columns(columns: dict[str, pa.Array], length: int) -> pa.Array:
    """Tags JSON from one text column per key; empty cells are absent keys.

    The output equals ``json.dumps(tags, sort_keys=True, ensure_ascii=False)`` per row.
    """
    if not columns:
        return constant("{}", length)
    fragments = []
    for key in sorted(columns):
        values = pc.utf8_trim_whitespace(pc.fill_null(columns[key], ""))
        fragment = pc.binary_join_element_wise(
            ", " + json.dumps(key, ensure_ascii=False) + ": ", _json_strings(values), ""
        )
        fragments.append(pc.if_else(pc.equal(values, ""), "", fragment))
    joined = pc.replace_substring_regex(pc.binary_join_element_wise(*fragments, ""), "^, ", "")
    return pc.binary_join_element_wise("{", joined, "}", "")
