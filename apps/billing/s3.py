"""``s3://bucket/prefix``: the latest AWS CUR delivery of every billing period under a prefix.

AWS writes a manifest per delivery. Legacy CUR: ``<prefix>/<report>/<YYYYMMDD-YYYYMMDD>/
<report>-Manifest.json`` with ``billingPeriod.start`` and ``reportKeys`` (object keys). CUR 2.0
(Data Exports): ``<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/…-Manifest.json`` with
``dataFiles`` (``s3://`` URIs). AWS restates a period by delivering it again, so for each
billing period only the most recently written manifest counts; its files are downloaded to a
temporary folder and imported together (one import replaces the period).

Credentials and endpoint come from the standard AWS environment (``AWS_ENDPOINT_URL`` points
the client at a local S3 such as moto in tests).
"""

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from apps.billing.sources import register
from apps.common.errors import InputFileError, SourceUnavailable

MANIFEST_SUFFIX = "Manifest.json"
_PERIOD_FOLDER = re.compile(r"(\d{8})-\d{8}|BILLING_PERIOD=(\d{4}-\d{2})")


def _client():  # noqa: ANN202 - boto3 clients are dynamically typed
    import boto3

    return boto3.client("s3")


def _split(location: str) -> tuple[str, str]:
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    if not bucket:
        raise InputFileError("no bucket in the S3 location", file=location)
    return bucket, prefix


def _period_of(key: str, manifest: dict) -> str:
    start = (manifest.get("billingPeriod") or {}).get("start")
    if start:
        digits = re.sub(r"\D", "", str(start))[:6]
        return f"{digits[:4]}-{digits[4:6]}"
    match = _PERIOD_FOLDER.search(key)
    if match is None:
        raise InputFileError("manifest names no billing period", file=key)
    if match.group(1):
        return f"{match.group(1)[:4]}-{match.group(1)[4:6]}"
    return match.group(2)


def _data_keys(bucket: str, manifest: dict, key: str) -> list[tuple[str, str]]:
    if "reportKeys" in manifest:
        return [(bucket, report_key) for report_key in manifest["reportKeys"]]
    if "dataFiles" in manifest:
        return [_split(uri) for uri in manifest["dataFiles"]]
    raise InputFileError("manifest lists no report files", file=f"s3://{bucket}/{key}")


def latest_manifests(location: str) -> dict[str, list[tuple[str, str]]]:
    """``{billing period: [(bucket, key), …]}`` from the newest manifest of each period."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = _split(location)
    client = _client()
    newest: dict[str, tuple] = {}
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"]
                if not key.endswith(MANIFEST_SUFFIX):
                    continue
                body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
                manifest = json.loads(body)
                period = _period_of(key, manifest)
                stamp = (item["LastModified"], key)
                if period not in newest or stamp > newest[period][0]:
                    newest[period] = (stamp, _data_keys(bucket, manifest, key))
    except (BotoCoreError, ClientError) as exc:
        raise SourceUnavailable(f"S3 is unavailable for {location}: {exc}") from exc
    if not newest:
        raise InputFileError("no CUR manifest under this prefix", file=location)
    return {period: files for period, (_, files) in sorted(newest.items())}


@contextmanager
def period_files(location: str, periods: set[str] | None = None) -> Iterator[dict[str, list[Path]]]:
    """``{billing period: [local paths]}`` of the newest delivery of each period (only
    ``periods`` when given, ``YYYY-MM``), downloaded to a temporary folder for the block."""
    from botocore.exceptions import BotoCoreError, ClientError

    wanted = {
        period: objects
        for period, objects in latest_manifests(location).items()
        if periods is None or period in periods
    }
    client = _client()
    with tempfile.TemporaryDirectory(prefix="costgov-s3-") as folder:
        result: dict[str, list[Path]] = {}
        for period, objects in wanted.items():
            for index, (bucket, key) in enumerate(objects):
                target = Path(folder) / period / f"{index:04d}-{Path(key).name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    client.download_file(bucket, key, str(target))
                except (BotoCoreError, ClientError) as exc:
                    raise SourceUnavailable(f"cannot download s3://{bucket}/{key}: {exc}") from exc
                result.setdefault(period, []).append(target)
        yield result


@register("s3")
@contextmanager
def s3_files(location: str) -> Iterator[list[Path]]:
    with period_files(location) as by_period:
        yield [path for paths in by_period.values() for path in paths]
