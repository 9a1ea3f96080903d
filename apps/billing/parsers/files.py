"""Open a billing file (CSV, CSV.gz, Parquet, JSON Lines) as a stream of raw Arrow batches.

CSV cells stay text (every column is read as ``string``) so money is never inferred as float.
Row numbers count the header as row 1, as a spreadsheet shows them; Parquet and JSON Lines
rows are numbered from 1.
"""

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from apps.common.errors import InputFileError

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
# Arrow's streaming CSV reader keeps several blocks in flight; 1 MiB blocks bound its memory
# (8 MiB blocks peaked at ~400 MiB on a 1M-row file), and small blocks are re-assembled into
# batches of about BATCH_ROWS so per-batch work stays amortised.
CSV_BLOCK_BYTES = 1024 * 1024
BATCH_ROWS = 32_768
PARQUET_BATCH_ROWS = 32_768
JSONL_BATCH_ROWS = 20_000


@dataclass(frozen=True)
class RawBatch:
    batch: pa.RecordBatch
    first_row: int  # file row number of the batch's first record


def _kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head[:2] == GZIP_MAGIC:
        return "csv.gz" if not path.name.endswith((".jsonl.gz", ".json.gz")) else "jsonl.gz"
    if head == PARQUET_MAGIC:
        return "parquet"
    if path.suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    return "csv"


def _open_text(path: Path, kind: str) -> io.TextIOBase:
    if kind.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_header(path: Path, name: str) -> list[str]:
    """Column names, without reading the data. Raises for empty or unreadable files."""
    kind = _kind(path)
    try:
        if kind == "parquet":
            return _flat_names(list(pq.read_schema(path)))
        with _open_text(path, kind) as handle:
            if kind.startswith("jsonl"):
                line = handle.readline()
                if not line.strip():
                    raise InputFileError("file is empty", file=name)
                return list(_flatten(json.loads(line)).keys())
            header = next(csv.reader(handle), None)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"cannot read the file ({exc})", file=name, row=1) from exc
    except pa.ArrowException as exc:
        raise InputFileError(f"cannot read the file ({exc})", file=name) from exc
    if not header or not any(cell.strip() for cell in header):
        raise InputFileError("file is empty (no header row)", file=name, row=1)
    return [cell.strip() for cell in header]


def iter_batches(path: Path, name: str) -> Iterator[RawBatch]:
    kind = _kind(path)
    if kind == "parquet":
        yield from _parquet_batches(path, name)
    elif kind.startswith("jsonl"):
        yield from _jsonl_batches(path, name, kind)
    else:
        yield from _csv_batches(path, name, kind)


def _first_row_width(path: Path, kind: str) -> int | None:
    with _open_text(path, kind) as handle:
        reader = csv.reader(handle)
        next(reader, None)
        row = next(reader, None)
    return None if row is None else len(row)


def _csv_batches(path: Path, name: str, kind: str) -> Iterator[RawBatch]:
    header = read_header(path, name)
    try:
        width = _first_row_width(path, kind)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"cannot read the file ({exc})", file=name, row=2) from exc
    if width is not None and width != len(header):
        yield from _ragged_csv_batches(path, name, kind, header)
        return
    source = pa.input_stream(str(path), compression="gzip" if kind.endswith(".gz") else None)
    next_row = 2
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                block_size=CSV_BLOCK_BYTES, encoding="utf8", use_threads=False
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= BATCH_ROWS:
                yield RawBatch(batch=_combine(pending), first_row=next_row)
                next_row += pending_rows
                pending, pending_rows = [], 0
        if pending_rows:
            yield RawBatch(batch=_combine(pending), first_row=next_row)
            next_row += pending_rows
    except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
        message = str(exc).splitlines()[0]
        raise InputFileError(
            f"file is truncated or malformed after row {next_row - 1} ({message})",
            file=name,
            row=next_row,
        ) from exc
    finally:
        source.close()


