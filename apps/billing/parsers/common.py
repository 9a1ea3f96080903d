"""Shared pieces of the billing readers: the normalised batch schema and typed column access.

Readers work on Arrow record batches so a million-row file streams with bounded memory and
money never passes through float: text cells are cast straight to ``decimal128``, and a cast
that fails is re-checked cell by cell to name the exact row and column.
"""

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc

from apps.common.errors import InputFileError

MONEY_PRECISION = 38
MONEY_SCALE = 24  # matches CostLineItem money columns (apps.billing.models.LEDGER_*)
MONEY = pa.decimal128(MONEY_PRECISION, MONEY_SCALE)
INSTANT = pa.timestamp("us", tz="UTC")
ZERO = pa.scalar(Decimal(0), MONEY)
QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)

# Column order of the staging table (sql/create_stage_cost_line_item.sql) and the COPY.
LEDGER_SCHEMA = pa.schema(
    [
        ("source_row", pa.int64()),
        ("provider", pa.string()),
        ("billing_account_id", pa.string()),
        ("sub_account_id", pa.string()),
        ("billing_period_start", pa.date32()),
        ("charge_period_start", INSTANT),
        ("charge_period_end", INSTANT),
        ("charge_category", pa.string()),
        ("charge_class", pa.string()),
        ("billed_cost", MONEY),
        ("effective_cost", MONEY),
        ("list_cost", MONEY),
        ("contracted_cost", MONEY),
        ("billing_currency", pa.string()),
        ("pricing_category", pa.string()),
        ("pricing_quantity", MONEY),
        ("pricing_unit", pa.string()),
        ("consumed_quantity", MONEY),
        ("consumed_unit", pa.string()),
        ("service_name", pa.string()),
        ("service_category", pa.string()),
        ("sku_id", pa.string()),
        ("resource_id", pa.string()),
        ("resource_name", pa.string()),
        ("resource_type", pa.string()),
        ("region", pa.string()),
        ("instance_type", pa.string()),
        ("commitment_discount_id", pa.string()),
        ("tags", pa.string()),
    ]
)
LEDGER_COLUMNS = tuple(LEDGER_SCHEMA.names)
NULL_WORDS = frozenset({"", "null", "none", "nan"})


