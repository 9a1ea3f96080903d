"""CSV and XLSX renderers of chargeback statements (``?format=csv|xlsx``).

Exports carry amounts rounded once to cents (the statement edge); the JSON keeps exact decimals.
"""

import csv
import io
from decimal import Decimal

from rest_framework.renderers import BaseRenderer

from apps.common.money import round_display

COLUMNS = (
    "team",
    "cost_center",
    "period",
    "currency",
    "kind",
    "endpoint",
    "category",
    "rule",
    "source_period",
    "billed_cost",
    "effective_cost",
    "list_cost",
    "rule_set_id",
    "status",
)


def statement_rows(data: dict) -> list[list]:
    """One row per line, shared allocation, adjustment and total of every statement."""
    rows = []
    for st in data.get("statements", []):
        common = [st["team"], st["cost_center"], st["period"], st["currency"]]
        tail = [st["rule_set_id"] or "", st["status"]]

        def money(item: dict) -> list[Decimal]:
            return [
                round_display(Decimal(item[m]))
                for m in ("billed_cost", "effective_cost", "list_cost")
            ]

        for line in st["lines"]:
            rows.append(
                [*common, "line", line["endpoint"], line["category"], "", "", *money(line), *tail]
            )
        for shared in st["shared_allocations"]:
            rows.append(
                [*common, "shared_rule", "", "shared", shared["rule"], "", *money(shared), *tail]
            )
        for adj in st["adjustments"]:
            rows.append(
                [*common, "adjustment", "", "", "", adj["source_period"], *money(adj), *tail]
            )
        rows.append([*common, "total", "", "", "", "", *money(st["totals"]), *tail])
    return rows


class StatementCsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: dict,
        accepted_media_type: str | None = None,
        renderer_context: dict | None = None,
    ) -> bytes:
        if "statements" not in data:  # errors keep their JSON body
            return str(data).encode()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(statement_rows(data))
        return out.getvalue().encode()


class StatementXlsxRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: dict,
        accepted_media_type: str | None = None,
        renderer_context: dict | None = None,
    ) -> bytes:
        from openpyxl import Workbook

        if "statements" not in data:
            return str(data).encode()
        book = Workbook()
        sheet = book.active
        sheet.title = f"chargeback {data['period']}"
        sheet.append(list(COLUMNS))
        for row in statement_rows(data):
            sheet.append(row)
        for cell in sheet["J"][1:] + sheet["K"][1:] + sheet["L"][1:]:
            cell.number_format = "#,##0.00"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