def _ragged_csv_batches(path: Path, name: str, kind: str, header: list[str]) -> Iterator[RawBatch]:
    """Rows whose cell count differs from the header's, read with the csv module.

    Some exporters omit trailing empty cells, others append an unnamed trailing cell (the
    CUR 2.0 samples carry an id there). Missing trailing cells are empty; unnamed trailing
    cells are ignored. This path is slower and only used when the first data row is ragged.
    """
    width = len(header)
    rows: list[list[str]] = []
    first_row = 2
    number = 1
    try:
        with _open_text(path, kind) as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for number, row in enumerate(reader, start=2):  # noqa: B007 - number used below
                if len(row) < width:
                    row = row + [""] * (width - len(row))  # noqa: PLW2901
                rows.append(row[:width])
                if len(rows) >= JSONL_BATCH_ROWS:
                    yield RawBatch(batch=_columns_to_batch(rows, header), first_row=first_row)
                    first_row = number + 1
                    rows = []
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(
            f"file is truncated or malformed ({exc})", file=name, row=number + 1
        ) from exc
    if rows:
        yield RawBatch(batch=_columns_to_batch(rows, header), first_row=first_row)


def _columns_to_batch(rows: list[list[str]], header: list[str]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True))
    arrays = [pa.array(column, pa.string()) for column in columns]
    return pa.RecordBatch.from_arrays(arrays, names=header)


def _combine(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def _parquet_batches(path: Path, name: str) -> Iterator[RawBatch]:
    next_row = 1
    try:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            if batch.num_rows:
                yield RawBatch(batch=flatten_structs(batch), first_row=next_row)
                next_row += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(f"cannot read Parquet ({exc})", file=name, row=next_row) from exc


def _flat_names(fields: list[pa.Field], prefix: str = "") -> list[str]:
    names = []
    for field in fields:
        if pa.types.is_struct(field.type):
            names += _flat_names(list(field.type), f"{prefix}{field.name}.")
        else:
            names.append(f"{prefix}{field.name}")
    return names


def flatten_structs(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested Parquet (GCP: ``service`` struct) -> the CSV export's dotted names."""
    table = pa.Table.from_batches([batch])
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table.combine_chunks().to_batches()[0] if table.num_rows else batch


def _flatten(record: dict, prefix: str = "") -> dict[str, str]:
    """GCP JSON rows nest (``service.description``); flatten to the CSV export's dotted names.

    Lists (credits, labels) stay JSON text, parsed later by the GCP reader.
    """
    flat: dict[str, str] = {}
    for key, value in record.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        elif isinstance(value, list):
            flat[full] = json.dumps(value)
        elif value is None:
            flat[full] = ""
        else:
            # json.loads keeps numbers as text-exact Decimal via parse_float (see below).
            flat[full] = str(value)
    return flat


def _jsonl_batches(path: Path, name: str, kind: str) -> Iterator[RawBatch]:
    header = read_header(path, name)
    rows: list[dict[str, str]] = []
    first_row = 1
    with _open_text(path, kind) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                # parse_float=str: money stays the exact text the exporter wrote.
                record = json.loads(line, parse_float=str, parse_int=str)
            except json.JSONDecodeError as exc:
                raise InputFileError(f"not JSON ({exc.msg})", file=name, row=number) from exc
            rows.append(_flatten(record))
            if len(rows) >= JSONL_BATCH_ROWS:
                yield RawBatch(batch=_rows_to_batch(rows, header), first_row=first_row)
                first_row = number + 1
                rows = []
    if rows:
        yield RawBatch(batch=_rows_to_batch(rows, header), first_row=first_row)


def _rows_to_batch(rows: list[dict[str, str]], header: list[str]) -> pa.RecordBatch:
    names = list(dict.fromkeys([*header, *(key for row in rows for key in row)]))
    arrays = [pa.array([row.get(col, "") for row in rows], pa.string()) for col in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)
