"""``recommendations_refresh``: refresh recommendations now, in this process, and summarise."""

from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.common.money import round_display
from apps.recommendations.models import Recommendation
from apps.recommendations.services.recommendation_refresh import recommendation_refresh


class Command(BaseCommand):
    help = "Refresh every endpoint's recommendations and print a summary per lever."

    def handle(self, *args: object, **options: object) -> None:
        result = recommendation_refresh(now=timezone.now())
        self.stdout.write(
            f"window {result.window[0]}..{result.window[1]}: {result.endpoints} endpoints, "
            f"{result.created} created, {result.updated} updated, {result.reopened} reopened, "
            f"{result.removed} removed, {result.unchanged} unchanged"
        )
        per_lever: dict[str, list] = defaultdict(list)
        for rec in Recommendation.objects.select_related("endpoint").order_by("lever", "id"):
            per_lever[rec.lever].append(rec)
        for lever, recs in sorted(per_lever.items()):
            total = sum((r.savings_monthly for r in recs), Decimal(0))
            best = max(recs, key=lambda r: r.savings_monthly)
            self.stdout.write(
                f"{lever}: {len(recs)} endpoints, {round_display(total)} / month in total; "
                f"largest: {best.title} ({round_display(best.savings_monthly)})"
            )
