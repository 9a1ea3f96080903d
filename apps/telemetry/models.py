"""Inference telemetry: dedup keys, prompt sightings and hourly rollups.

The raw events live in ``telemetry_event``, a table partitioned by UTC day on ``ts``. Django
cannot declare a partitioned table, so migration 0001 creates it with SQL and no model maps
it; it is written only by ``services/event_store.py`` (binary COPY) and read by selectors.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models

from apps.catalog.models import ModelEndpoint


class TelemetryEventKey(models.Model):
    """One row per accepted ``(endpoint, request_id)``: the idempotency key of telemetry.

    A partitioned table can only enforce uniqueness on keys that include the partition key
    (``ts``), so a client re-sending a request with a slightly different ``ts`` would slip
    through there. This unpartitioned table holds the key instead; an event is stored only if
    its key row is new. ``ts`` is kept so keys expire with the raw partitions.
    """

    pk = models.CompositePrimaryKey("endpoint", "request_id")
    # No database constraint: this table takes one insert per event, and a foreign-key check
    # per row costs more than it protects (ids come from the catalog lookup in the same request).
    endpoint = models.ForeignKey(
        ModelEndpoint, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    request_id = models.CharField(max_length=200)
    ts = models.DateTimeField()

    class Meta:
        # BRIN: keys arrive in roughly ts order and are only range-deleted by retention, so a
        # block-range index costs next to nothing per insert.
        indexes = [BrinIndex(fields=["ts"], name="telemetry_key_ts_brin")]

    def __str__(self) -> str:
        return f"{self.endpoint_id}:{self.request_id}"


class TelemetryPromptSeen(models.Model):
    """A prompt hash already sent to an endpoint on a UTC day.

    An event whose ``prompt_hash`` is already here is a duplicate prompt (the flag is stored
    on the raw row, so rollups and rebuilds agree).
    """

    pk = models.CompositePrimaryKey("endpoint", "day", "prompt_hash")
    endpoint = models.ForeignKey(
        ModelEndpoint, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    prompt_hash = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"{self.endpoint_id}:{self.day}:{self.prompt_hash}"


class TelemetryPendingBatch(models.Model):
    """A committed ingest batch whose raw rows are not yet in the hourly rollups.

    The ingest transaction inserts this row and tags its raw rows with ``id``
    (``telemetry_event.ingest_batch``); ``rollup_apply`` adds the tagged rows to the rollups
    and deletes the row in one transaction. So at every commit, rollups + pending batches
    equal the raw rows exactly. ``first_day``/``last_day`` bound the batch's UTC days (the
    partitions to read).
    """

    id = models.BigAutoField(primary_key=True)
    first_day = models.DateField()
    last_day = models.DateField()
    events = models.IntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"batch {self.id}: {self.events} events"


class TelemetryRollupHourly(models.Model):
    """Exact sums of raw events per endpoint x model_version x lane x accelerator x resource x
    customer x UTC hour.

    Maintained from the raw rows of committed ingest batches (``TelemetryPendingBatch``), each
    added exactly once, so after ``rollup_apply`` it equals an aggregate of
    ``telemetry_event`` (``rollup_rebuild`` recomputes it). ``gpu_ms_sum`` is the GPU-time
    estimate: per event ``latency_ms x endpoint.accelerator_count / batch_size``, rounded to
    0.001 ms.
    ``latency_histogram`` counts events per bucket of ``apps.telemetry.histogram``.
    """

    hour = models.DateTimeField()
    # No database constraint and no index of its own. The apply writes a rollup row for most
    # events of a backfill, and a foreign-key check per row was ~16 % of its time, the index
    # ~10 %. Instead every rollup writer holds a key-share lock on the endpoint rows it may
    # reference (add_events_to_rollups.sql), and deleting an endpoint locks its row first
    # (catalog ``endpoint_delete``): a delete waits for the apply in flight, then cascades
    # to every row it wrote. Readers filter on hour first (the unique key below).
    endpoint = models.ForeignKey(
        ModelEndpoint,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    model_version = models.CharField(max_length=200, blank=True)
    lane = models.CharField(max_length=16)
    accelerator = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=256, blank=True)
    customer = models.CharField(max_length=200, blank=True)
    requests = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)
    timeouts = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0)
    latency_ms_sum = models.BigIntegerField(default=0)
    gpu_ms_sum = models.DecimalField(max_digits=24, decimal_places=3, default=0)
    cache_hits = models.BigIntegerField(default=0)
    duplicate_prompts = models.BigIntegerField(default=0)
    latency_histogram = ArrayField(models.BigIntegerField())
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "hour",
                    "endpoint",
                    "model_version",
                    "lane",
                    "accelerator",
                    "resource_id",
                    "customer",
                ],
                name="telemetry_rollup_hourly_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id} {self.hour:%Y-%m-%dT%H} {self.lane}"
