"""Read an ingest request body within the configured size limit."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, UnsupportedMediaType
from rest_framework.request import Request

from apps.telemetry.parsers.bodies import BodyTooLarge, gunzip_limited


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def read_body(request: Request) -> bytes:
    """The body, gunzipped when ``Content-Encoding: gzip``. Raises PayloadTooLarge,
    UnsupportedMediaType (another encoding) or BodyError."""
    limit = settings.TELEMETRY_MAX_BODY_BYTES
    django_request = request._request
    try:
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(f"Request body exceeds {limit} bytes.")
    data = django_request.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"Request body exceeds {limit} bytes.")
    encoding = django_request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding}", "Only gzip is supported.")
    if encoding == "gzip":
        try:
            return gunzip_limited(data, limit=limit)
        except BodyTooLarge as exc:
            raise PayloadTooLarge(str(exc)) from exc
    return data
