import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from rse.lib.events import publish_on_commit


def test_payload_that_is_not_json_fails_at_once():
    with pytest.raises(TypeError):
        publish_on_commit("communities.test", ["user.1"], {"bad": object()})


def test_event_types_are_namespaced():
    from rse.lib.events import publish

    with pytest.raises(ValueError, match="namespaced"):
        publish("nonamespace", ["user.1"], {})


def _write_then_commit():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit("communities.rolled_back", ["user.42"], {"n": 1})
        raise RuntimeError("rollback")
    with transaction.atomic():
        publish_on_commit("communities.committed", ["user.42"], {"n": 2})


@pytest.mark.django_db(transaction=True)
async def test_events_are_sent_only_after_commit():
    # One event loop for the whole exchange: the Redis pub/sub layer is per event loop.
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("user.42", channel)

    await database_sync_to_async(_write_then_commit)()

    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message == {"type": "rse.event", "event": "communities.committed", "payload": {"n": 2}}
    await layer.group_discard("user.42", channel)
