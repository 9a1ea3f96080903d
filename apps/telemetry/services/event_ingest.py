"""Ingest a batch of telemetry events: validate, dedupe, store raw rows, update rollups."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from apps.telemetry.parsers.event_fast import (
    EventStruct,
    event_row_fast,
    struct_as_dict,
    struct_row_fast,
)
from apps.telemetry.parsers.events import (
    ROW_ACCELERATOR,
    ROW_ATTRIBUTES,
    ROW_BATCH_SIZE,
    ROW_ENDPOINT,
    ROW_LATENCY,
    ROW_REQUEST_ID,
    Rejection,
    Window,
    event_validate,
)
from apps.telemetry.rollup_delta import gpu_milli_ms
from apps.telemetry.selectors import endpoint_targets
from apps.telemetry.services.event_store import events_store
from apps.telemetry.services.partitions import oldest_kept_day, telemetry_partitions_ensure

# Events may be stamped at most this far ahead of the server clock (clock skew).
FUTURE_TOLERANCE = timedelta(days=1)
# telemetry_event.gpu_ms is numeric(20, 3): below 10^17 ms, i.e. 10^20 thousandths.
GPU_MILLI_LIMIT = 10**20
GPU_MS_TOO_LARGE = "gpu_ms must be less than 100000000000000000"
# Thousandths to milliseconds: the product of an exact integer below GPU_MILLI_LIMIT has
# exponent -3, the Decimal rollup_delta.milli_to_decimal gives, at a third of its cost.
MS_PER_MILLI = Decimal("0.001")


@dataclass
class IngestResult:
    """What happened to each event of one request: stored, already known, or refused."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in self.rejected],
        }


def telemetry_events_ingest(
    *,
    events: Iterable[object],
    team_ids: frozenset[int] | None,
    now: datetime,
    retention_days: int,
) -> IngestResult:
    """Store a batch of decoded events (dicts, or ``EventStruct`` from the typed decoder);
    invalid ones are reported by index and field.

    Guarantees: each ``(endpoint, request_id)`` is stored at most once, ever (re-sent events
    and repeats inside the batch count as duplicates); an event is accepted only for an
    endpoint of ``team_ids`` (None: any team); the stored events form one pending batch
    that a rollup apply adds to the hourly rollups exactly once (``rollup_apply``).
    Partitions for new days are created first, in their own transaction (see
    ``telemetry_partitions_ensure``).
    """
    window = Window(
        oldest=datetime.combine(
            oldest_kept_day(now=now, retention_days=retention_days),
            datetime.min.time(),
            tzinfo=UTC,
        ),
        newest=now + FUTURE_TOLERANCE,
    )
    result = IngestResult()
    valid: list[tuple[int, object, tuple]] = []  # (index, attributes, row)
    for index, event in enumerate(events):
        if type(event) is EventStruct:
            row = struct_row_fast(event, window)
            if row is not None:
                valid.append((index, event.attributes, row))
                continue
            event = struct_as_dict(event)  # noqa: PLW2901 - the validator reads dicts
        else:
            row = event_row_fast(event, window)
            if row is not None:
                valid.append((index, event.get("attributes"), row))
                continue
        row, errors = event_validate(event, window)
        if errors:
            result.rejected.extend(Rejection(index, f, e) for f, e in errors)
            continue
        valid.append((index, event.get("attributes"), row))
    targets = endpoint_targets(names={row[ROW_ENDPOINT] for _, _, row in valid})
    staged: list[list] = []
    seen: set[tuple[int, str]] = set()
    for index, attributes, row in valid:
        target = targets.get(row[ROW_ENDPOINT])
        if target is None:
            result.rejected.append(Rejection(index, "endpoint", "unknown endpoint"))
            continue
        endpoint_id, team_id, accelerator_type, accelerator_count = target
        if team_ids is not None and team_id not in team_ids:
            result.rejected.append(
                Rejection(
                    index, "endpoint", "endpoint belongs to a team this credential may not write"
                )
            )
            continue
        gpu_milli = gpu_milli_ms(
            latency_ms=row[ROW_LATENCY],
            accelerator_count=accelerator_count,
            batch_size=row[ROW_BATCH_SIZE],
            attributes=attributes,
        )
        if gpu_milli >= GPU_MILLI_LIMIT:
            result.rejected.append(Rejection(index, "attributes", GPU_MS_TOO_LARGE))
            continue
        key = (endpoint_id, row[ROW_REQUEST_ID])
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        # A raw row of telemetry_event, less is_duplicate_prompt (event_store appends it):
        # the row with the endpoint's id for its name, the catalog's accelerator where the
        # event named none, and gpu_ms before attributes.
        stage = list(row)
        stage[ROW_ENDPOINT] = endpoint_id
        if stage[ROW_ACCELERATOR] is None:
            stage[ROW_ACCELERATOR] = accelerator_type
        stage.insert(ROW_ATTRIBUTES, MS_PER_MILLI * gpu_milli)
        staged.append(stage)
    result.rejected.sort(key=lambda r: r.index)
    if staged:
        telemetry_partitions_ensure(days={row[0].date() for row in staged})
        inserted = events_store(staged=staged)
        result.accepted = inserted
        result.duplicates += len(staged) - inserted
    return result
