"""Generate the whole demo dataset into a directory, streaming, day by day (pure code, no ORM).

Memory holds the world (teams, endpoints, instances), one hour of telemetry and one day of CUR
charges; everything else goes straight to gzip/CSV streams. Output bytes depend only on the
arguments (see ``docs/demo-dataset.md``).
"""

import heapq
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from apps.demo.generator import commitments, cur, focus, telemetry, truth
from apps.demo.generator.anomalies import Anomaly, AnomalyPlan, anomalies_plan
from apps.demo.generator.catalog import catalog_describe
from apps.demo.generator.prices import price_book
from apps.demo.generator.topology import Instance, Topology, topology_build, with_instances
from apps.demo.generator.traffic import (
    EndpointDay,
    plans_build,
    routes_by_endpoint,
)
from apps.demo.generator.writer import CsvOut, FileRecord, TextOut

REPORT = "costgov-demo"
FORMAT_VERSION = 1
WRITE_CHUNK = 4096  # telemetry lines per write


@dataclass(frozen=True)
class Options:
    days: int
    seed: int
    teams: int = 6
    endpoints: int = 24
    start: date = date(2025, 3, 3)
    requests_per_day: int = 20_000
    cur_rows_per_part: int = 1_000_000


class _Month:
    """The open CUR parts and FOCUS file of one billing period."""

    def __init__(self, root: Path, month_start: datetime, rows_per_part: int) -> None:
        self.root, self.start, self.rows_per_part = root, month_start, rows_per_part
        _, end = cur.month_bounds(month_start)
        self.cur_dir = f"cur/{REPORT}/{month_start:%Y%m%d}-{end:%Y%m%d}"
        self.part = 0
        self.records: list[FileRecord] = []
        self.cur_out = self._next_part()
        self.focus_out = CsvOut(root, f"focus/{month_start:%Y-%m}/focus-{month_start:%Y-%m}.csv",
                                focus.COLUMNS)  # fmt: skip
        self.usage_total = Decimal(0)
        self.cur_total = Decimal(0)

    def _next_part(self) -> CsvOut:
        self.part += 1
        return CsvOut(self.root, f"{self.cur_dir}/{REPORT}-{self.part:05d}.csv.gz", cur.COLUMNS)

    def write(self, charges: list[cur.Charge], first_ordinal: int) -> None:
        for k, charge in enumerate(charges):
            if self.cur_out.rows >= self.rows_per_part:
                self.records.append(self.cur_out.close())
                self.cur_out = self._next_part()
            self.cur_out.write_row(cur.cur_row(charge, first_ordinal + k))
            self.cur_out.add_total(charge.currency, charge.cost)
            self.cur_total += charge.cost
            if charge.line_type not in ("Fee", "Tax"):
                self.usage_total += charge.cost

    def write_focus(self, charge: cur.Charge, name: str = "") -> None:
        self.focus_out.write_row(focus.focus_row(charge, instance_name=name))
        self.focus_out.add_total(charge.currency, charge.cost)

    def close(self) -> list[FileRecord]:
        return [*self.records, self.cur_out.close(), self.focus_out.close()]


