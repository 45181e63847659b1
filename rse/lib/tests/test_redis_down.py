"""Redis unreachable (issue 14, item 2): logins and pages keep working (sessions from the
database), a committed write never answers 500 for an event or a task it could not send, every
connection gives up within a second, and /healthz/ says which dependency is down."""

import json
import subprocess
import sys

import pytest
from channels.layers import channel_layers
from django.db import OperationalError
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from rse.accounts.tests.factories import UserFactory
from rse.lib import cache as resilient
from rse.lib import events, health
from rse.lib.testing.faults import ROOT, free_port, use_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis():
    """A Redis URL nobody answers on (connections refused)."""
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def redis_down(settings, dead_redis):
    """Cache and channel layer configured as in production (settings.py with REDIS_URL), on a Redis
    that is down."""
    settings.CACHES = {
        "default": {
            "BACKEND": "rse.lib.cache.ResilientRedisCache",
            "LOCATION": dead_redis,
            "OPTIONS": settings.REDIS_TIMEOUTS,
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": dead_redis, **settings.REDIS_TIMEOUTS}], "prefix": "rse-down"},
        }
    }
    channel_layers.backends = {}
    yield dead_redis
    channel_layers.backends = {}


def test_with_redis_every_connection_gives_up_within_a_second():
    """The settings a production process gets from REDIS_URL (read in a process of their own)."""
    code = (
        "import json, rse.settings as s; print(json.dumps({'cache': s.CACHES['default'], "
        "'layer': s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0], 'broker': s.CELERY_BROKER_TRANSPORT_OPTIONS, "
        "'sessions': s.SESSION_ENGINE}))"
    )
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:6399/2", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    config = json.loads(out.stdout)
    assert config["cache"]["BACKEND"] == "rse.lib.cache.ResilientRedisCache"
    assert config["sessions"] == "django.contrib.sessions.backends.cached_db"  # the database stays the truth
    for options in (config["cache"]["OPTIONS"], config["layer"], config["broker"]):
        assert 0 < options["socket_connect_timeout"] <= 1
    assert 0 < config["cache"]["OPTIONS"]["socket_timeout"] <= 1 and 0 < config["layer"]["socket_timeout"] <= 1


def test_login_and_every_page_work_while_redis_is_down(client, redis_down):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": "pass-word-123"})
    assert response.status_code == 302, response.content[:500]
    for url in ("/", "/notifications/", "/people/", "/communities/"):
        assert client.get(url).status_code == 200, url
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302  # logged out for real: the database says so


def test_after_one_failure_redis_is_left_alone_for_a_while(redis_down, monkeypatch):
    from django.core.cache import cache
    from redis.connection import Connection

    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(1)
        raise RedisConnectionError("Error 111 connecting. Connection refused.")

    monkeypatch.setattr(Connection, "connect", refuse)
    assert [cache.get(f"k{n}", "miss") for n in range(5)] == ["miss"] * 5
    cache.set("a", 1)
    assert cache.get_many(["a", "b"]) == {} and cache.incr("hits") == 1 and cache.add("x", 1) is False
    assert len(attempts) == 1


class FlakyClient:
    """Stands for Redis: refuses while `down`, records the keys it is asked to delete."""

    def __init__(self):
        self.down, self.deleted = True, []

    def _check(self):
        if self.down:
            raise RedisConnectionError("Connection refused.")

    def set(self, *args, **kwargs):
        self._check()

    def get(self, key, default):
        self._check()
        return default

    def delete(self, key):
        self._check()

    def delete_many(self, keys):
        self._check()
        self.deleted.extend(keys)


def test_what_was_written_during_the_outage_is_dropped_from_redis_when_it_is_back(settings, dead_redis):
    """A session logged out (or changed) while Redis was away must not come back from a stale copy."""
    backend = resilient.ResilientRedisCache(dead_redis, {"KEY_PREFIX": "p"})
    flaky = FlakyClient()
    backend.__dict__["_cache"] = flaky
    backend.set("session-1", "changed")
    backend._breaker.reset()
    backend.delete("session-2")
    flaky.down = False
    backend._breaker.reset()
    assert backend.get("other") is None
    assert sorted(flaky.deleted) == ["p:1:session-1", "p:1:session-2"]
    backend.get("again")
    assert len(flaky.deleted) == 2  # once


def test_events_are_dropped_not_waited_for_while_the_layer_is_down(monkeypatch):
    sent = []

    class DownLayer:
        async def group_send(self, group, message):
            sent.append(group)
            raise RedisConnectionError("Connection refused.")

    monkeypatch.setattr(events, "get_channel_layer", lambda: DownLayer())
    for _ in range(3):
        events.publish("notifications.new", ["user.1", "user.2"], {"unread": 1})  # never raises
    assert sent == ["user.1"]


def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "channel_layer"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["required"] is True


def test_healthz_says_degraded_when_redis_is_down_and_503_when_it_is_required(client, redis_down, settings):
    with use_broker(redis_down):
        response = client.get("/healthz/")
        body = response.json()
        assert response.status_code == 200 and body["status"] == "degraded"
        for name in ("cache", "broker", "channel_layer"):
            assert body["checks"][name]["ok"] is False and body["checks"][name]["error"], name
        assert body["checks"]["database"]["ok"] is True
        settings.RSE_HEALTHZ_REQUIRED = ["database", "cache", "broker", "channel_layer"]
        response = client.get("/healthz/")
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    class DownConnection:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

        def close(self):
            pass

    monkeypatch.setattr(health, "connection", DownConnection())
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"].startswith("OperationalError")


def test_a_request_that_finds_the_database_gone_answers_503_with_a_message(logged_client, monkeypatch):
    from django.contrib import auth

    def gone(request):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(auth, "get_user", gone)
    page = logged_client.get("/people/")
    assert page.status_code == 503 and page["Retry-After"]
    assert b"briefly unavailable" in page.content and b"Traceback" not in page.content
    api = logged_client.get("/api/v1/people/")
    assert api.status_code == 503 and "briefly unavailable" in api.json()["detail"]
