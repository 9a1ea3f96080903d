"""Open anomalies and recommendations on the owner dashboard and in the weekly e-mail."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from apps.accounts.access import system_access
from apps.anomalies.tests.test_api_anomalies import anomaly_for
from apps.recommendations.tests.factories import RecommendationFactory
from apps.reports.weekly import weekly_report_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(world):
    RecommendationFactory(endpoint=world["rank"], title="Quantize rank to INT8")
    RecommendationFactory(endpoint=world["chat"], title="Quantize chat to INT8")
    RecommendationFactory(
        endpoint=world["rank"],
        lever="batching",
        title="Dismissed idea",
        status="dismissed",
        dismissed_reason="no",
    )
    return anomaly_for(world["team_a"], "rank-anomalous"), anomaly_for(world["team_b"], "chat-x")


def test_owner_dashboard_lists_their_open_anomalies_and_recommendations_only(
    client_for, owner_user, world, findings
):
    page = client_for(owner_user).get("/reports/owner", {"month": "2024-01"}).content.decode()
    assert "endpoint:rank-anomalous:hour" in page
    assert "Quantize rank to INT8" in page
    assert "chat-x" not in page
    assert "Quantize chat to INT8" not in page
    assert "Dismissed idea" not in page


def test_weekly_email_carries_both_sections_in_html_and_text(
    client_for, owner_user, world, findings
):
    page = (
        client_for(owner_user)
        .get(f"/reports/weekly/{world['team_a'].id}", {"week": date(2024, 1, 1)})
        .content.decode()
    )
    assert "Open cost anomalies" in page
    assert "Quantize rank to INT8" in page

    access = system_access()
    context = weekly_report_context(
        team=world["team_a"], week_start=date(2024, 1, 1), access=access
    )
    text = render_to_string("reports/weekly_email.txt", context)
    assert "Quantize rank to INT8: saves 720.00" in text
    assert "endpoint:rank-anomalous:hour" in text
    assert "Quantize chat to INT8" not in text
