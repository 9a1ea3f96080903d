"""Pick the reader for a file: from ``--format`` or, with ``auto``, from the header."""

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from apps.billing.parsers import aws_cur, focus, gcp
from apps.billing.parsers.files import iter_batches, read_header
from apps.common.errors import InputFileError

FORMATS = ("cur", "cur2", "gcp", "focus")


def detect_format(header: list[str]) -> str | None:
    names = set(header)
    if any(name.startswith("lineItem/") for name in names):
        return "cur"
    if "line_item_unblended_cost" in names or "line_item_line_item_type" in names:
        return "cur2"
    if "BilledCost" in names:
        return "focus"
    if "cost" in names and "usage_start_time" in names:
        return "gcp"
    return None


def missing_columns(file_format: str, header: list[str]) -> list[str]:
    if file_format in ("cur", "cur2"):
        return aws_cur.required_columns(header)
    if file_format == "gcp":
        return gcp.required_columns(header)
    return focus.required_columns(header)


def open_reader(
    path: Path, *, name: str, file_format: str, default_currency: str
) -> tuple[str, Iterator[pa.RecordBatch]]:
    """Check the header and return ``(format, normalised batches)``; reading is lazy."""
    header = read_header(path, name)
    detected = detect_format(header)
    if file_format == "auto":
        if detected is None:
            raise InputFileError(
                "unknown format: the header matches none of AWS CUR, CUR 2.0, GCP or FOCUS",
                file=name,
                row=1,
            )
        file_format = detected
    elif file_format not in FORMATS:
        raise InputFileError(f"unknown format {file_format!r}", file=name)
    missing = missing_columns(file_format, header)
    if missing:
        raise InputFileError(
            f"required column(s) missing for {file_format}: {', '.join(missing)}",
            file=name,
            row=1,
            column=missing[0],
        )
    raw = iter_batches(path, name)
    if file_format in ("cur", "cur2"):
        return file_format, aws_cur.read(raw, file=name)
    if file_format == "gcp":
        return file_format, gcp.read(raw, file=name)
    return file_format, focus.read(raw, file=name, default_currency=default_currency)