def _day_telemetry(
    *,
    root: Path,
    topo: Topology,
    plan: AnomalyPlan,
    opts: Options,
    day_start: datetime,
    billed: dict[str, tuple[Instance, range]],
    instance_types: dict[str, str],
    plans: dict,
) -> tuple[FileRecord, dict[tuple[str, str], int], int]:
    out = TextOut(root, f"telemetry/{day_start:%Y-%m-%d}.ndjson.gz")
    usage: dict[tuple[str, str], int] = {}
    bytes_out = 0
    days = [
        EndpointDay(plan=plans[e.name], seed=opts.seed, day_start=day_start, anomalies=plan)
        for e in topo.endpoints
    ]
    routable = routes_by_endpoint(topo, billed)
    for hour in range(24):
        hour_start = day_start + timedelta(hours=hour)
        active_ids = frozenset(r for r, (_, hours) in billed.items() if hour in hours)
        streams = []
        for ed in days:
            routes = tuple(r for r in routable[ed.plan.endpoint.name] if r in active_ids)
            for batch in ed.hour(hour, hour_start, routes, active_ids):
                telemetry.usage_add(usage, batch)
                bytes_out += int((batch.output_tokens * 4 + 600).sum())
                streams.append(
                    telemetry.batch_lines(
                        batch,
                        hour_start=hour_start,
                        region="us-east-1",
                        instance_types=instance_types,
                    )
                )
        # Each stream is already in time order: merging them lazily keeps one hour's lines out
        # of memory (ties: endpoint index, then the line text, so the order is deterministic).
        chunk: list[str] = []
        for _, _, line in heapq.merge(*streams):
            chunk.append(line)
            if len(chunk) >= WRITE_CHUNK:
                out.write_lines(chunk)
                chunk = []
        out.write_lines(chunk)
    return out.close(), usage, bytes_out


def _day_charges(
    *,
    month: _Month,
    billed: dict[str, tuple[Instance, range]],
    day_start: datetime,
    ordinal: int,
    pricing: Anomaly | None,
    savings_plan: commitments.SavingsPlan | None,
    bytes_out: int,
) -> tuple[list[tuple[Instance, Decimal, int]], list[cur.Charge]]:
    """Write the day's CUR and FOCUS rows; return each instance's effective cost and the
    charges that belong to no instance (shared costs, the plan's fee)."""
    prices = price_book()
    instance_costs = []
    used_by_hour: dict[int, Decimal] = {}
    for inst, hours in billed.values():
        factor = Decimal(1)
        if pricing and pricing.covers(day_start) and inst.instance_type == pricing.instance_type:
            factor = pricing.factor
        args = {"inst": inst, "price": prices[inst.instance_type], "day_start": day_start,
                "hours": hours, "rate_factor": factor}  # fmt: skip
        if savings_plan and inst.resource_id in savings_plan.covered:
            charges = commitments.covered_hour_charges(**args, plan=savings_plan)
            for c in charges:
                used_by_hour[c.start.hour] = used_by_hour.get(c.start.hour, 0) + c.effective
        else:
            charges = cur.instance_hour_charges(**args)
        month.write(charges, ordinal)
        ordinal += len(charges)
        month.write_focus(focus.merge_instance_day(charges), inst.name)
        cost = sum((c.effective for c in charges), Decimal(0))
        instance_costs.append((inst, cost, len(hours)))
    other = cur.shared_daily_charges(
        day_start=day_start, bytes_out=bytes_out, instance_count=len(billed)
    )
    month.write(other, ordinal)
    ordinal += len(other)
    for charge in other:
        month.write_focus(charge)
    if savings_plan:
        fees = commitments.fee_charges(
            plan=savings_plan, day_start=day_start, used_by_hour=used_by_hour
        )
        month.write(fees, ordinal)
        month.write_focus(focus.merge_instance_day(fees))
        other.extend(fees)
    return instance_costs, other