def parse_money_text(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def parse_instant(text: str, *, assume_utc: bool, allow_us_dates: bool = False) -> datetime:
    """Parse a timestamp. Naive values are accepted only when the format's spec says UTC."""
    cleaned = text.strip()
    if allow_us_dates and "/" in cleaned:
        # Spreadsheet-style M/D/YY dates in the FOCUS SaaS examples; FOCUS dates are UTC.
        for fmt in ("%m/%d/%y", "%m/%d/%Y"):
            try:
                return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
        raise ValueError(f"not a date: {text!r}")
    value = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    if value.tzinfo is None:
        if not assume_utc:
            raise ValueError(f"timestamp {text!r} has no UTC offset")
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Columns:
    """Typed access to one raw batch. Row numbers in errors are the file's row numbers."""

    def __init__(
        self,
        batch: pa.RecordBatch,
        *,
        file: str,
        first_row: int,
        assume_utc: bool,
        allow_us_dates: bool = False,
    ) -> None:
        self.batch = batch
        self.file = file
        self.first_row = first_row
        self.assume_utc = assume_utc
        self.allow_us_dates = allow_us_dates
        self.names = set(batch.schema.names)
        self.length = batch.num_rows

    def has(self, name: str) -> bool:
        return name in self.names

    def error(self, message: str, *, index: int | None, column: str | None) -> InputFileError:
        row = None if index is None else self.first_row + index
        return InputFileError(message, file=self.file, row=row, column=column)

    def raw(self, name: str) -> pa.Array:
        if name not in self.names:
            raise self.error("required column is missing", index=None, column=name)
        return self.batch.column(name)

    def text(self, name: str, default: str = "") -> pa.Array:
        """A string column with nulls as ``default`` and surrounding blanks removed."""
        if name not in self.names:
            return pa.array([default] * self.length, pa.string())
        column = self.batch.column(name)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = pc.cast(column, pa.string())
        column = pc.utf8_trim_whitespace(column)
        return pc.fill_null(column, default)

    def required_text(self, name: str) -> pa.Array:
        """A string column that must be present and non-empty in every row."""
        self.raw(name)
        value = self.text(name)
        empty = pc.equal(value, "")
        if pc.any(empty).as_py():
            raise self.error("value is empty", index=pc.index(empty, True).as_py(), column=name)
        return value

    def first_text(self, *names: str) -> pa.Array:
        """Per row, the first of ``names`` that is present and not empty."""
        result = self.text(names[-1])
        for name in reversed(names[:-1]):
            if self.has(name):
                value = self.text(name)
                result = pc.if_else(pc.not_equal(value, ""), value, result)
        return result

    def _null_words(self, text: pa.Array) -> pa.Array:
        return pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(NULL_WORDS)))

    def decimal(self, name: str, *, required: bool, default: pa.Array | None = None) -> pa.Array:
        """A decimal column. Empty cells are an error when ``required``, else ``default``/null."""
        if name not in self.names:
            if required:
                raise self.error("required column is missing", index=None, column=name)
            return default if default is not None else pa.nulls(self.length, MONEY)
        column = self.batch.column(name)
        if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
            # Parquet writers (CUR 2.0) store money as DOUBLE; the shortest text that reads back
            # to the same double is the value the provider wrote, so convert through that text.
            column = pc.cast(column, pa.string())
        if pa.types.is_decimal(column.type):
            values = pc.cast(column, MONEY)
        else:
            text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
            empty = pc.fill_null(self._null_words(text), True)
            if required and pc.any(empty).as_py():
                index = pc.index(empty, True).as_py()
                raise self.error("value is empty", index=index, column=name)
            text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
            try:
                values = pc.cast(text, MONEY)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise self._find_bad_number(text.to_pylist(), name) from None
        if default is not None:
            values = pc.if_else(pc.is_null(values), default, values)
        return values

    def money(self, name: str, *, required: bool = True) -> pa.Array:
        """Money: required columns must hold a number in every row; optional ones default to 0."""
        zeros = pa.array([Decimal(0)] * self.length, MONEY) if not required else None
        return self.decimal(name, required=required, default=zeros)

    def quantity(self, name: str) -> pa.Array:
        """An optional usage quantity; digits past the ledger's scale are rounded (not money)."""
        try:
            return self.decimal(name, required=False)
        except InputFileError as exc:
            if "decimal places" not in exc.message:
                raise
        cells = pc.utf8_trim_whitespace(pc.cast(self.batch.column(name), pa.string()))
        values = []
        for cell in cells.to_pylist():
            if cell is None or cell.lower() in NULL_WORDS:
                values.append(None)
            else:
                values.append(parse_money_text(cell).quantize(QUANTUM, rounding=ROUND_HALF_EVEN))
        return pa.array(values, MONEY)

    def _find_bad_number(self, cells: list, column: str) -> InputFileError:
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            try:
                value = parse_money_text(cell)
            except (InvalidOperation, ValueError):
                return self.error(f"not a number: {cell!r}", index=index, column=column)
            if -value.as_tuple().exponent > MONEY_SCALE:
                return self.error(
                    f"{cell!r} has more than {MONEY_SCALE} decimal places",
                    index=index,
                    column=column,
                )
            if value.adjusted() >= MONEY_PRECISION - MONEY_SCALE:
                return self.error(f"{cell!r} is too large", index=index, column=column)
        return self.error("not a number", index=None, column=column)

    def instant(self, name: str, *, default: pa.Array | None = None) -> pa.Array:
        """UTC instants; text is parsed once per distinct value (hourly data repeats a lot)."""
        if name not in self.names:
            if default is not None:
                return default
            raise self.error("required column is missing", index=None, column=name)
        column = self.batch.column(name)
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            if (
                pa.types.is_timestamp(column.type)
                and column.type.tz is None
                and not self.assume_utc
            ):
                raise self.error("timestamps have no UTC offset", index=0, column=name)
            if pa.types.is_timestamp(column.type) and column.type.tz is None:
                column = pc.assume_timezone(column, "UTC")
            result = pc.cast(column, INSTANT)
        else:
            text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
            encoded = pc.dictionary_encode(text)
            parsed = []
            for value in encoded.dictionary.to_pylist():
                try:
                    parsed.append(
                        parse_instant(
                            value, assume_utc=self.assume_utc, allow_us_dates=self.allow_us_dates
                        )
                    )
                except (ValueError, TypeError) as exc:
                    index = pc.index(text, value).as_py()
                    message = f"not a timestamp: {value!r}" if value else "value is empty"
                    if "offset" in str(exc):
                        message = str(exc)
                    raise self.error(message, index=index, column=name) from exc
            result = pc.take(pa.array(parsed, INSTANT), encoded.indices)
        if result.null_count:
            if default is not None:
                return pc.if_else(pc.is_null(result), default, result)
            index = pc.index(pc.is_null(result), True).as_py()
            raise self.error("value is empty", index=index, column=name)
        return result

    def day(self, name: str) -> pa.Array:
        """A UTC calendar date (billing periods)."""
        return pc.cast(self.instant(name), pa.date32())


def tags_json(rows: Iterable[dict]) -> pa.Array:
    """Tags as JSON text per row (``{}`` when none), keys sorted for stable output."""
    return pa.array(
        [json.dumps(tags, sort_keys=True, ensure_ascii=False) if tags else "{}" for tags in rows],
        pa.string(),
    )


def constant(value: object, length: int, type_: pa.DataType | None = None) -> pa.Array:
    return pa.array([value] * length, type_ or pa.string())


def map_values(values: pa.Array, mapping: dict[str, str], default: str) -> pa.Array:
    """Map a string column through ``mapping`` (few distinct values: mapped once each)."""
    encoded = pc.dictionary_encode(values)
    mapped = [mapping.get(v, default) for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(mapped, pa.string()), encoded.indices)


def to_ledger_batch(columns: dict[str, pa.Array]) -> pa.RecordBatch:
    arrays = [pc.cast(columns[field.name], field.type) for field in LEDGER_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=LEDGER_SCHEMA)


WIDE = pa.decimal256(MONEY_PRECISION + 4, MONEY_SCALE)


def money_add(a: pa.Array, b: pa.Array) -> pa.Array:
    """Exact ``a + b``; a result beyond the ledger's NUMERIC(38, 24) raises ArrowInvalid."""
    return pc.cast(pc.add_checked(pc.cast(a, WIDE), pc.cast(b, WIDE)), MONEY)


def money_subtract(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.cast(pc.subtract_checked(pc.cast(a, WIDE), pc.cast(b, WIDE)), MONEY)


def decimal_sum(values: pa.Array) -> Decimal:
    total = pc.sum(values).as_py()
    return Decimal(0) if total is None else total


def date_iso(value: date) -> str:
    return value.isoformat()
