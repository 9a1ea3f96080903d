"""``evaluate_detector LABELS_DIR [--load] [--json]``: precision, recall, F1 and detection delay.

Two layouts are understood:

- a **demo dataset** (``labels.json``, from ``generate_demo``): the hourly detector runs over the
  dataset's period on the database (``--load`` imports the dataset first), inside a transaction
  that is rolled back, so scoring leaves no anomalies or alerts behind. What is scored is
  what reaches a person: every hourly alert (an anomaly without a parent, on any series), with
  the anomalies linked to it as the same incident; an alert is true when it or a linked anomaly
  overlaps a label window of its series (labels name endpoints and instance types). The root
  cause the alert names first is compared with the label's, and the delay runs to the end of
  the incident's second anomalous point (when it could first be raised).
- a **NAB folder** (``combined_windows.json`` + ``*/*.csv`` with ``timestamp,value``): the same
  seasonal baseline and rules run on each file (season = one day of points; no money threshold,
  since the values are not money).
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.anomalies.detection.baseline import seasonal_baseline
from apps.anomalies.detection.detector import Thresholds, flag_points, incidents_from_flags
from apps.anomalies.detection.evaluation import Event, Score, Window, score
from apps.anomalies.services.anomalies_detect import MIN_POINTS

DIMENSION_ALIASES = {"endpoint": "endpoint", "instance_type": "instance_type"}


class _Rollback(Exception):  # noqa: N818 - control flow, not an error
    pass


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _series_name(anomaly) -> str:
    return f"{anomaly.monitor.kind}:{anomaly.monitor.subject}"


def _confirmed_at(anomaly) -> datetime | None:
    """When the detector had the data to raise the incident: the end of its second anomalous
    point (an incident needs two), from the points it stored for its chart."""
    flagged = [p["t"] for p in anomaly.points if p.get("anomalous") and p["t"] >= _iso(anomaly)]
    if len(flagged) < MIN_POINTS:
        return None
    return datetime.fromisoformat(flagged[MIN_POINTS - 1]) + timedelta(hours=1)


def _iso(anomaly) -> str:
    return anomaly.start_at.isoformat()


def evaluate_demo(data_dir: Path, *, load: bool) -> Score:
    from apps.anomalies.models import Anomaly
    from apps.anomalies.services.anomalies_detect import anomalies_detect
    from apps.anomalies.services.demo_load import demo_dataset_load, demo_period

    labels = json.loads((data_dir / "labels.json").read_text())["anomalies"]
    windows = []
    for label in labels:
        series = label["endpoint"] or f"instance_type:{label['instance_type']}"
        cause = label["root_cause"]
        windows.append(
            Window(
                series=series if series.startswith("instance_type:") else f"endpoint:{series}",
                start=_utc(label["start"]),
                end=_utc(label["end"]),
                kind=label["kind"],
                root_cause=(cause["dimension"], cause["value"]),
            )
        )
    events: list[Event] = []
    try:
        with transaction.atomic():
            period = (
                demo_dataset_load(data_dir=data_dir) if load else demo_period(data_dir=data_dir)
            )
            summary = anomalies_detect(granularity="hour", start=period.start, end=period.end)
            # Only this run's incidents count, whatever the database held before. The unit is
            # the alert (an anomaly without a parent), with the anomalies linked to it.
            found = list(
                Anomaly.objects.select_related("monitor").filter(
                    id__in=summary.anomaly_ids, monitor__granularity="hour"
                )
            )
            linked: dict[int, list] = {}
            for anomaly in found:
                if anomaly.parent_id is not None:
                    linked.setdefault(anomaly.parent_id, []).append(anomaly)
            for anomaly in found:
                if anomaly.parent_id is not None:
                    continue
                top = anomaly.contributors[0] if anomaly.contributors else None
                events.append(
                    Event(
                        series=_series_name(anomaly),
                        start=anomaly.start_at,
                        end=anomaly.end_at,
                        root_cause=(top["dimension"], top["value"]) if top else None,
                        confirmed_at=_confirmed_at(anomaly),
                        also=tuple(
                            (_series_name(child), child.start_at, child.end_at)
                            for child in linked.get(anomaly.id, [])
                        ),
                    )
                )
            raise _Rollback
    except _Rollback:
        pass
    return score(windows, events, confirm=timedelta(hours=2))


def evaluate_nab(root: Path) -> Score:
    windows_by_file = json.loads((root / "combined_windows.json").read_text())
    windows: list[Window] = []
    events: list[Event] = []
    confirm = None
    for name, spans in sorted(windows_by_file.items()):
        path = root / name
        if not path.exists():
            continue
        frame = pd.read_csv(path)
        ts = pd.to_datetime(frame["timestamp"], utc=True)
        step = ts.iloc[1] - ts.iloc[0]
        season = int(timedelta(days=1) / step)
        values = frame["value"].to_numpy(dtype=float)[None, :]
        # NAB values can be negative: shift to a positive level so relative rules apply.
        shift = max(0.0, -float(np.nanmin(values))) + 1.0
        baseline = seasonal_baseline(values + shift, season=season, history_seasons=7, weekly=7)
        flags = flag_points(
            values + shift,
            baseline,
            thresholds=Thresholds(band_k=4.0, min_impact=0.0, min_relative=0.10),
        )
        confirm = 2 * step.to_pytimedelta()
        for inc in incidents_from_flags(flags, max_gap=2, min_points=2):
            events.append(
                Event(
                    series=name,
                    start=ts.iloc[inc.start].to_pydatetime(),
                    end=ts.iloc[inc.end - 1].to_pydatetime() + step.to_pytimedelta(),
                )
            )
        for start, end in spans:
            windows.append(Window(series=name, start=_utc(start), end=_utc(end)))
    return score(windows, events, confirm=confirm or timedelta(0))


class Command(BaseCommand):
    help = "Score the anomaly detector on labelled series (demo dataset or NAB layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("labels_dir")
        parser.add_argument("--load", action="store_true", help="demo: import the dataset first")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        root = Path(str(options["labels_dir"]))
        if (root / "labels.json").exists():
            result, layout = evaluate_demo(root, load=bool(options["load"])), "demo"
        elif (root / "combined_windows.json").exists():
            result, layout = evaluate_nab(root), "nab"
        else:
            raise CommandError(
                f"{root}: neither labels.json (demo) nor combined_windows.json (NAB)"
            )
        summary = {
            "layout": layout,
            "labels": result.labels,
            "detected": result.detected,
            "events": result.events,
            "true_events": result.true_events,
            "precision": round(result.precision, 4),
            "recall": round(result.recall, 4),
            "f1": round(result.f1, 4),
            "mean_delay_s": result.mean_delay_s,
            "root_cause_named_first": result.root_cause_hits,
            "per_label": result.per_label,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2, default=str))
            return
        delay = result.mean_delay_s
        self.stdout.write(
            f"{layout}: {result.labels} labels, {result.detected} detected, {result.events} "
            f"events ({result.true_events} inside a window); precision {result.precision:.3f}, "
            f"recall {result.recall:.3f}, F1 {result.f1:.3f}, mean delay "
            f"{'n/a' if delay is None else f'{delay / 3600:.2f} h'}"
        )
        for row in result.per_label:
            extra = ""
            if row.get("root_cause_ok") is not None:
                extra = f", root cause {'ok' if row['root_cause_ok'] else 'WRONG'}"
                extra += f" ({row.get('named_first')})"
            delay_text = "-" if row["delay_s"] is None else f"{row['delay_s'] / 3600:.2f} h"
            self.stdout.write(
                f"  {row['series']} {row['kind']} {row['start']}: "
                f"{'detected' if row['detected'] else 'MISSED'}, delay {delay_text}{extra}"
            )
