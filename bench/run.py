"""Run the benchmarks: ``python -m bench.run [name ...]`` (default: every ``bench/*.py``).

Each benchmark is a module ``bench/<name>.py`` runnable as ``python -m bench.<name>``; it measures
costgov beside a baseline in the same run and prints its figures. Results are written up by hand
in docs/benchmarks.md with the date and the command.
"""

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(
        p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in {"__init__", "run", "common"}
    )


def main(names: list[str]) -> int:
    chosen = names or available()
    unknown = sorted(set(chosen) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    failed = []
    for name in chosen:
        print(f"=== bench.{name}", flush=True)
        code = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent, check=False
        ).returncode
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
