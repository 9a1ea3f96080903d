"""``manage.py import_billing``: file or folder, ``--json`` summary, failures as CommandError."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.billing.models import CostLineItem
from apps.billing.tests.factories import cur_row, write_csv

pytestmark = pytest.mark.django_db


def test_json_summary_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cur.csv", [cur_row(cost="1.10"), cur_row(cost="2.20")])
    out = StringIO()
    call_command("import_billing", str(path), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary == {
        "import_id": summary["import_id"],
        "rows": 2,
        "billing_periods": ["2024-01-01"],
        "totals": {"USD": "3.3"},
    }


def test_folder_import_sums_totals_per_currency_across_periods(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [cur_row(cost="1", currency="EUR")])
    write_csv(
        tmp_path / "b.csv.gz",
        [cur_row(period="2024-02-01T00:00:00Z", day="2024-02-02", cost="2", currency="EUR")],
    )
    (tmp_path / "manifest.json").write_text("{}")  # not a billing file: skipped
    out = StringIO()
    call_command("import_billing", str(tmp_path), "--format", "cur", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["billing_periods"] == ["2024-01-01", "2024-02-01"]
    assert summary["totals"] == {"EUR": "3"}


def test_failed_import_raises_command_error_naming_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cur.csv", [cur_row(cost="abc")])
    with pytest.raises(CommandError, match=r"cur.csv, row 2, column 'line_item_unblended_cost'"):
        call_command("import_billing", str(path))
    assert not CostLineItem.objects.exists()


def test_missing_path_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_billing", str(tmp_path / "nope.csv"))
