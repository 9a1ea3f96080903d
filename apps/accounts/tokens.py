"""Token strings: generation, parsing and hashing (pure functions)."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "cg"  # noqa: S105 - a public marker, not a secret


def token_generate() -> tuple[str, str, str]:
    """Return ``(token, prefix, key_hash)`` for a fresh token."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    return token, prefix, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def token_matches(token: str, key_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), key_hash)
