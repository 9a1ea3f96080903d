"""Sections other apps contribute to a team's dashboard and weekly e-mail.

One place builds them: open anomalies (apps.anomalies) and open recommendations
(apps.recommendations), read through those apps' selectors and scoped by the caller's access.
"""

from apps.accounts.access import Access
from apps.anomalies.choices import AnomalyStatus
from apps.anomalies.selectors import anomaly_list
from apps.recommendations.selectors import recommendation_list_open

MAX_ANOMALIES = 10
MAX_RECOMMENDATIONS = 5


def team_sections(*, access: Access, team_ids: list[int]) -> list[dict]:
    """``[{template, text_template, data}]`` for the teams: open anomalies, top recommendations."""
    anomalies = list(
        anomaly_list(access=access)
        .filter(
            team_id__in=team_ids,
            status__in=[AnomalyStatus.OPEN, AnomalyStatus.ACKNOWLEDGED],
        )
        .order_by("-impact", "-id")[:MAX_ANOMALIES]
    )
    recommendations = list(
        recommendation_list_open(access=access, team_ids=team_ids).select_related("endpoint")[
            :MAX_RECOMMENDATIONS
        ]
    )
    return [
        {
            "template": "reports/_section_anomalies.html",
            "text_template": "reports/_section_anomalies.txt",
            "data": anomalies,
        },
        {
            "template": "reports/_section_recommendations.html",
            "text_template": "reports/_section_recommendations.txt",
            "data": recommendations,
        },
    ]
