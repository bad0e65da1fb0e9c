"""Stripe's webhook signature scheme: ``t=<unix time>,v1=<HMAC-SHA256 of "t.body">``.

The sandbox signs its events with it, and the sandbox gateway verifies them with it, so the
webhook endpoint treats sandbox and Stripe events exactly alike. (The Stripe gateway verifies
with stripe-python's own implementation; a test checks the two agree.)
"""

from __future__ import annotations

import hashlib
import hmac
import time

from billing.gateways.base import SignatureError

#: Events older than this are refused, as Stripe's libraries do, to stop replays.
TOLERANCE_SECONDS = 300


def _digest(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload``."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_digest(payload, secret, moment)}"


def signature_verify(
    *, payload: bytes, header: str, secret: str, tolerance: int = TOLERANCE_SECONDS
) -> None:
    """Raise :class:`SignatureError` unless ``header`` signs ``payload`` with ``secret``."""
    if not secret:
        raise SignatureError("No webhook secret is configured.")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("The signature header is malformed.")
    if abs(time.time() - timestamp) > tolerance:
        raise SignatureError("The signature timestamp is outside the tolerance.")
    expected = _digest(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("The signature does not match the payload.")
