"""An order-independent checksum of normalised ledger rows (imports read from a table).

A query's result order is not fixed, so the rows are hashed one by one (their CSV text, without
``source_row``, which only numbers them in arrival order) and the hashes are added modulo
2**256: the same multiset of rows gives the same checksum in any order, and a duplicated row
changes it.
"""

import hashlib
import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

_MODULUS = 1 << 256
_OPTIONS = pacsv.WriteOptions(include_header=False)


class RowDigest:
    def __init__(self) -> None:
        self._sum = 0
        self.rows = 0

    def add_batch(self, batch: pa.RecordBatch) -> None:
        content = (
            batch.drop_columns(["source_row"]) if "source_row" in batch.schema.names else batch
        )
        buffer = io.BytesIO()
        pacsv.write_csv(content, buffer, _OPTIONS)
        # One line per row: tags are JSON text with newlines escaped; a cell holding a raw
        # newline only splits its row's line, which still hashes the same for the same row.
        for line in buffer.getvalue().splitlines():
            self._sum = (self._sum + int.from_bytes(hashlib.sha256(line).digest())) % _MODULUS
        self.rows += batch.num_rows

    def wrap(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            self.add_batch(batch)
            yield batch

    def hexdigest(self) -> str:
        return f"{self._sum:064x}"
