"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "costgov.settings")

app = Celery("costgov", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def task_database_connections_checked(task: object = None, **_kwargs: object) -> None:
    """Around each task, what Django does around each request: close connections that are past
    ``CONN_MAX_AGE`` or broken, keep the rest. (Celery's own Django fixup would close every
    connection around every task; ``CELERY_DB_REUSE_MAX`` tells it not to.) Eager tasks run
    inside their caller's transaction, which must not be touched."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
