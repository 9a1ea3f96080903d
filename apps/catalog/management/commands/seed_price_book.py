"""``manage.py seed_price_book``: load the documented default price table (idempotent)."""

from django.core.management.base import BaseCommand

from apps.catalog.services.price_book_seed import price_book_seed


class Command(BaseCommand):
    help = "Upsert the default accelerator price table; live-imported prices are kept."

    def handle(self, *args: object, **options: object) -> None:
        result = price_book_seed()
        self.stdout.write(
            f"price book: {result.created} created, {result.updated} updated, "
            f"{result.kept} kept (imported)"
        )
