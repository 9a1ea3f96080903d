"""``manage.py demo_pipeline --data DIR [--start-worker]``: run the demo through Celery."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.demo.pipeline import pipeline_run, worker_start, worker_wait
from costgov.celery import app


class Command(BaseCommand):
    help = "Run every pipeline stage on a generated demo dataset through a real Celery worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, type=Path, help="generate_demo output folder")
        parser.add_argument(
            "--start-worker", action="store_true", help="start a detached worker and beat first"
        )

    def handle(self, *args: object, **options: object) -> None:
        data_dir: Path = options["data"].resolve()
        if not (data_dir / "manifest.json").exists():
            raise CommandError(f"{data_dir} has no manifest.json; run generate_demo first.")
        if options["start_worker"]:
            worker_start()
        worker_wait(app)
        try:
            pipeline_run(app=app, data_dir=data_dir, echo=self.stdout.write)
        except Exception as exc:
            raise CommandError(f"pipeline failed: {exc}") from exc
        self.stdout.write(
            "\nDemo logins (demo only; password 'costgov-demo'): admin, finance, sre, "
            "and owner-<team> for each team."
        )
