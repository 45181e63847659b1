import pytest
from asgiref.sync import async_to_sync
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


@pytest.mark.django_db(transaction=True)
def test_events_are_sent_only_after_commit():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("user.42", channel)

    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit("communities.rolled_back", ["user.42"], {"n": 1})
        raise RuntimeError("rollback")
    with transaction.atomic():
        publish_on_commit("communities.committed", ["user.42"], {"n": 2})

    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "rse.event", "event": "communities.committed", "payload": {"n": 2}}
