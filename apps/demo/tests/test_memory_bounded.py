"""Generation streams: peak memory stays flat while the output grows ten-fold."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Runs one command and prints the peak RSS (KiB on Linux) of its child process.
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _generate(out: Path, *, days: int, requests_per_day: int) -> tuple[int, int]:
    command = [
        sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "generate_demo",
        "--out", str(out), "--days", str(days), "--seed", "5", "--teams", "3",
        "--endpoints", "8", "--requests-per-day", str(requests_per_day),
        "--cur-rows-per-part", "500",
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", PEAK_RSS, *command], check=True, capture_output=True, text=True
    )
    manifest = json.loads((out / "manifest.json").read_text())
    rows = sum(f["rows"] for f in manifest["files"])
    return int(done.stdout.strip().splitlines()[-1]), rows


def test_peak_memory_stays_flat_while_rows_grow_tenfold(tmp_path: Path) -> None:
    small_rss, small_rows = _generate(tmp_path / "small", days=1, requests_per_day=4_000)
    big_rss, big_rows = _generate(tmp_path / "big", days=4, requests_per_day=40_000)
    assert big_rows > 10 * small_rows
    assert big_rss - small_rss < 25 * 1024, (small_rss, big_rss)
    assert len(list((tmp_path / "big").glob("cur/*/*/*.csv.gz"))) > 1
