"""Alert channels: Slack incoming webhook, e-mail, signed JSON webhook (pure I/O, no ORM).

Each sender raises ``DeliveryError`` on failure; the caller logs it and retries with backoff.
Webhooks are plain HTTPS POSTs (the Slack incoming-webhook protocol is one JSON POST), so the
standard library suffices; e-mail goes through Django's mailer (``EMAIL_URL``).
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

TIMEOUT_S = 10


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {url}", status=exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"cannot reach {url}: {exc}") from exc


def slack_send(*, url: str, text: str) -> int:
    return _post(url, json.dumps({"text": text}).encode(), {})


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>`` (replay-safe with the time)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def webhook_send(*, url: str, secret: str, payload: dict) -> int:
    body = json.dumps(payload, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Costgov-Timestamp": timestamp}
    if secret:
        headers["X-Costgov-Signature"] = signature(secret=secret, timestamp=timestamp, body=body)
    return _post(url, body, headers)


def email_send(*, to: str, subject: str, text: str) -> int:
    try:
        sent = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [to]).send()
    except (OSError, Exception) as exc:  # smtplib errors are OSError or SMTPException
        raise DeliveryError(f"cannot send e-mail to {to}: {exc}") from exc
    if sent != 1:
        raise DeliveryError(f"e-mail to {to} was not accepted")
    return 250
