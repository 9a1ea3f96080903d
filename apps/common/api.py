"""API plumbing shared by every app: the error envelope."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.common.errors import CostgovError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus domain errors rendered as ``{"detail": …, "errors": …}``."""
    if isinstance(exc, CostgovError):
        body: dict = {"detail": exc.message}
        if exc.details is not None:
            body["errors"] = exc.details
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
