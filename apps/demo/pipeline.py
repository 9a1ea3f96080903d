"""The demo pipeline: every stage that exists, run as Celery tasks through a real worker.

Each step is a task name and the arguments it takes (ids and strings only). Steps run in order;
each waits for the previous one, so a failure stops the pipeline and names the step.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

from costgov import embedded


@dataclass(frozen=True)
class Step:
    title: str
    task: str
    args: Callable[[Path], list]


STEPS: list[Step] = [
    Step("Seed the accelerator price book", "catalog.price_book_seed", lambda data: []),
    Step(
        "Load the demo catalog (teams, endpoints, users)",
        "demo.catalog_load",
        lambda data: [str(data)],
    ),
    Step(
        "Import the AWS CUR files into the ledger", "demo.billing_import", lambda data: [str(data)]
    ),
    Step("Import per-request telemetry", "demo.telemetry_import", lambda data: [str(data)]),
    Step("Allocate every billing period", "demo.allocate", lambda data: [str(data)]),
    # Beat judges only the last hours and days; the demo's history is judged once, whole.
    Step(
        "Detect hourly cost anomalies over the dataset",
        "anomalies.detect",
        lambda data: ["hour", *_period(data)],
    ),
    Step(
        "Detect daily cost anomalies over the dataset",
        "anomalies.detect",
        lambda data: ["day", *_period(data)],
    ),
    Step(
        "Refresh optimization recommendations",
        "recommendations.recommendation_refresh",
        lambda data: [],
    ),
]


def _period(data: Path) -> tuple[str, str]:
    """The dataset's [start, end) as ISO strings, from the manifest ``generate_demo`` wrote."""
    period = json.loads((data / "manifest.json").read_text())["period"]
    return period["start"], period["end"]


def _run_dir() -> Path:
    path = embedded.var_dir() / "celery"
    path.mkdir(parents=True, exist_ok=True)
    return path


def worker_start(*, with_beat: bool = True) -> None:
    """Start a detached worker (and beat) unless they already run; pid/log files under var/."""
    run = _run_dir()
    base = [sys.executable, "-m", "celery", "-A", "costgov"]
    if embedded.pid_alive(run / "worker.pid"):
        return
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            *base,
            "worker",
            "--detach",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--pidfile",
            str(run / "worker.pid"),
            "--logfile",
            str(run / "worker.log"),
        ],
        check=True,
    )
    if with_beat and not embedded.pid_alive(run / "beat.pid"):
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [
                *base,
                "beat",
                "--detach",
                "--loglevel",
                "INFO",
                "--pidfile",
                str(run / "beat.pid"),
                "--logfile",
                str(run / "beat.log"),
                "--schedule",
                str(run / "celerybeat-schedule"),
            ],
            check=True,
        )


def worker_wait(app: Celery, *, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"no Celery worker answered within {timeout_s:.0f}s (see var/celery/)")


def worker_stop() -> None:
    """Stop the detached worker and beat started by ``worker_start`` (if running)."""
    for name in ("worker.pid", "beat.pid"):
        pidfile = _run_dir() / name
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            continue


def pipeline_run(
    *, app: Celery, data_dir: Path, echo: Callable[[str], None], timeout_s: float = 1800
) -> list[object]:
    """Run every step through the worker; return each step's result."""
    results = []
    for number, step in enumerate(STEPS, start=1):
        echo(f"[{number}/{len(STEPS)}] {step.title} ({step.task})")
        started = time.monotonic()
        result = app.send_task(step.task, args=step.args(data_dir)).get(timeout=timeout_s)
        echo(f"      done in {time.monotonic() - started:.1f}s: {result}")
        results.append(result)
    return results
