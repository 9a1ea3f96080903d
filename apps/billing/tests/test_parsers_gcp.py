"""The GCP reader reads the same export as CSV, JSON Lines (nested) and Parquet (structs)."""

import ast
import csv
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from apps.billing.parsers.common import decimal_sum
from apps.billing.parsers.detect import open_reader

SAMPLE = Path(
    "/work/shared/data/gcp/koku-202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
)


def _nested_rows() -> list[dict]:
    """The CSV sample as BigQuery would export it: nested records, credits and labels as lists."""
    rows = []
    with SAMPLE.open(newline="") as handle:
        for flat in csv.DictReader(handle):
            row: dict = {}
            for key, value in flat.items():
                if key in ("credits", "labels", "project.labels", "system_labels"):
                    parsed = ast.literal_eval(value or "[]")
                    for item in parsed:
                        if "amount" in item:
                            item["amount"] = str(item["amount"])
                    value = parsed
                head, _, tail = key.partition(".")
                if tail:
                    row.setdefault(head, {})[tail] = value
                else:
                    row[key] = value
            rows.append(row)
    return rows


def _read(path: Path) -> tuple[str, list[pa.RecordBatch]]:
    file_format, batches = open_reader(
        path, name=path.name, file_format="auto", default_currency="USD"
    )
    return file_format, list(batches)


def _summary(batches: list[pa.RecordBatch]) -> tuple:
    billed = sum((decimal_sum(b.column("billed_cost")) for b in batches), Decimal(0))
    effective = sum((decimal_sum(b.column("effective_cost")) for b in batches), Decimal(0))
    tags = [t for b in batches for t in b.column("tags").to_pylist()]
    return billed, effective, sum(b.num_rows for b in batches), tags


def test_gcp_jsonl_export_reads_like_the_csv(tmp_path: Path) -> None:
    path = tmp_path / "gcp.jsonl"
    with path.open("w") as handle:
        for row in _nested_rows():
            handle.write(json.dumps(row) + "\n")
    _, csv_batches = _read(SAMPLE)
    file_format, batches = _read(path)
    assert file_format == "gcp"
    assert _summary(batches) == _summary(csv_batches)
    assert _summary(batches)[:2] == (Decimal("0.000032"), Decimal("0"))


def test_gcp_parquet_export_with_structs_reads_like_the_csv(tmp_path: Path) -> None:
    rows = _nested_rows()
    for row in rows:
        row["cost"] = row["cost"]  # kept as text: BigQuery NUMERIC exports keep exact digits
        for credit in row["credits"]:
            credit.pop("full_name", None)
    path = tmp_path / "gcp.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    _, csv_batches = _read(SAMPLE)
    file_format, batches = _read(path)
    assert file_format == "gcp"
    assert _summary(batches) == _summary(csv_batches)
