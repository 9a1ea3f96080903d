"""Telemetry ingestion benchmark: the real HTTP API against a raw COPY of the same rows.

    DATABASE_URL=postgres://… REDIS_URL=redis://… \
        .venv/bin/python -m bench.telemetry_ingest --events 200000 --clients 4

1. Creates a fresh database (``<DATABASE_URL name>_bench``), migrates it, and adds the events'
   endpoints and an SRE token with the ``ingest:telemetry`` scope. ``--source demo`` (default)
   sends the demo generator's events: a dataset of ``--demo-days`` days ending yesterday, sized
   for ``--events``, its catalog loaded as ``make demo`` does. ``--source synthetic`` sends
   ``generate_events`` (8 endpoints, the last two hours: few rollup keys, many events each).
2. Starts gunicorn (2 sync workers) on a free 127.0.0.1 port, rate limit off, and a Celery
   worker (one process) that runs the rollup applies each ingest queues.
3. ``--clients`` processes POST deterministic events (JSON arrays of ``--batch`` events)
   until ``--events`` are sent, then the clock runs on until the rollups hold every event
   (no pending batch left): events/s counts that whole time. Reports batch latency
   percentiles, the rollup backlog (pending events and age) sampled twice a second, the RSS
   of the gunicorn workers, and CPU per event: gunicorn, Celery, and PostgreSQL split into
   the ingests' backends and the applies' (told apart by their ``PGAPPNAME``).
4. Checks the result: stored events == sent events, rollup sums == raw sums.
5. COPYs the same rows (pre-rendered COPY text, one connection) into ``telemetry_event`` and
   reports that rate, the ratio, and the COPY backend's CPU per row.
The database is dropped at the end unless ``--keep-db``.
"""

import argparse
import http.client
import io
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = [f"bench-ep-{i}" for i in range(8)]
MODEL_VERSIONS = ["2024-07", "2024-09"]
LANES = ["interactive", "interactive", "nearline", "batch"]
STATUSES = ["ok"] * 97 + ["error", "error", "timeout"]
# PostgreSQL application names (PGAPPNAME) of the servers' connections, so that the meter can
# tell the ingests' backends from the rollup applies'.
INGEST_APPLICATION = "costgov-bench-ingest"
APPLY_APPLICATION = "costgov-bench-apply"


def generate_events(seed: int, count: int, start_index: int, base: datetime) -> list[dict]:
    """Deterministic events: ``count`` events, request ids ``start_index`` onwards.

    Shapes a live fleet: 8 endpoints x 4 pods, 20 customers, two model versions, timestamps
    within the two hours before ``base``, latency log-normal around 400 ms, 30 % of events
    with a prompt hash drawn from 5,000.
    """
    rng = random.Random(seed)
    events = []
    for offset in range(count):
        index = start_index + offset
        endpoint = rng.randrange(len(ENDPOINTS))
        event = {
            "ts": (base - timedelta(seconds=rng.randrange(7200))).isoformat(),
            "request_id": f"bench-{index}",
            "endpoint": ENDPOINTS[endpoint],
            "model": f"model-{endpoint}",
            "model_version": MODEL_VERSIONS[rng.randrange(2)],
            "input_tokens": rng.randrange(20, 4000),
            "output_tokens": rng.randrange(1, 800),
            "latency_ms": int(rng.lognormvariate(6.0, 0.8)),
            "ttft_ms": rng.randrange(20, 300),
            "resource_id": f"pod-{endpoint}-{rng.randrange(4)}",
            "lane": LANES[endpoint % 4],
            "customer": f"cust-{rng.randrange(20)}",
            "status": STATUSES[rng.randrange(100)],
            "cache_hit": rng.random() < 0.2,
            "batch_size": rng.randrange(1, 9),
            "attributes": {"region": "eu-west-1"},
        }
        if rng.random() < 0.3:
            event["prompt_hash"] = f"p{rng.randrange(5000)}"
        events.append(event)
    return events


