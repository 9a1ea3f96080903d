"""``manage.py generate_demo``: write the deterministic demo dataset (and optionally load it)."""

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.demo.generator.build import Options, dataset_generate


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--start must be YYYY-MM-DD, got {text!r}") from exc


class Command(BaseCommand):
    help = "Write a deterministic demo dataset: CUR, FOCUS, telemetry, labels, truth, manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--days", type=int, default=35)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--teams", type=int, default=6)
        parser.add_argument("--endpoints", type=int, default=24)
        parser.add_argument("--start", type=_day, default=date(2025, 3, 3))
        parser.add_argument("--requests-per-day", type=int, default=20_000)
        parser.add_argument("--cur-rows-per-part", type=int, default=1_000_000)
        parser.add_argument("--load", action="store_true", help="Create the matching catalog.")

    def handle(self, *args: object, **opts: object) -> None:
        options = Options(
            days=opts["days"], seed=opts["seed"], teams=opts["teams"],
            endpoints=opts["endpoints"], start=opts["start"],
            requests_per_day=opts["requests_per_day"],
            cur_rows_per_part=opts["cur_rows_per_part"],
        )  # type: ignore[arg-type]  # fmt: skip
        began = time.monotonic()
        try:
            manifest = dataset_generate(out=opts["out"], opts=options)  # type: ignore[arg-type]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        rows = {
            kind: sum(f["rows"] for f in files if f["path"].startswith(kind))
            for kind in ("cur", "focus", "telemetry", "truth")
        }
        self.stdout.write(
            f"demo dataset in {opts['out']}: {len(files)} files, "
            + ", ".join(f"{k} {v} rows" for k, v in rows.items())
            + f" ({time.monotonic() - began:.1f} s)"
        )
        if opts["load"]:
            from apps.demo.services.catalog_load import demo_catalog_load

            result = demo_catalog_load(data_dir=opts["out"])  # type: ignore[arg-type]
            self.stdout.write(f"catalog: {result}")
