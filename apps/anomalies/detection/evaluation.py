"""Scoring a detector against labelled windows (pure Python, no ORM), NAB style.

A label is detected when an event of its series overlaps its window (for a label with a root
cause: and the event was raised after the window started, or names that cause); the detection
delay is the time from the window's start to the moment the detector confirmed the event
(``confirmed_at`` when the event knows it, else its first point + ``confirm``; never less than
``confirm``).
Events that overlap no window of their series are false positives. Precision = true events /
events; recall = detected labels / labels.

An event may stand for several series (``also``): one alert whose incident was also seen on
other series linked to it. It overlaps a window when any of its series does: the alert is what
reaches a person, so it is the unit counted, and its root cause is the one it names first.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    series: str
    start: datetime
    end: datetime
    kind: str = ""
    root_cause: tuple[str, str] | None = None


@dataclass(frozen=True)
class Event:
    series: str
    start: datetime
    end: datetime
    root_cause: tuple[str, str] | None = None
    confirmed_at: datetime | None = None
    also: tuple[tuple[str, datetime, datetime], ...] = ()  # linked (series, start, end)

    def spans(self) -> list[tuple[str, datetime, datetime]]:
        return [(self.series, self.start, self.end), *self.also]

    def overlaps(self, w: "Window") -> bool:
        return any(s == w.series and a < w.end and b > w.start for s, a, b in self.spans())


@dataclass
class Score:
    labels: int = 0
    detected: int = 0
    events: int = 0
    true_events: int = 0
    delays_s: list[float] = field(default_factory=list)
    root_cause_hits: int = 0
    per_label: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_events / self.events if self.events else 1.0

    @property
    def recall(self) -> float:
        return self.detected / self.labels if self.labels else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def mean_delay_s(self) -> float | None:
        return sum(self.delays_s) / len(self.delays_s) if self.delays_s else None


def _tells_of(event: Event, w: Window, confirm: timedelta) -> bool:
    """Whether the event can stand for the detection of a labelled window. An alert raised
    before the window started, naming another cause, was about something else: a price rise on
    an instance type whose cost was already in an open incident (an idle replica) is not
    detected by that incident's alert. Windows without a root cause (NAB) take any overlap."""
    if w.root_cause is None:
        return True
    confirmed = event.confirmed_at or event.start + confirm
    return confirmed >= w.start or event.root_cause == w.root_cause


def score(windows: list[Window], events: list[Event], *, confirm: timedelta) -> Score:
    result = Score(labels=len(windows), events=len(events))
    for event in events:
        if any(event.overlaps(w) for w in windows):
            result.true_events += 1
    for w in windows:
        hits = sorted(
            (e for e in events if e.overlaps(w) and _tells_of(e, w, confirm)),
            key=lambda e: e.confirmed_at or e.start + confirm,
        )
        row = {
            "series": w.series,
            "kind": w.kind,
            "start": w.start.isoformat(),
            "detected": bool(hits),
            "delay_s": None,
            "root_cause_ok": None,
        }
        if hits:
            first = hits[0]
            result.detected += 1
            confirmed = first.confirmed_at or first.start + confirm
            delay = max((confirmed - w.start).total_seconds(), confirm.total_seconds())
            result.delays_s.append(delay)
            row["delay_s"] = delay
            if w.root_cause is not None:
                row["root_cause_ok"] = first.root_cause == w.root_cause
                row["named_first"] = first.root_cause
                result.root_cause_hits += int(row["root_cause_ok"])
        result.per_label.append(row)
    return result
