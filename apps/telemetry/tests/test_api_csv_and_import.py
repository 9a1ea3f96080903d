import csv
import gzip
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.telemetry.selectors import raw_totals, rollup_totals
from apps.telemetry.tests.factories import event

pytestmark = pytest.mark.django_db
URL = "/api/v1/telemetry/events/csv"
COLUMNS = ["ts", "request_id", "endpoint", "model", "input_tokens", "output_tokens", "latency_ms",
           "cache_hit", "attributes"]  # fmt: skip


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def test_csv_upload_stores_valid_rows_and_reports_bad_cells(ingest_client, endpoint_a):
    rows = [
        event(endpoint_a.name, cache_hit="true", attributes='{"region": "eu"}'),
        event(endpoint_a.name, input_tokens="lots"),
        event(endpoint_a.name, cache_hit="maybe"),
    ]
    upload = SimpleUploadedFile("events.csv", csv_text(rows).encode(), content_type="text/csv")
    response = ingest_client.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [
        (1, "input_tokens"),
        (2, "cache_hit"),
    ]


def test_csv_with_ragged_row_is_400(ingest_client, endpoint_a):
    text = csv_text([event(endpoint_a.name)]) + "only,two\n"
    upload = SimpleUploadedFile("events.csv", text.encode(), content_type="text/csv")
    assert ingest_client.post(URL, {"file": upload}, format="multipart").status_code == 400
    assert raw_totals()["requests"] == 0


def test_import_command_reads_folders_of_ndjson_gz_and_csv(tmp_path, endpoint_a, capsys):
    (tmp_path / "sub").mkdir()
    events = [event(endpoint_a.name) for _ in range(4)]
    with gzip.open(tmp_path / "sub" / "a.ndjson.gz", "wt") as handle:
        handle.write("\n".join(json.dumps(e) for e in events[:3]))
    (tmp_path / "b.ndjson").write_text(json.dumps(events[0]) + "\n")
    (tmp_path / "c.csv").write_text(csv_text([events[3], event("ghost")]))
    (tmp_path / "notes.txt").write_text("ignored")
    call_command("import_telemetry", str(tmp_path))
    out = capsys.readouterr()
    assert "total: 4 accepted, 1 duplicates, 1 rejected" in out.out
    assert "c.csv, row 2, endpoint: unknown endpoint" in out.err
    assert rollup_totals(endpoint_id=endpoint_a.id)["requests"] == 4


def test_import_command_run_twice_changes_nothing(tmp_path, endpoint_a, capsys):
    path = tmp_path / "e.ndjson"
    path.write_text("\n".join(json.dumps(event(endpoint_a.name)) for _ in range(3)))
    call_command("import_telemetry", str(path))
    call_command("import_telemetry", str(path))
    assert "total: 0 accepted, 3 duplicates, 0 rejected" in capsys.readouterr().out
    assert raw_totals(endpoint_id=endpoint_a.id) == rollup_totals(endpoint_id=endpoint_a.id)


def test_import_command_streams_in_chunks_and_stops_at_an_unreadable_line(
    tmp_path, endpoint_a, monkeypatch
):
    monkeypatch.setattr("apps.telemetry.services.files_import.CHUNK", 2)
    lines = [json.dumps(event(endpoint_a.name)) for _ in range(5)]
    lines.insert(4, "{not json")
    path = tmp_path / "broken.ndjson"
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match=r"line 5 is not valid JSON.*\(4 events stored\)"):
        call_command("import_telemetry", str(path))
    assert rollup_totals(endpoint_id=endpoint_a.id)["requests"] == 4


def test_import_command_names_a_missing_path(tmp_path, db):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_telemetry", str(tmp_path / "nope"))
