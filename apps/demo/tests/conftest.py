"""A small demo dataset generated once per test session, and readers for its files."""

import csv
import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from apps.demo.generator.build import Options, dataset_generate

# Spans two billing periods (March and April) and places all five anomalies.
SMALL = Options(
    days=6, seed=11, teams=3, endpoints=8, start=date(2025, 3, 28), requests_per_day=1500
)


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "data"
    dataset_generate(out=out, opts=SMALL)
    return out


@pytest.fixture(scope="session")
def manifest(small_dataset: Path) -> dict:
    return json.loads((small_dataset / "manifest.json").read_text())


@pytest.fixture(scope="session")
def labels(small_dataset: Path) -> list[dict]:
    return json.loads((small_dataset / "labels.json").read_text())["anomalies"]


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as fh:
        yield from csv.DictReader(fh)


def cur_rows(root: Path) -> Iterator[dict[str, str]]:
    for path in sorted(root.glob("cur/*/*/*.csv.gz")):
        yield from read_csv(path)


def focus_rows(root: Path) -> Iterator[dict[str, str]]:
    for path in sorted(root.glob("focus/*/*.csv")):
        yield from read_csv(path)


def telemetry_events(root: Path) -> Iterator[dict]:
    for path in sorted(root.glob("telemetry/*.ndjson.gz")):
        with gzip.open(path, "rt") as fh:
            for line in fh:
                yield json.loads(line)


@pytest.fixture(scope="session")
def cur(small_dataset: Path) -> list[dict[str, str]]:
    return list(cur_rows(small_dataset))


@pytest.fixture(scope="session")
def events(small_dataset: Path) -> list[dict]:
    return list(telemetry_events(small_dataset))
