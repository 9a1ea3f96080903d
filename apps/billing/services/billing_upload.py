"""Accept an uploaded billing file: store it, record a pending import, enqueue the worker."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.accounts.models import User
from apps.billing.models import BillingImport
from apps.billing.services.billing_import import billing_import_create


@transaction.atomic
def billing_import_upload(
    *, upload: UploadedFile, file_format: str, source_name: str, created_by: User, via: str
) -> BillingImport:
    """Store ``upload`` under the upload folder and enqueue ``billing.import_run`` on commit.

    The file is written before the run row exists, so a worker never sees a run without its
    file; a rolled-back request enqueues nothing (``delay_on_commit``).
    """
    from apps.billing.tasks import billing_import_run_task  # lazy: tasks import services

    name = Path(upload.name or "upload").name
    folder = Path(settings.COSTGOV_UPLOAD_DIR) / "billing" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    run = billing_import_create(
        paths=[path],
        names=[name],
        file_format=file_format,
        source_name=source_name,
        triggered_by=via,
        created_by=created_by,
    )
    billing_import_run_task.delay_on_commit(run.pk)
    return run