def dataset_generate(*, out: Path, opts: Options) -> dict:
    """Write the dataset under ``out`` and return the manifest (also written as manifest.json).

    Files are overwritten; the same options always produce byte-identical files.
    """
    if opts.days < 1:
        raise ValueError("days must be at least 1")
    if opts.requests_per_day < 0:
        raise ValueError("requests_per_day must not be negative")
    out.mkdir(parents=True, exist_ok=True)
    period_start = datetime(opts.start.year, opts.start.month, opts.start.day, tzinfo=UTC)
    base = topology_build(seed=opts.seed, teams=opts.teams, endpoints=opts.endpoints)
    plan = anomalies_plan(topo=base, period_start=period_start, days=opts.days)
    topo = with_instances(base, list(plan.extra_instances))
    plans = plans_build(topo=topo, requests_per_day=opts.requests_per_day)
    instance_types = {i.resource_id: i.instance_type for i in topo.instances}
    endpoint_teams = {e.name: e.team for e in topo.endpoints}
    savings_plan = commitments.savings_plan_for(base)
    pricing = plan.of_kind("pricing_change")
    records: list[FileRecord] = []
    period_totals: dict[str, dict[str, str]] = {}
    truth_out = CsvOut(out, "truth/endpoint_daily_cost.csv", truth.COLUMNS)
    month: _Month | None = None

    def close_month(m: _Month) -> None:
        monthly = cur.monthly_charges(month_start=m.start, usage_total=m.usage_total)
        m.write(monthly, first_ordinal=0)
        for charge in monthly:
            m.write_focus(charge)
            truth_out.add_total(charge.currency, charge.cost)
        for row in truth.truth_month(month_start=m.start.date(), charges=monthly):
            truth_out.write_row(row)
        period_totals[f"{m.start:%Y-%m}"] = {"USD": cur.money_text(m.cur_total)}
        records.extend(m.close())

    for d in range(opts.days):
        day_start = period_start + timedelta(days=d)
        month_start, _ = cur.month_bounds(day_start)
        if month is None or month.start != month_start:
            if month is not None:
                close_month(month)
            month = _Month(out, month_start, opts.cur_rows_per_part)
        billed = {
            inst.resource_id: (inst, hours)
            for inst in sorted(topo.instances, key=lambda i: i.resource_id)
            if (hours := inst.hours_on(day_start))
        }
        record, usage, bytes_out = _day_telemetry(
            root=out, topo=topo, plan=plan, opts=opts, day_start=day_start, billed=billed,
            instance_types=instance_types, plans=plans,
        )  # fmt: skip
        records.append(record)
        instance_costs, other = _day_charges(
            month=month, billed=billed, day_start=day_start, ordinal=(d + 1) * 1_000_000,
            pricing=pricing, savings_plan=savings_plan, bytes_out=bytes_out,
        )  # fmt: skip
        for row in truth.truth_day(
            usage_date=day_start.date(), endpoint_teams=endpoint_teams,
            instance_costs=instance_costs, usage=usage, other=other,
        ):  # fmt: skip
            truth_out.write_row(row)
        for _, cost, _ in instance_costs:
            truth_out.add_total("USD", cost)
        for charge in other:
            truth_out.add_total(charge.currency, charge.effective)
    assert month is not None  # noqa: S101 - days >= 1
    close_month(month)
    records.append(truth_out.close())

    labels = {"format_version": FORMAT_VERSION, "anomalies": [a.as_label() for a in plan.anomalies]}
    (out / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    nab: dict[str, list[list[str]]] = {}
    for a in plan.anomalies:
        key = a.endpoint or f"instance_type:{a.instance_type}"
        nab.setdefault(key, []).append([a.start.strftime("%Y-%m-%d %H:%M:%S.000000"),
                                        a.end.strftime("%Y-%m-%d %H:%M:%S.000000")])  # fmt: skip
    (out / "labels_nab.json").write_text(json.dumps(nab, indent=2, sort_keys=True) + "\n")

    manifest = {
        "format_version": FORMAT_VERSION,
        "generator": "costgov generate_demo",
        "arguments": {
            "days": opts.days,
            "seed": opts.seed,
            "teams": opts.teams,
            "endpoints": opts.endpoints,
            "start": opts.start.isoformat(),
            "requests_per_day": opts.requests_per_day,
            "cur_rows_per_part": opts.cur_rows_per_part,
        },  # fmt: skip
        "period": {
            "start": cur.iso(period_start),
            "end": cur.iso(period_start + timedelta(days=opts.days)),
        },
        "billing_period_totals": period_totals,
        "files": [r.as_dict() for r in sorted(records, key=lambda r: r.path)],
        "labels": "labels.json",
        "catalog": catalog_describe(topo=topo, plan=plan),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
