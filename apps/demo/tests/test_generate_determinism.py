import hashlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from apps.demo.generator.build import dataset_generate
from apps.demo.tests.conftest import SMALL


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_byte_identical_files(small_dataset: Path, tmp_path: Path) -> None:
    dataset_generate(out=tmp_path / "again", opts=SMALL)
    assert _digests(tmp_path / "again") == _digests(small_dataset)


def test_another_seed_gives_different_data(small_dataset: Path, tmp_path: Path) -> None:
    dataset_generate(out=tmp_path / "other", opts=replace(SMALL, seed=SMALL.seed + 1))
    first, second = _digests(small_dataset), _digests(tmp_path / "other")
    assert first.keys() == second.keys()
    for name in first:
        if name.startswith(("cur/", "telemetry/", "truth/")):
            assert first[name] != second[name], name


def test_a_day_does_not_depend_on_the_days_before_it(small_dataset: Path, tmp_path: Path) -> None:
    """Telemetry is seeded per (day, endpoint): a run starting a day later repeats that day.

    The second day of the small run carries no traffic anomaly in either run (anomalies are
    placed by fractions of the period), so its telemetry must be byte-identical.
    """
    later = replace(SMALL, start=SMALL.start + timedelta(days=1), days=SMALL.days - 1)
    dataset_generate(out=tmp_path / "later", opts=later)
    day = f"telemetry/{later.start.isoformat()}.ndjson.gz"
    assert _digests(tmp_path / "later")[day] == _digests(small_dataset)[day]


def test_manifest_lists_every_file_with_its_sha256_and_rows(
    small_dataset: Path, manifest: dict
) -> None:
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {
        k: v
        for k, v in _digests(small_dataset).items()
        if k not in ("manifest.json", "labels.json", "labels_nab.json")
    }
    assert {k: v["sha256"] for k, v in listed.items()} == on_disk
    assert all(f["rows"] > 0 for f in manifest["files"])
    assert manifest["arguments"]["seed"] == SMALL.seed
    assert sorted(manifest["billing_period_totals"]) == ["2025-03", "2025-04"]
