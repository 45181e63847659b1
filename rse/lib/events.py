"""Events after commit (STYLE pattern 3).

`publish_on_commit("communities.post_created", ["community.4"], {...})` checks at once that
the payload is plain JSON, then sends it to each channel-layer group once the surrounding
transaction commits, so a browser never hears of a row that was rolled back. Delivery is
at-most-once: clients that reconnect fetch what they missed by cursor.

Consumers receive `{"type": "rse.event", "event": <event_type>, "payload": {...}}`, handled
by their `rse_event` method.

Every event type has a schema (Zulip's event_schema): `define_event()` in the owning app's
`events.py` (imported by its AppConfig.ready) names the payload's required and optional fields.
Publishing an unknown type, or a payload with a missing or unexpected field, fails at once, in
the service and its test. `rse/lib/tests/test_events.py` ties the registry to the event names
`static/js/realtime.js` handles, so an event nobody listens to, or a listener for an event
nobody sends, is caught.
"""

import asyncio
import json
import logging
import os
import threading
from dataclasses import dataclass

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from rse.lib.breaker import Breaker

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventType:
    name: str
    fields: frozenset[str]
    optional: frozenset[str]
    doc: str = ""


EVENT_TYPES: dict[str, EventType] = {}


def _names(value) -> frozenset[str]:
    return frozenset(value.split() if isinstance(value, str) else value)


def define_event(name: str, fields="", optional="", *, doc: str = "") -> str:
    """Register an event type and its payload fields (space-separated or an iterable); returns the name."""
    app, sep, verb = name.partition(".")
    if not (app and sep and verb):
        raise ValueError(f"event types are namespaced (app.event), got {name!r}")
    event = EventType(name, _names(fields), _names(optional), doc)
    if name in EVENT_TYPES and EVENT_TYPES[name] != event:
        raise ValueError(f"event type {name!r} is defined twice, differently")
    EVENT_TYPES[name] = event
    return name


def check_event(event_type: str, payload: dict) -> None:
    """The payload matches the schema of its type (required fields present, nothing unknown)."""
    if "." not in event_type:
        raise ValueError(f"event types are namespaced (app.event), got {event_type!r}")
    schema = EVENT_TYPES.get(event_type)
    if schema is None:
        raise ValueError(f"unknown event type {event_type!r}: define it with define_event() in its app's events.py")
    keys = set(payload)
    missing = schema.fields - keys
    unexpected = keys - schema.fields - schema.optional
    if missing or unexpected:
        raise ValueError(
            f"{event_type} payload does not match its schema: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        )


# The websocket protocol's own messages, sent by the consumer itself (never through publish()).
HELLO = define_event("rse.hello", "user")
SUBSCRIBED = define_event("rse.subscribed", "scope id")
REFUSED = define_event("rse.refused", "scope id reason")
UNSUBSCRIBED = define_event("rse.unsubscribed", "scope id reason")
PONG = define_event("rse.pong")
ERROR = define_event("rse.error", "reason")
PROTOCOL_EVENTS = frozenset({HELLO, SUBSCRIBED, REFUSED, UNSUBSCRIBED, PONG, ERROR})


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


# After a failure to reach the channel layer (Redis down), events are dropped for two seconds
# instead of each waiting for its own connection timeout: clients catch up when they reconnect
# (rse/lib/layerwatch.py makes them reconnect once the layer is back, and closes this breaker).
layer_breaker = Breaker("Channel layer", cooldown=2.0)


def publish(event_type: str, groups, payload: dict) -> None:
    """Send now (used from tasks that already run after commit)."""
    check_event(event_type, payload)
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    layer = get_channel_layer()
    if layer is None or layer_breaker.is_open():
        return
    message = {"type": "rse.event", "event": event_type, "payload": data}
    if not _can_send_from_here(layer):
        # Not an outage, so no breaker: a thread running its own event loop outside the ASGI
        # server (a test driving Playwright's sync API, or async code that forgot sync_to_async)
        # cannot reach the in-memory layer's consumers. Tripping the breaker here dropped every
        # event of the next two seconds, and made the browser tests depend on the machine's speed.
        logger.warning("could not publish %s: called from a thread running an event loop", event_type)
        return
    for group in groups:
        try:
            _send(layer, group, message)
        except Exception as exc:  # a realtime hiccup must never break the write that caused it
            logger.warning("could not publish %s to %s: %s", event_type, group, exc)
            layer_breaker.trip(exc)
            return


_loop_lock = threading.Lock()
_loop: dict[int, asyncio.AbstractEventLoop] = {}


def _publisher_loop():
    """One event loop per process, in a daemon thread, for sends from code that has none: a WSGI
    worker or a Celery task. async_to_sync would build a loop, and with it a new Redis connection
    and subscription of the channel layer, for every event (7.8 ms and 1.6 ms of CPU each; 0.7 ms
    and 0.3 ms on a loop that lives on). Keyed by pid: a forked child starts its own."""
    pid = os.getpid()
    with _loop_lock:
        if pid not in _loop:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="rse-publish", daemon=True).start()
            _loop[pid] = loop
        return _loop[pid]


def _can_send_from_here(layer) -> bool:
    if _is_redis_layer(layer) or getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None:
        return True
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True  # no loop in this thread: async_to_sync runs one
    return False


def _send(layer, group, message):
    in_asgi_thread = getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None
    if in_asgi_thread or not _is_redis_layer(layer):
        async_to_sync(layer.group_send)(group, message)  # an ASGI server's loop, or the in-memory layer
        return
    asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _publisher_loop()).result(timeout=10)


def _is_redis_layer(layer):
    # channels_redis keeps its connections per event loop, so one loop living on reuses them; the
    # in-memory layer (tests, `make run`) must stay on the caller's loop, where its consumers are.
    return type(layer).__module__.startswith("channels_redis")


# Apps above every other (integrations' webhooks) hear of every event, in the transaction that
# publishes it, so they can queue their work through the outbox (rse/lib/outbox.py) in that same
# transaction: nothing is lost if the process dies at the commit, nothing is sent if it rolls back.
# A listener must be cheap (no HTTP, ideally no query): it runs inside the request's transaction.
_LISTENERS: list = []


def add_listener(listener) -> None:
    """`listener(event_type, payload)`, called by publish_on_commit inside the caller's transaction."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def publish_on_commit(event_type: str, groups, payload: dict) -> None:
    # Check and serialise now, so a bad payload fails in the service (and its test), not later.
    check_event(event_type, payload)
    json.dumps(payload, cls=DjangoJSONEncoder)
    for listener in _LISTENERS:
        listener(event_type, payload)
    groups = list(groups)
    transaction.on_commit(lambda: publish(event_type, groups, payload))
