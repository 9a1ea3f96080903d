"""The WSGI entry point as gunicorn loads it, in a process of its own (it tunes that
process's garbage collector, which the test process must keep as it is)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wsgi_application_loads_with_the_collector_tuned_for_request_bursts():
    probe = (
        "import gc, json, costgov.wsgi as w; "
        "print(json.dumps([callable(w.application), gc.get_threshold(), gc.get_freeze_count()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "costgov.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    is_callable, threshold, frozen = json.loads(out.stdout.strip().splitlines()[-1])
    assert is_callable
    assert threshold == [50_000, 20, 100]
    assert frozen > 10_000  # Django and the project's modules, loaded before the freeze
