"""Round trips through the real services; they run in the PostgreSQL/Redis pass (make test-services)."""

import asyncio

import pytest
from celery.contrib.testing.worker import start_worker
from channels.layers import get_channel_layer
from django.db import connection

from rse.celery import app, ping


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_with_psycopg3():
    assert connection.vendor == "postgresql"
    import psycopg

    assert connection.connection.__class__.__module__.startswith("psycopg")
    assert psycopg.__version__.startswith("3.")


@pytest.mark.redis
async def test_channels_redis_round_trip():
    layer = get_channel_layer()
    assert layer.__class__.__module__.startswith("channels_redis")
    channel = await layer.new_channel()
    await layer.group_add("test.roundtrip", channel)
    await layer.group_send("test.roundtrip", {"type": "rse.event", "event": "test.ping", "payload": {}})
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message["event"] == "test.ping"
    await layer.group_discard("test.roundtrip", channel)


@pytest.mark.redis
def test_celery_task_runs_through_the_real_broker(settings):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.delay("through redis")
            assert result.get(timeout=20) == "through redis"
    finally:
        app.conf.task_always_eager = True
