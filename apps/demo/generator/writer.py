"""Streaming, deterministic file writers (pure code, no ORM).

Gzip streams are written with ``mtime=0`` and no embedded file name, so equal content gives equal
bytes. Each writer counts its data rows and, where the caller adds them, money totals per
currency, and reports the file's SHA-256 when closed.
"""

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from apps.demo.generator.cur import money_text

GZIP_LEVEL = 1  # fast: the files are written once and read by ingestion tests


@dataclass
class FileRecord:
    path: str
    rows: int
    bytes: int
    sha256: str
    totals: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        body: dict = {"path": self.path, "rows": self.rows, "bytes": self.bytes,
                      "sha256": self.sha256}  # fmt: skip
        if self.totals:
            body["totals"] = self.totals
        return body


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class TextOut:
    """A text file (gzip if the name ends in ``.gz``), written line by line."""

    def __init__(self, root: Path, rel: str) -> None:
        self.root, self.rel = root, rel
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = path.open("wb")
        self._gz = None
        stream: io.BufferedIOBase = self._raw
        if rel.endswith(".gz"):
            self._gz = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL
            )
            stream = self._gz  # type: ignore[assignment]
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        self.rows = 0
        self.totals: dict[str, Decimal] = {}

    def write_lines(self, lines: list[str]) -> None:
        self.text.write("".join(lines))
        self.rows += len(lines)

    def add_total(self, currency: str, amount: Decimal) -> None:
        self.totals[currency] = self.totals.get(currency, Decimal(0)) + amount

    def close(self) -> FileRecord:
        self.text.flush()
        self.text.detach()
        if self._gz is not None:
            self._gz.close()
        self._raw.close()
        path = self.root / self.rel
        return FileRecord(
            path=self.rel, rows=self.rows, bytes=path.stat().st_size, sha256=sha256_of(path),
            totals={c: money_text(v) for c, v in sorted(self.totals.items())},
        )  # fmt: skip


class CsvOut(TextOut):
    """A CSV file with a header row (not counted in ``rows``)."""

    def __init__(self, root: Path, rel: str, header: tuple[str, ...]) -> None:
        super().__init__(root, rel)
        self.csv = csv.writer(self.text, lineterminator="\n")
        self.csv.writerow(header)

    def write_row(self, row: list[str]) -> None:
        self.csv.writerow(row)
        self.rows += 1