class SyntheticEvents:
    """``generate_events``: a live fleet of 8 endpoints, timestamps in the last two hours."""

    def __init__(self, base: datetime) -> None:
        self.base = base

    def setup(self) -> None:
        """Create the bench team and its 8 endpoints (the events name them)."""
        from apps.accounts.models import Team
        from apps.catalog.models import ModelEndpoint

        team = Team.objects.create(name="bench")
        for index, name in enumerate(ENDPOINTS):
            ModelEndpoint.objects.create(
                name=name,
                team=team,
                model_family="llama-3",
                parameter_count=8_000_000_000,
                precision="bf16",
                accelerator_type="A100-80GB",
                accelerator_count=1 + index % 4,
                provider="aws",
                region="us-east-1",
            )

    def body(self, start: int, count: int) -> bytes:
        return json.dumps(generate_events(start, count, start, self.base)).encode()

    def events(self, start: int, count: int) -> list[dict]:
        return generate_events(start, count, start, self.base)


class DemoEvents:
    """The demo generator's telemetry (``generate_demo``): ``count`` events in file order.

    The dataset covers ``days`` UTC days ending yesterday (inside the retention window), with
    enough requests per day for ``count``; its catalog (teams, endpoints) is loaded by
    ``setup``. Lines are sent as the generator wrote them, 1,000 to a JSON array.
    """

    def __init__(self, directory: Path, count: int, days: int, seed: int) -> None:
        import gzip

        from apps.demo.generator.build import Options, dataset_generate

        self.directory = directory
        start = datetime.now(tz=UTC).date() - timedelta(days=days)
        # Weekends and nights carry less traffic than the per-day target: ask for more.
        per_day = int(count / days * 1.3) + 1000
        dataset_generate(
            out=directory,
            opts=Options(days=days, seed=seed, start=start, requests_per_day=per_day),
        )
        self.lines: list[bytes] = []
        for path in sorted((directory / "telemetry").glob("*.ndjson.gz")):
            with gzip.open(path, "rb") as handle:
                for line in handle:
                    self.lines.append(line.rstrip(b"\n"))
                    if len(self.lines) == count:
                        return
        raise SystemExit(f"the demo dataset holds {len(self.lines)} events, fewer than {count}")

    def setup(self) -> None:
        from apps.demo.services.catalog_load import demo_catalog_load

        demo_catalog_load(data_dir=self.directory)

    def body(self, start: int, count: int) -> bytes:
        return b"[" + b",".join(self.lines[start : start + count]) + b"]"

    def events(self, start: int, count: int) -> list[dict]:
        return [json.loads(line) for line in self.lines[start : start + count]]


