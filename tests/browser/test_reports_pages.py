"""Dashboards, exports and team isolation, driven through headless Chromium."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from apps.reports.tests.builders import reports_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def world(team_a, team_b) -> dict:
    return reports_world(team_a, team_b)


@pytest.fixture
def page_for(chromium, live_server):
    contexts = []

    def open_as(user: object) -> tuple[object, list[str]]:
        context = chromium.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page, errors

    yield open_as
    for context in contexts:
        context.close()


def _charts_render(page: object) -> int:
    charts = page.locator("[data-chart]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart][data-rendered=true]').length === n",
        arg=charts,
        timeout=15000,
    )
    assert page.locator("[data-chart] .main-svg").count() >= charts
    return charts


@pytest.mark.parametrize("role_user", ["finance_user", "sre_user"])
def test_finance_dashboard_draws_every_chart_without_console_errors(
    request, page_for, live_server, world, screenshot_dir, role_user
):
    user = request.getfixturevalue(role_user)
    page, errors = page_for(user)
    response = page.goto(f"{live_server.url}/reports/finance?month=2024-01")
    assert response.status == 200
    assert _charts_render(page) >= 5
    page.screenshot(path=screenshot_dir / f"finance-dashboard-{user.role}.png", full_page=True)
    assert errors == []


def test_finance_csv_export_downloads_and_parses(page_for, live_server, world, finance_user):
    page, errors = page_for(finance_user)
    page.goto(f"{live_server.url}/reports/finance?month=2024-01")
    with page.expect_download() as download_info:
        page.click("text=Chargeback CSV")
    download = download_info.value
    assert download.suggested_filename == "chargeback-2024-01.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    totals = {r["team"]: r["billed_cost"] for r in rows if r["kind"] == "total"}
    assert totals == {"search": "12.82", "assistant": "4.35"}
    assert errors == []


def test_owner_sees_own_dashboard_and_cannot_reach_another_team(
    page_for, live_server, world, owner_user, screenshot_dir
):
    page, errors = page_for(owner_user)
    response = page.goto(f"{live_server.url}/reports/owner?month=2024-01")
    assert response.status == 200
    assert _charts_render(page) == 2
    assert page.locator("text=chat").count() == 0
    page.screenshot(path=screenshot_dir / "owner-dashboard.png", full_page=True)
    assert errors == []
    other = world["team_b"].id
    for path in (
        f"/reports/owner?team={other}&month=2024-01",
        f"/reports/statements/{other}/2024-01",
        f"/reports/weekly/{other}?week=2024-01-01",
    ):
        assert page.goto(f"{live_server.url}{path}").status == 404
    assert page.goto(f"{live_server.url}/reports/finance").status == 403
    body = page.goto(f"{live_server.url}/api/v1/reports/chargeback?period=2024-01").text()
    assert "assistant" not in body


def test_weekly_email_renders_in_chromium_with_its_inline_chart(
    chromium, world, settings, owner_user, screenshot_dir
):
    import base64

    from apps.reports.services.weekly_report_send import weekly_report_send
    from apps.reports.tests.smtp import smtp_server

    with smtp_server(settings) as inbox:
        weekly_report_send(team_id=world["team_a"].id, week_start=date(2024, 1, 1))
    message = inbox.messages[0]
    html = message.get_body(("html",)).get_content()
    png = next(p for p in message.walk() if p["Content-ID"] == "<weekly-chart>").get_content()
    # What a mail client does with cid: references.
    html = html.replace(
        "cid:weekly-chart", "data:image/png;base64," + base64.b64encode(png).decode()
    )
    page = chromium.new_page(viewport={"width": 700, "height": 900})
    page.set_content(html, wait_until="load")
    assert page.evaluate("document.images[0].naturalWidth") == 600
    assert re.search(r"Cost last week: 11\.70", page.inner_text("body"))
    page.screenshot(path=screenshot_dir / "weekly-email.png", full_page=True)
    page.close()
