"""People act on anomalies: acknowledge, resolve, and feedback that tunes the monitor."""

import statistics
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.anomalies.choices import AlertEvent, AnomalyStatus, Feedback
from apps.anomalies.models import Anomaly, Monitor
from apps.anomalies.services.alert_enqueue import alerts_enqueue
from apps.common.errors import Conflict, ValidationFailed

# "Not an anomaly": widen the monitor's band and ignore incidents up to this multiple of the
# rejected one's impact, so the same kind of blip is not raised again.
SENSITIVITY_STEP = 1.5
SENSITIVITY_MAX = 8.0
SUPPRESS_MARGIN = Decimal("1.25")


def _locked(anomaly_id: int) -> Anomaly:
    return Anomaly.objects.select_for_update().select_related("monitor").get(pk=anomaly_id)


@transaction.atomic
def anomaly_acknowledge(*, anomaly_id: int, user: User, now: datetime | None = None) -> Anomaly:
    """Open -> acknowledged. Acknowledging twice is a no-op; a resolved anomaly stays resolved."""
    anomaly = _locked(anomaly_id)
    if anomaly.status == AnomalyStatus.RESOLVED:
        raise Conflict("a resolved anomaly cannot be acknowledged")
    if anomaly.status == AnomalyStatus.OPEN:
        anomaly.status = AnomalyStatus.ACKNOWLEDGED
        anomaly.acknowledged_by = user
        anomaly.acknowledged_at = now or timezone.now()
        anomaly.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    return anomaly


@transaction.atomic
def anomaly_resolve(
    *, anomaly_id: int, user: User, note: str = "", now: datetime | None = None
) -> Anomaly:
    """Open or acknowledged -> resolved (idempotent); subscribers hear it once."""
    anomaly = _locked(anomaly_id)
    if anomaly.status != AnomalyStatus.RESOLVED:
        anomaly.status = AnomalyStatus.RESOLVED
        anomaly.resolved_at = now or timezone.now()
        if note:
            anomaly.note = note
        anomaly.save(update_fields=["status", "resolved_at", "note", "updated_at"])
        alerts_enqueue(anomaly=anomaly, event=AlertEvent.RESOLVED)
    return anomaly


def _level_factor(anomaly: Anomaly) -> float:
    """actual / expected over the incident's points: the new level relative to the old."""
    ratios = [
        p["actual"] / p["expected"]
        for p in anomaly.points
        if p.get("anomalous") and p.get("expected") and p.get("actual") is not None
    ]
    return statistics.median(ratios) if ratios else 1.0


@transaction.atomic
def anomaly_feedback(
    *, anomaly_id: int, user: User, feedback: str, note: str = "", now: datetime | None = None
) -> Anomaly:
    """Record feedback and tune the monitor:

    - ``expected``: the change is the new normal. The monitor re-baselines at the incident's
      start (history before it is scaled by the new level / old level), and the incident is
      resolved, so later points at the new level are not anomalies.
    - ``not_anomaly``: the band widens ×1.5 (up to ×8) and incidents smaller than 1.25× this
      one's impact are suppressed.
    - ``confirmed``: recorded only.
    Giving the same feedback twice changes nothing more.
    """
    if feedback not in (Feedback.EXPECTED, Feedback.NOT_ANOMALY, Feedback.CONFIRMED):
        raise ValidationFailed(f"unknown feedback {feedback!r}")
    anomaly = _locked(anomaly_id)
    if anomaly.feedback == feedback:
        return anomaly
    monitor = Monitor.objects.select_for_update().get(pk=anomaly.monitor_id)
    if feedback == Feedback.EXPECTED:
        factor = _level_factor(anomaly)
        if factor > 0 and abs(factor - 1) > 1e-9:
            monitor.baseline_shifts = [
                *monitor.baseline_shifts,
                {"at": anomaly.start_at.isoformat(), "factor": repr(factor), "anomaly": anomaly.id},
            ]
    elif feedback == Feedback.NOT_ANOMALY:
        monitor.sensitivity = min(monitor.sensitivity * SENSITIVITY_STEP, SENSITIVITY_MAX)
        floor = abs(anomaly.impact) * SUPPRESS_MARGIN
        if monitor.suppress_below_impact is None or monitor.suppress_below_impact < floor:
            monitor.suppress_below_impact = floor
    monitor.save()
    anomaly.feedback = feedback
    if note:
        anomaly.note = note
    anomaly.save(update_fields=["feedback", "note", "updated_at"])
    if feedback in (Feedback.EXPECTED, Feedback.NOT_ANOMALY):
        anomaly = anomaly_resolve(anomaly_id=anomaly.id, user=user, now=now)
    return anomaly
