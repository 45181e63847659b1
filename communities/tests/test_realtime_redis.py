"""Delivery across two ASGI processes through Redis (PostgreSQL/Redis pass only).

Two real `daphne` servers share the test database and a Redis channel layer (under a
prefix of their own, so parallel runs do not hear each other). A browser-like websocket
client on one hears what is published from the other process, or from a third one.
"""

import asyncio
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils.module_loading import import_string

from communities.models import Community, Notification, NotificationKind
from communities.tests.factories_realtime import CommunityFactory
from rse.accounts.tests.factories import UserFactory
from rse.lib.testing.faults import database_url, free_port, wait_for_port

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
async def _close_thread_connection():
    """sync_to_async runs the ORM in a worker thread: close its connection, or the test
    database cannot be dropped at the end of the session."""
    yield
    await sync_to_async(lambda: connection.close())()


class Servers:
    """Real daphne processes sharing the test database and Redis (under their own prefix)."""

    def __init__(self, count, log_dir):
        self.prefix = f"rse-test-{uuid.uuid4().hex[:10]}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CHANNEL_PREFIX": self.prefix,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "1",
            "SECRET_KEY": settings.SECRET_KEY,
            "CELERY_TASK_ALWAYS_EAGER": "1",
        }
        self.log_dir = log_dir
        self.ports = [free_port() for _ in range(count)]
        self.procs = [None] * count
        for i in range(count):
            self.start(i)

    def start(self, i):
        port = self.ports[i]
        log = self.log_dir / f"daphne-{port}.log"
        self.procs[i] = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "rse.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),  # a file, not a pipe: a full pipe would block the server
        )
        wait_for_port(port, self.procs[i], log)

    def stop(self, i):
        proc = self.procs[i]
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def stop_all(self):
        for i, proc in enumerate(self.procs):
            if proc is not None and proc.poll() is None:
                self.stop(i)


@pytest.fixture
def servers(tmp_path):
    running = Servers(2, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def two_servers(servers):
    return servers.ports, servers.prefix


def configured_layer(prefix):
    """A layer of the configured backend (pub/sub by default) under the servers' prefix."""
    backend = import_string(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    return backend(hosts=[settings.REDIS_URL], prefix=prefix)


def _session_key(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _open(port, session_key):
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        open_timeout=10,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert hello["event"] == "rse.hello"
    return ws


async def _next_event(ws, name, timeout=10):
    async def wait():
        while True:
            message = json.loads(await ws.recv())
            if message["event"] == name:
                return message

    return await asyncio.wait_for(wait(), timeout)


async def test_an_event_reaches_clients_of_both_processes_through_redis(two_servers):
    (port_a, port_b), prefix = two_servers
    user = await sync_to_async(UserFactory)()
    community = await sync_to_async(CommunityFactory)(visibility=Community.Visibility.OPEN)
    key = await sync_to_async(_session_key)(user)
    on_a, on_b = await _open(port_a, key), await _open(port_b, key)
    try:
        for ws in (on_a, on_b):
            await ws.send(json.dumps({"action": "subscribe", "scope": "community", "id": community.pk}))
            assert (await _next_event(ws, "rse.subscribed"))["payload"]["id"] == community.pk
        layer = configured_layer(prefix)
        payload = {"post_id": 42, "community_id": community.pk}
        await layer.group_send(
            f"community.{community.pk}", {"type": "rse.event", "event": "communities.post_created", "payload": payload}
        )
        for ws in (on_a, on_b):
            assert (await _next_event(ws, "communities.post_created"))["payload"] == payload
        await layer.flush()
    finally:
        await on_a.close()
        await on_b.close()


async def test_a_write_on_one_process_is_heard_on_the_other(two_servers):
    (port_a, port_b), _prefix = two_servers
    user = await sync_to_async(UserFactory)()
    await sync_to_async(Notification.objects.create)(recipient=user, kind=NotificationKind.MENTION, dedupe_key="x")
    key = await sync_to_async(_session_key)(user)
    listener = await _open(port_a, key)
    try:
        csrf = "c" * 32
        request = urllib.request.Request(  # noqa: S310 - local test server
            f"http://127.0.0.1:{port_b}/api/v1/notifications/read-all/",
            method="POST",
            headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}",
                "X-CSRFToken": csrf,
                "Referer": f"http://127.0.0.1:{port_b}/",
            },
        )
        response = await sync_to_async(urllib.request.urlopen)(request, timeout=10)  # noqa: S310
        assert json.loads(response.read()) == {"unread": 0}
        event = await _next_event(listener, "notifications.read")
        assert event["payload"] == {"unread": 0}
    finally:
        await listener.close()


async def test_a_bad_origin_is_refused_by_a_real_server(two_servers):
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    (port_a, _port_b), _prefix = two_servers
    user = await sync_to_async(UserFactory)()
    key = await sync_to_async(_session_key)(user)
    with pytest.raises(InvalidStatus):
        await connect(
            f"ws://127.0.0.1:{port_a}/ws/",
            origin="http://evil.example.com",
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"},
            open_timeout=10,
        )
