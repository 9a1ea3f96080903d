from datetime import UTC, date, datetime

import pytest
from celery.contrib.testing.worker import start_worker

from apps.reports.models import WeeklyReport
from apps.reports.services.weekly_report_send import teams_due, weekly_reports_send_due
from apps.reports.tasks import weekly_report_send_task
from apps.reports.tests.smtp import smtp_server

WEEK = date(2024, 1, 1)


@pytest.mark.django_db
def test_a_team_is_due_on_monday_8_oclock_in_its_own_time_zone(team_a, team_b):
    team_a.timezone = "Europe/Berlin"
    team_a.save()
    team_b.timezone = "America/New_York"
    team_b.save()
    # Monday 07:30 UTC = 08:30 in Berlin (winter), 02:30 in New York.
    assert teams_due(now=datetime(2024, 1, 8, 7, 30, tzinfo=UTC)) == [(team_a.id, WEEK)]
    # 13:05 UTC = 08:05 in New York; Berlin stays due (a failed send retries) until midnight.
    assert sorted(teams_due(now=datetime(2024, 1, 8, 13, 5, tzinfo=UTC))) == sorted(
        [(team_a.id, WEEK), (team_b.id, WEEK)]
    )
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: too early.
    assert teams_due(now=datetime(2024, 1, 7, 23, 30, tzinfo=UTC)) == []
    assert teams_due(now=datetime(2024, 1, 9, 7, 30, tzinfo=UTC)) == []


@pytest.mark.django_db
def test_the_hourly_check_sends_each_due_team_once(world, settings, mailoutbox):
    now = datetime(2024, 1, 8, 8, 10, tzinfo=UTC)
    assert weekly_reports_send_due(now=now) == 2
    assert weekly_reports_send_due(now=now) == 0
    assert len(mailoutbox) == 2
    assert WeeklyReport.objects.filter(status="sent").count() == 2


@pytest.mark.django_db(transaction=True)
def test_weekly_email_goes_through_smtp_from_a_real_worker_once(
    world, settings, owner_user, worker_app
):
    with (
        smtp_server(settings) as inbox,
        start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):
        first = weekly_report_send_task.delay(world["team_a"].id, WEEK.isoformat()).get(timeout=60)
        second = weekly_report_send_task.delay(world["team_a"].id, WEEK.isoformat()).get(timeout=60)
    assert first == second
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert sorted(inbox.envelopes[0][1]) == ["olive@example.com", "search@example.com"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert 'src="cid:weekly-chart"' in html
    assert "Cost last week: 11.70" in text
    assert "rank: 11.70" in text
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert images[0]["Content-ID"] == "<weekly-chart>"
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "/reports/owner?team=" in html
