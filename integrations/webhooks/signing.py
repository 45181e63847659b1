"""Signatures of webhook deliveries, as Standard Webhooks (https://www.standardwebhooks.com) defines them.

Every delivery is a POST with a JSON body and three headers:

    webhook-id: msg_2f1c…                      the same on every retry of one delivery (dedup by it)
    webhook-timestamp: 1767225600              Unix seconds of this attempt
    webhook-signature: v1,K5oZfzN95Z9UVu1Eso…  space-separated list; one entry today

The signature is HMAC-SHA256, keyed with the endpoint's secret (the base64 after `whsec_`,
decoded), over `<webhook-id>.<webhook-timestamp>.<body>` (the raw bytes of the body), encoded in
base64 and prefixed with the version `v1,`. A receiver recomputes it, compares in constant time,
and refuses a timestamp more than five minutes away from its clock (REPLAY_WINDOW): a captured
delivery cannot be replayed later. The body is `{"type": "post.created", "timestamp": "<ISO 8601>",
"data": {...}}`. Any Standard Webhooks library verifies it (`standardwebhooks.Webhook(secret).verify`).
"""

import base64
import hashlib
import hmac
import time

REPLAY_WINDOW = 5 * 60  # seconds


class InvalidSignature(Exception):
    pass


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, body: bytes, *, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def verify(secret: str, received: dict, body: bytes, *, now: float | None = None) -> None:
    """For receivers written in Python: raises InvalidSignature unless the headers sign the body."""
    lower = {k.lower(): v for k, v in received.items()}
    try:
        message_id, timestamp = lower["webhook-id"], int(lower["webhook-timestamp"])
        signatures = lower["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise InvalidSignature("missing or malformed webhook headers") from exc
    now = time.time() if now is None else now
    if abs(now - timestamp) > REPLAY_WINDOW:
        raise InvalidSignature("timestamp outside the replay window")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise InvalidSignature("no matching signature")
