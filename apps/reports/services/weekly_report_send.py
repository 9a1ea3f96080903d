"""Send the weekly owner report emails."""

import logging
import zoneinfo
from datetime import date, datetime, timedelta
from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.access import system_access
from apps.accounts.models import Team
from apps.reports.choices import WeeklyReportStatus
from apps.reports.models import WeeklyReport
from apps.reports.weekly import weekly_chart_png, weekly_report_context

logger = logging.getLogger(__name__)
CHART_CID = "weekly-chart"
SEND_HOUR = 8


def weekly_report_message(*, team: Team, week_start: date) -> EmailMultiAlternatives:
    """The email (plain text, HTML, inline PNG chart referenced as ``cid:weekly-chart``)."""
    access = system_access()
    context = weekly_report_context(team=team, week_start=week_start, access=access)
    subject = f"[costgov] {team.name}: cost for the week of {week_start:%d %b %Y}"
    text = render_to_string("reports/weekly_email.txt", context)
    html = render_to_string(
        "reports/weekly_email.html", {**context, "chart_src": f"cid:{CHART_CID}"}
    )
    recipients = sorted(
        {team.contact_email} - {""}
        | set(team.members.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )
    message = EmailMultiAlternatives(subject, text, None, recipients)
    message.attach_alternative(html, "text/html")
    message.mixed_subtype = "related"
    image = MIMEImage(weekly_chart_png(context), "png")
    image.add_header("Content-ID", f"<{CHART_CID}>")
    image.add_header("Content-Disposition", "inline", filename="weekly-cost.png")
    message.attach(image)
    return message


@transaction.atomic
def weekly_report_send(
    *, team_id: int, week_start: date, now: datetime | None = None
) -> WeeklyReport:
    """Send the team's report for the week starting ``week_start`` once.

    Idempotent: the (team, week_start) row is locked and a sent report is never sent again.
    """
    now = now or timezone.now()
    team = Team.objects.get(pk=team_id)
    report, _ = WeeklyReport.objects.get_or_create(
        team=team, week_start=week_start, defaults={"created_at": now}
    )
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if report.status == WeeklyReportStatus.SENT:
        return report
    message = weekly_report_message(team=team, week_start=week_start)
    if message.to:
        message.send()
    report.status = WeeklyReportStatus.SENT
    report.recipients = message.to
    report.subject = message.subject
    report.sent_at = now
    report.save(update_fields=["status", "recipients", "subject", "sent_at"])
    return report


def teams_due(*, now: datetime) -> list[tuple[int, date]]:
    """(team id, last week's Monday) for teams whose local time is Monday, 08:00 or later.

    The hourly check normally sends at 08:xx local time; a send that failed or a missed beat is
    retried on the following hours of that Monday (sent reports are skipped by the caller).
    """
    due = []
    for team_id, zone in Team.objects.values_list("id", "timezone"):
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(zone or "UTC"))
        except zoneinfo.ZoneInfoNotFoundError:
            logger.warning("team %s has an unknown time zone %r; using UTC", team_id, zone)
            local = now.astimezone(zoneinfo.ZoneInfo("UTC"))
        if local.weekday() == 0 and local.hour >= SEND_HOUR:
            due.append((team_id, local.date() - timedelta(days=7)))
    return due


def weekly_reports_send_due(*, now: datetime | None = None) -> int:
    """Send every report due this hour; safe to run any number of times. Returns reports sent."""
    now = now or timezone.now()
    sent = 0
    for team_id, week_start in teams_due(now=now):
        if WeeklyReport.objects.filter(
            team_id=team_id, week_start=week_start, status=WeeklyReportStatus.SENT
        ).exists():
            continue
        weekly_report_send(team_id=team_id, week_start=week_start, now=now)
        sent += 1
    return sent
