"""Decode ingest bodies into lists of event objects (pure code, no ORM).

A body that cannot be decoded as a whole raises ``BodyError`` (the API answers 400 and stores
nothing); a body larger than the limit, compressed or not, raises ``BodyTooLarge`` (413).
Problems inside single events are left to ``events.event_validate``.
"""

import csv
import io
import json
import zlib
from collections.abc import Iterable, Iterator

CSV_INTEGER_FIELDS = frozenset(
    {"input_tokens", "output_tokens", "cached_input_tokens", "batch_size"}
)
CSV_NUMBER_FIELDS = frozenset({"latency_ms", "ttft_ms", "queue_ms"})


class BodyError(ValueError):
    """The body as a whole is not decodable."""


class BodyTooLarge(ValueError):
    """The body (or what it inflates to) exceeds the configured limit."""


def gunzip_limited(data: bytes, *, limit: int) -> bytes:
    """Inflate a gzip body, refusing to produce more than ``limit`` bytes (gzip bombs)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise BodyError(f"body is not valid gzip: {exc}") from exc
    if len(out) > limit:
        raise BodyTooLarge(f"body inflates to more than {limit} bytes")
    if not inflater.eof:
        raise BodyError("gzip body is truncated")
    return out


def decode_json_array(data: bytes) -> list:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError(f"body is not valid JSON: {exc}") from exc
    if not isinstance(value, list):
        raise BodyError("body must be a JSON array of events")
    return value


def iter_ndjson(lines: Iterable[bytes]) -> Iterator[object]:
    """One JSON value per line; blank lines are skipped, an unparsable line raises BodyError
    (when streaming, after the values before it were yielded)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BodyError(f"line {number} is not valid JSON: {exc}") from exc


def decode_ndjson(data: bytes) -> list:
    return list(iter_ndjson(data.splitlines()))


def _csv_cell(name: str, cell: str) -> object:
    """Typed value of a CSV cell; an empty cell means "absent". Bad numbers stay text so the
    validator reports them against their field."""
    if cell == "":
        return None
    try:
        if name in CSV_INTEGER_FIELDS:
            return int(cell)
        if name in CSV_NUMBER_FIELDS:
            return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell
    if name == "cache_hit":
        lowered = cell.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no"}:
            return False
        return cell
    if name == "attributes":
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell
    return cell


def iter_csv(text_stream: Iterable[str]) -> Iterator[dict]:
    """CSV with a header row of event field names (any order; missing optional columns ok)."""
    reader = csv.reader(text_stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise BodyError(f"CSV header is unreadable: {exc}") from exc
    header = [name.strip() for name in header]
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise BodyError(
                    f"CSV line {reader.line_num} has {len(row)} cells, header has {len(header)}"
                )
            yield {
                name: value
                for name, cell in zip(header, row, strict=True)
                if (value := _csv_cell(name, cell)) is not None
            }
    except csv.Error as exc:
        raise BodyError(f"CSV line {reader.line_num} is unreadable: {exc}") from exc


def decode_csv(text_stream: Iterable[str]) -> list[dict]:
    return list(iter_csv(text_stream))


def decode_csv_bytes(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BodyError(f"CSV is not UTF-8: {exc}") from exc
    return decode_csv(io.StringIO(text, newline=""))
