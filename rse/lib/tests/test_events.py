import asyncio
import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from rse.lib.events import EVENT_TYPES, PROTOCOL_EVENTS, check_event, define_event, publish, publish_on_commit

REALTIME_JS = Path(settings.BASE_DIR) / "static" / "js" / "realtime.js"
SOURCE_DIRS = [Path(settings.BASE_DIR) / name for name in ("rse", "repository", "directory", "communities")] + [
    Path(settings.BASE_DIR) / name for name in ("animation", "engagement", "integrations")
]
NOTIFIED = {"unread": 3}


def test_payload_that_is_not_json_fails_at_once():
    with pytest.raises(TypeError):
        publish_on_commit("notifications.new", ["user.1"], {"unread": object()})


def test_event_types_are_namespaced():
    with pytest.raises(ValueError, match="namespaced"):
        publish("nonamespace", ["user.1"], {})
    with pytest.raises(ValueError, match="namespaced"):
        define_event("nonamespace")


def test_publishing_an_unknown_event_type_fails():
    with pytest.raises(ValueError, match="unknown event type"):
        publish_on_commit("communities.reaction_changed", ["post.1"], {"post_id": 1})
    with pytest.raises(ValueError, match="unknown event type"):
        publish("communities.poll_voted", ["post.1"], {"post_id": 1})


def test_a_payload_must_match_its_schema():
    with pytest.raises(ValueError, match=r"missing \['unread'\]"):
        publish_on_commit("notifications.new", ["user.1"], {})
    with pytest.raises(ValueError, match=r"unexpected \['title'\]"):
        publish_on_commit("notifications.new", ["user.1"], {"unread": 1, "title": "leaks"})
    check_event("communities.post_created", {"post_id": 1, "community_id": 2, "author_id": 3, "kind": "poll"})
    check_event(
        "communities.post_created",
        {"post_id": 1, "community_id": 2, "author_id": 3, "kind": "poll", "home": True},  # optional field
    )


def test_an_event_type_cannot_be_redefined_differently():
    assert define_event("communities.post_edited", "post_id community_id") == "communities.post_edited"
    with pytest.raises(ValueError, match="defined twice"):
        define_event("communities.post_edited", "post_id")


def _handled_by_realtime_js():
    source = REALTIME_JS.read_text()
    cases = set(re.findall(r'case "([a-z_]+\.[a-z_]+)":', source))
    passive_block = re.search(r"var PASSIVE = \[(.*?)\];", source, re.S)
    assert passive_block, "realtime.js lost its PASSIVE list"
    passive = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', passive_block.group(1)))
    return cases, passive


def test_every_event_realtime_js_handles_is_registered():
    cases, passive = _handled_by_realtime_js()
    assert cases, 'no `case "…":` found in realtime.js'
    unknown = (cases | passive) - set(EVENT_TYPES)
    assert not unknown, f"realtime.js listens for events nobody defines: {sorted(unknown)}"
    assert not cases & passive, f"both handled and passive: {sorted(cases & passive)}"


def test_every_registered_event_has_a_decision_in_realtime_js():
    cases, passive = _handled_by_realtime_js()
    undecided = set(EVENT_TYPES) - cases - passive
    assert not undecided, (
        f"registered events realtime.js neither handles nor lists as PASSIVE: {sorted(undecided)} "
        "(add a case to handle(), or add them to PASSIVE)"
    )
    assert PROTOCOL_EVENTS <= set(EVENT_TYPES)


PUBLISHED = re.compile(r'publish(?:_on_commit)?\(\s*"([^"]+)"')


def test_every_event_name_written_in_the_code_is_registered():
    """A literal name handed to publish() or publish_on_commit() anywhere (tests excluded) is defined."""
    names = set()
    for folder in SOURCE_DIRS:
        for path in folder.rglob("*.py") if folder.exists() else ():
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            names |= set(PUBLISHED.findall(path.read_text()))
    assert names, "found no publish() call: the pattern is broken"
    assert names <= set(EVENT_TYPES), sorted(names - set(EVENT_TYPES))


def _write_then_commit():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit("notifications.new", ["user.42"], {"unread": 1})
        raise RuntimeError("rollback")
    with transaction.atomic():
        publish_on_commit("notifications.new", ["user.42"], NOTIFIED)


@pytest.mark.django_db(transaction=True)
async def test_events_are_sent_only_after_commit():
    # One event loop for the whole exchange: the Redis pub/sub layer is per event loop.
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("user.42", channel)

    await database_sync_to_async(_write_then_commit)()

    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message == {"type": "rse.event", "event": "notifications.new", "payload": NOTIFIED}
    await layer.group_discard("user.42", channel)


def test_a_publish_from_inside_an_event_loop_does_not_silence_the_next_ones(settings):
    """A test driving Playwright's sync API writes rows (and so publishes) from a thread running
    an event loop: that send cannot happen, but it is no outage of the channel layer. It tripped
    the breaker, and the live event a browser test waited for, two seconds later at most on a fast
    machine, was dropped on a busy one. (The in-memory layer, of `make run` and the first pass: the
    Redis one is sent from its own loop, wherever publish() is called.)"""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    try:
        _publish_from_a_loop_then_from_here()
    finally:
        channel_layers.backends.clear()


def _publish_from_a_loop_then_from_here():
    from asgiref.sync import async_to_sync

    from rse.lib.events import layer_breaker

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("user.1", channel)

    async def from_a_loop():
        publish("notifications.new", ["user.1"], NOTIFIED)  # sync call, loop running: skipped

    asyncio.run(from_a_loop())
    assert not layer_breaker.is_open()
    publish("notifications.new", ["user.1"], {"unread": 4})
    message = async_to_sync(layer.receive)(channel)
    assert message["payload"] == {"unread": 4}
