"""Round trips through the real services; they run in the PostgreSQL/Redis pass (make test-services)."""

import pytest
from asgiref.sync import async_to_sync
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
def test_channels_redis_round_trip():
    layer = get_channel_layer()
    assert layer.__class__.__module__.startswith("channels_redis")
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("test.roundtrip", channel)
    async_to_sync(layer.group_send)("test.roundtrip", {"type": "rse.event", "event": "test.ping", "payload": {}})
    assert async_to_sync(layer.receive)(channel)["event"] == "test.ping"


@pytest.mark.redis
def test_celery_task_runs_through_the_real_broker(settings):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.delay("through redis")
            assert result.get(timeout=20) == "through redis"
    finally:
        app.conf.task_always_eager = True
