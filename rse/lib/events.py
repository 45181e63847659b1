"""Events after commit (STYLE pattern 3).

`publish_on_commit("communities.post_created", ["community.4"], {...})` checks at once that
the payload is plain JSON, then sends it to each channel-layer group once the surrounding
transaction commits, so a browser never hears of a row that was rolled back. Delivery is
at-most-once: clients that reconnect fetch what they missed by cursor.

Consumers receive `{"type": "rse.event", "event": <event_type>, "payload": {...}}`, handled
by their `rse_event` method.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id) -> str:
    return f"user.{user_id}"


def community_group(community_id) -> str:
    return f"community.{community_id}"


def post_group(post_id) -> str:
    return f"post.{post_id}"


def item_group(item_id) -> str:
    return f"item.{item_id}"


def home_group() -> str:
    """Every open home page: new announcements that every employee may read."""
    return "home"


def publish(event_type: str, groups, payload: dict) -> None:
    """Send now (used from tasks that already run after commit)."""
    if "." not in event_type:
        raise ValueError(f"event types are namespaced (app.event), got {event_type!r}")
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "rse.event", "event": event_type, "payload": data}
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a realtime hiccup must never break the write that caused it
            logger.exception("could not publish %s to %s", event_type, group)


def publish_on_commit(event_type: str, groups, payload: dict) -> None:
    # Serialise now, so a bad payload fails in the service (and its test), not later.
    json.dumps(payload, cls=DjangoJSONEncoder)
    groups = list(groups)
    transaction.on_commit(lambda: publish(event_type, groups, payload))
