"""Matching billing line items to endpoints by attribution rules (pure code, no ORM).

Later stages (attribution) compile the same rules to SQL; this module is the reference semantics.
"""

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Rule:
    endpoint_id: int
    kind: str
    tag_key: str = ""
    values: tuple[str, ...] = ()
    pattern: str = ""
    priority: int = 100


@dataclass(frozen=True)
class LineItemKeys:
    tags: Mapping[str, str]
    resource_id: str = ""
    account_id: str = ""
    instance_type: str = ""


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern))


def rule_matches(rule: Rule, item: LineItemKeys) -> bool:
    if rule.kind == "tag":
        value = item.tags.get(rule.tag_key)
        return value is not None and (not rule.values or value in rule.values)
    if rule.kind == "resource":
        return (
            bool(item.resource_id) and _glob(rule.pattern).fullmatch(item.resource_id) is not None
        )
    if rule.kind == "account":
        return item.account_id == rule.pattern
    if rule.kind == "instance_type":
        return item.instance_type == rule.pattern
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def endpoint_for(rules: Iterable[Rule], item: LineItemKeys) -> int | None:
    """The endpoint of the best matching rule (lowest priority, then tag before resource before
    account before instance type, then lowest endpoint id), or None."""
    kind_rank = {"tag": 0, "resource": 1, "account": 2, "instance_type": 3}
    best: tuple[int, int, int] | None = None
    for rule in rules:
        if rule_matches(rule, item):
            key = (rule.priority, kind_rank[rule.kind], rule.endpoint_id)
            if best is None or key < best:
                best = key
    return None if best is None else best[2]