def _database_urls(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") + "_bench"
    bench = urlunsplit(parts._replace(path="/" + name))
    admin = urlunsplit(parts._replace(path="/postgres"))
    return name, bench, admin


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _setup_django_fixtures(source: SyntheticEvents | DemoEvents) -> str:
    """Migrate the bench database, create the source's endpoints and an SRE token with the
    ingest scope; returns the token's secret."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from apps.accounts.models import User
    from apps.accounts.services.api_token import api_token_issue

    call_command("migrate", verbosity=0)
    source.setup()
    user = User.objects.create(username="bench-sre", role="sre")
    _, secret = api_token_issue(user=user, scopes=["ingest:telemetry"])
    connections.close_all()
    return secret


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def _wait_worker(celery_command: list[str], env: dict, timeout: float = 60) -> None:
    """Until the Celery worker answers a ping (it consumes the queue from then on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ping = subprocess.run(
            [*celery_command, "inspect", "ping", "--timeout", "1"],
            cwd=ROOT, env=env, capture_output=True, check=False,
        )  # fmt: skip
        if ping.returncode == 0:
            return
    raise SystemExit("the Celery worker did not become ready")


def _worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return [int(p) for p in children.read_text().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _bodies(batches: list[tuple[int, int]], source: SyntheticEvents | DemoEvents) -> object:
    for start, count in batches:
        yield source.body(start, count)


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _machine_busy_seconds() -> float:
    """CPU seconds spent not idle by the whole machine since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / _TICKS


class CpuMeter:
    """Samples cumulative CPU of the gunicorn workers, the Celery worker and the bench
    database's PostgreSQL backends; keeps each process's last reading, so one that exits
    mid-run still counts. Also reads the rollup backlog."""

    def __init__(self, master_pid: int, bench_url: str, celery_pid: int) -> None:
        import psycopg

        self.master_pid = master_pid
        self.celery_pid = celery_pid
        self.celery_start = 0.0
        self.celery = 0.0
        self.conn = psycopg.connect(bench_url, autocommit=True)
        self.own_pid = self.conn.info.backend_pid
        self.db = self.conn.info.dbname
        self.workers: dict[int, float] = {}
        self.backends: dict[int, float] = {}
        self.applying: set[int] = set()  # backends of the Celery worker (rollup applies)
        self.start_workers: dict[int, float] = {}
        self.start_backends: dict[int, float] = {}

    def backlog(self) -> tuple[int, float]:
        """(events in pending batches, age in seconds of the oldest)."""
        events, age = self.conn.execute(
            "SELECT coalesce(sum(events), 0), "
            "coalesce(extract(epoch FROM now() - min(created_at)), 0) "
            "FROM telemetry_telemetrypendingbatch"
        ).fetchone()
        return int(events), float(age)

    def sample(self) -> None:
        if (cpu := _cpu_seconds(self.celery_pid)) is not None:
            self.celery = cpu
        for pid in _worker_pids(self.master_pid):
            if (cpu := _cpu_seconds(pid)) is not None:
                self.workers[pid] = cpu
        rows = self.conn.execute(
            "SELECT a.pid, coalesce(l.application_name, a.application_name) "
            "FROM pg_stat_activity a LEFT JOIN pg_stat_activity l ON l.pid = a.leader_pid "
            "WHERE a.datname = %s AND a.pid <> %s",
            [self.db, self.own_pid],
        ).fetchall()
        for pid, application in rows:
            if (cpu := _cpu_seconds(pid)) is not None:
                self.backends[pid] = cpu
                if application == APPLY_APPLICATION:
                    self.applying.add(pid)

    def mark_start(self) -> None:
        self.sample()
        self.celery_start = self.celery
        self.start_workers = dict(self.workers)
        self.start_backends = dict(self.backends)

    def used(self) -> tuple[float, float, float, float]:
        """CPU seconds since ``mark_start``: gunicorn workers, Celery worker, PostgreSQL for
        the ingests, PostgreSQL for the rollup applies."""
        workers = sum(v - self.start_workers.get(k, 0.0) for k, v in self.workers.items())
        used = {k: v - self.start_backends.get(k, 0.0) for k, v in self.backends.items()}
        applies = sum(v for k, v in used.items() if k in self.applying)
        ingests = sum(used.values()) - applies
        return workers, self.celery - self.celery_start, ingests, applies


def _client(
    port: int,
    secret: str,
    batches: list[tuple[int, int]],
    source: SyntheticEvents | DemoEvents,
    queue: object,
    barrier: object,
    pregenerate: bool,
) -> None:
    """POST the given (start_index, count) batches; put (latencies, accepted, duplicates).

    With ``pregenerate`` the bodies are built before the start barrier, so generating them
    does not compete with the server for the CPU during the timed run."""
    latencies, accepted, duplicates = [], 0, 0
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    bodies = list(_bodies(batches, source)) if pregenerate else _bodies(batches, source)
    barrier.wait()
    for body in bodies:
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", "/api/v1/telemetry/events", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - began)
        conn.close()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {payload[:300]!r}")
        result = json.loads(payload)
        if result["rejected"]:
            raise SystemExit(f"rejected rows: {result['rejected'][:3]}")
        accepted += result["accepted"]
        duplicates += result["duplicates"]
    queue.put((latencies, accepted, duplicates))


# The columns of ``_copy_text``'s rows, in order.
COPY_TEXT_COLUMNS = (
    "ts, endpoint_id, request_id, model, model_version, input_tokens, output_tokens, "
    "cached_input_tokens, latency_ms, ttft_ms, queue_ms, accelerator, resource_id, lane, "
    "customer, status, is_cache_hit, prompt_hash, is_duplicate_prompt, batch_size, gpu_ms, "
    "attributes"
)


def _copy_text(events: list[dict], endpoints: dict[str, tuple[int, str, int]]) -> bytes:
    """The events as COPY text rows of telemetry_event, with the columns the API would store
    (``endpoints``: name -> (id, accelerator type, accelerator count))."""
    out = io.StringIO()
    for e in events:
        endpoint_id, accelerator, count = endpoints[e["endpoint"]]
        measured = e["attributes"].get("gpu_ms")
        gpu_ms = round(
            measured if measured is not None else e["latency_ms"] * count / e["batch_size"], 3
        )
        fields = [
            e["ts"], str(endpoint_id), "copy-" + e["request_id"], e["model"], e["model_version"],
            str(e["input_tokens"]), str(e["output_tokens"]), str(e.get("cached_input_tokens", 0)),
            str(e["latency_ms"]), str(e["ttft_ms"]), str(e.get("queue_ms", "\\N")),
            e.get("accelerator") or accelerator, e["resource_id"], e["lane"], e["customer"],
            e["status"], "t" if e["cache_hit"] else "f", e.get("prompt_hash", "\\N"), "f",
            str(e["batch_size"]), str(gpu_ms), json.dumps(e["attributes"]),
        ]  # fmt: skip
        out.write("\t".join(fields) + "\n")
    return out.getvalue().encode()


def _raw_copy(
    bench_url: str, batches: list[tuple[int, int]], source: SyntheticEvents | DemoEvents
) -> tuple[float, float]:
    """Render the same events as COPY text into a temporary file, then time only the COPY;
    returns (seconds, CPU seconds of its PostgreSQL backend)."""
    import psycopg

    with psycopg.connect(bench_url) as conn:
        endpoints = {
            name: (pk, accelerator, count)
            for name, pk, accelerator, count in conn.execute(
                "SELECT name, id, accelerator_type, accelerator_count FROM catalog_modelendpoint"
            )
        }
    with tempfile.TemporaryFile() as spool:
        for start, count in batches:
            spool.write(_copy_text(source.events(start, count), endpoints))
        spool.seek(0)
        with psycopg.connect(bench_url) as conn, conn.cursor() as cur:
            backend = conn.info.backend_pid
            cpu_began = _cpu_seconds(backend) or 0.0
            began = time.perf_counter()
            with cur.copy(f"COPY telemetry_event ({COPY_TEXT_COLUMNS}) FROM STDIN") as copy:  # noqa: S608
                while chunk := spool.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
            seconds = time.perf_counter() - began
            return seconds, (_cpu_seconds(backend) or 0.0) - cpu_began


def _check(bench_url: str, expected: int) -> dict:
    import psycopg

    with psycopg.connect(bench_url) as conn:
        raw = conn.execute(
            "SELECT count(*), sum(input_tokens), sum(latency_ms), sum(gpu_ms) FROM telemetry_event"
        ).fetchone()
        rolled = conn.execute(
            "SELECT sum(requests), sum(input_tokens), sum(latency_ms_sum), sum(gpu_ms_sum), "
            "count(*) FROM telemetry_telemetryrolluphourly"
        ).fetchone()
    if raw[0] != expected or tuple(raw) != tuple(rolled[:4]):
        raise SystemExit(f"inconsistent: raw {raw} rollups {rolled} expected {expected}")
    return {"stored": raw[0], "rollup_rows": rolled[4]}


def _percentile(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--pregenerate-max",
        type=int,
        default=1_000_000,
        help="build request bodies before the timed run up to this many events (memory)",
    )
    parser.add_argument(
        "--source",
        choices=["demo", "synthetic"],
        default="demo",
        help="demo: the demo generator's events (generate_demo); synthetic: a live fleet of "
        "8 endpoints over the last two hours (generate_events)",
    )
    parser.add_argument("--demo-days", type=int, default=28)
    parser.add_argument("--demo-seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    name, bench_url, admin_url = _database_urls(base_url)
    _recreate_database(admin_url, name)
    env = dict(
        os.environ,
        DATABASE_URL=bench_url,
        TELEMETRY_RATE_LIMIT_PER_MINUTE="0",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="costgov.settings",
        LOG_LEVEL="WARNING",
        # Own cache keys: a rollup-apply flag left by an earlier run (whose queued task the
        # worker's --purge drops) must not stop this run's ingests from queueing applies.
        CACHE_KEY_PREFIX=f"bench-{os.getpid()}",
    )
    os.environ.update(env)
    import django

    django.setup()
    base = datetime.now(tz=UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as demo_dir:
        if args.source == "demo":
            source = DemoEvents(Path(demo_dir), args.events, args.demo_days, args.demo_seed)
        else:
            source = SyntheticEvents(base)
        report = _run(args, source, env, bench_url)
    if not args.keep_db:
        _drop_database(admin_url, name)
    print(json.dumps(report, indent=2))


def _run(
    args: argparse.Namespace, source: SyntheticEvents | DemoEvents, env: dict, bench_url: str
) -> dict:
    """Serve, send, wait for the rollups, check, then the raw COPY; returns the report."""
    secret = _setup_django_fixtures(source)

    port = _free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "costgov.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
         "--log-level", "warning"],
        cwd=ROOT, env=dict(env, PGAPPNAME=INGEST_APPLICATION),
    )  # fmt: skip
    # Through the celery command, not the app: a broker connection opened here would be
    # inherited by the forked clients, and kombu's after-fork cleanup blocks on it.
    celery_command = [str(Path(sys.executable).parent / "celery"), "-A", "costgov"]
    subprocess.run([*celery_command, "purge", "-f"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip  # tasks left by other runs on this broker
    celery = subprocess.Popen(
        [*celery_command, "worker", "--pool",
         "solo", "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=dict(env, PGAPPNAME=APPLY_APPLICATION),
    )  # fmt: skip
    samples: list[tuple[float, float]] = []
    backlog: list[tuple[int, float]] = []
    stop = threading.Event()
    try:
        _wait_ready(port)
        _wait_worker(celery_command, env)
        batches = [
            (start, min(args.batch, args.events - start))
            for start in range(0, args.events, args.batch)
        ]

        meter = CpuMeter(gunicorn.pid, bench_url, celery.pid)

        def sample() -> None:
            began = time.monotonic()
            while not stop.is_set():
                rss = sum(_rss_mb(pid) for pid in _worker_pids(gunicorn.pid))
                samples.append((time.monotonic() - began, rss))
                backlog.append(meter.backlog())
                meter.sample()
                stop.wait(0.5)

        meter.mark_start()
        sampler = threading.Thread(target=sample, daemon=True)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        barrier = multiprocessing.Barrier(args.clients + 1)
        pregenerate = args.events <= args.pregenerate_max
        clients = [
            multiprocessing.Process(
                target=_client,
                args=(
                    port,
                    secret,
                    batches[i :: args.clients],
                    source,
                    queue,
                    barrier,
                    pregenerate,
                ),
            )
            for i in range(args.clients)
        ]
        for client in clients:
            client.start()
        barrier.wait()
        began = time.perf_counter()
        machine_began = _machine_busy_seconds()
        sampler.start()
        results = [queue.get() for _ in clients]
        sent = time.perf_counter() - began
        while meter.backlog()[0]:
            if time.perf_counter() - began > sent + 120:
                raise SystemExit(f"rollups did not catch up within 120 s: {meter.backlog()}")
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
        machine_busy = _machine_busy_seconds() - machine_began
        stop.set()
        sampler.join()
        meter.sample()
        worker_cpu, celery_cpu, ingest_backend_cpu, apply_backend_cpu = meter.used()
        backend_cpu = ingest_backend_cpu + apply_backend_cpu
        meter.conn.close()
        for client in clients:
            client.join()
    finally:
        stop.set()
        gunicorn.terminate()
        celery.terminate()
        gunicorn.wait(timeout=30)
        celery.wait(timeout=30)

    latencies = [lat for lats, _, _ in results for lat in lats]
    accepted = sum(a for _, a, _ in results)
    check = _check(bench_url, args.events)
    copy_seconds, copy_cpu = _raw_copy(bench_url, batches, source)

    api_rate = accepted / elapsed
    copy_rate = args.events / copy_seconds
    rss = [mb for _, mb in samples if mb > 0]
    third = max(1, len(rss) // 3)
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": args.source,
        "events": args.events,
        "batch": args.batch,
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "bodies_pregenerated": args.events <= args.pregenerate_max,
        "api_seconds": round(elapsed, 2),
        "api_events_per_s": round(api_rate),
        "last_response_seconds": round(sent, 2),
        "rollups_current_after_last_response_s": round(elapsed - sent, 2),
        "rollup_backlog_events_max": max((b for b, _ in backlog), default=0),
        "rollup_backlog_age_s_max": round(max((a for _, a in backlog), default=0.0), 2),
        "batch_latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "batch_latency_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "raw_copy_seconds": round(copy_seconds, 2),
        "raw_copy_events_per_s": round(copy_rate),
        "api_vs_copy": f"{api_rate / copy_rate:.1%}",
        # CPU per event on both sides: steadier than the rates on a shared machine, whose
        # speed moves between runs; the API side spends it on two cores, the COPY on one.
        "raw_copy_cpu_us_per_event_postgres": round(copy_cpu / args.events * 1e6, 2),
        "api_cpu_us_per_event": round((worker_cpu + celery_cpu + backend_cpu) / accepted * 1e6, 2),
        "cpu_ms_per_1000_events_gunicorn": round(worker_cpu / accepted * 1e6, 1),
        "cpu_ms_per_1000_events_celery": round(celery_cpu / accepted * 1e6, 1),
        "cpu_ms_per_1000_events_postgres": round(backend_cpu / accepted * 1e6, 1),
        "cpu_ms_per_1000_events_postgres_ingest": round(ingest_backend_cpu / accepted * 1e6, 1),
        "cpu_ms_per_1000_events_postgres_apply": round(apply_backend_cpu / accepted * 1e6, 1),
        "machine_busy_cores_during_api_run": round(machine_busy / elapsed, 2),
        "bench_cores_during_api_run": round((worker_cpu + celery_cpu + backend_cpu) / elapsed, 2),
        "cores": os.cpu_count(),
        "stored": check["stored"],
        "rollup_rows": check["rollup_rows"],
        "worker_rss_mb_first_third_avg": round(statistics.mean(rss[:third]), 1) if rss else None,
        "worker_rss_mb_last_third_avg": round(statistics.mean(rss[-third:]), 1) if rss else None,
        "worker_rss_mb_max": round(max(rss), 1) if rss else None,
        # At the end of each tenth of the run: a rise that levels off is warm-up, not a leak.
        "worker_rss_mb_by_tenth": [
            round(rss[min(len(rss) - 1, (i * len(rss)) // 10 - 1)], 1) for i in range(1, 11)
        ]
        if rss
        else None,
    }


if __name__ == "__main__":
    main()
