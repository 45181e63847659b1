"""The Redis cache: one redis.Redis client per connection pool, not one per call; keys read
ahead in one round trip, never answered stale."""

import pytest
from django.core.signals import request_finished

from rse.lib.cache import ResilientRedisCache


def test_one_redis_client_per_pool_reused_across_calls():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})  # never connected: building a client does not
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: reads and writes share its pool
    assert client.connection_pool is cache._cache._get_connection_pool(False)


def test_reads_and_writes_on_replicas_use_each_pool_own_client():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {})
    writer = cache._cache.get_client("a", write=True)
    reader = cache._cache.get_client("a")
    assert writer.connection_pool is not reader.connection_pool
    assert cache._cache.get_client("b", write=True) is writer


@pytest.fixture
def redis_cache(settings, db):
    cache = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-read-ahead"})
    yield cache
    cache.delete_many(["a", "b", "c"])
    request_finished.send(sender=None)


@pytest.mark.redis
@pytest.mark.django_db
def test_keys_read_ahead_come_in_one_round_trip_and_each_once(redis_cache, monkeypatch):
    redis_cache.set("a", 1)
    redis_cache.set("b", "photo.jpg")
    redis_cache.read_ahead(["a", "b", "c"])
    calls = []
    real = redis_cache._cache.get
    monkeypatch.setattr(redis_cache._cache, "get", lambda *a: calls.append(a) or real(*a))
    assert (redis_cache.get("a"), redis_cache.get("b"), redis_cache.get("c", "none")) == (1, "photo.jpg", "none")
    assert calls == []  # all three from the read-ahead (c: known absent)
    assert redis_cache.get("a") == 1
    assert len(calls) == 1  # a second read goes to Redis


@pytest.mark.redis
@pytest.mark.django_db
def test_a_key_written_after_the_read_ahead_is_read_again(redis_cache):
    redis_cache.set("a", 1)
    redis_cache.set("b", 1)
    redis_cache.read_ahead(["a", "b", "c"])
    redis_cache.set("a", 2)
    redis_cache.delete("b")
    redis_cache.set_many({"c": 3})
    assert redis_cache.get("a") == 2
    assert redis_cache.get("b") is None
    assert redis_cache.get("c") == 3


@pytest.mark.redis
@pytest.mark.django_db
def test_the_read_ahead_ends_with_the_request(redis_cache):
    redis_cache.set("a", 1)
    redis_cache.read_ahead(["a"])
    request_finished.send(sender=None)
    other = ResilientRedisCache(redis_cache._servers[0], {"KEY_PREFIX": "test-read-ahead"})
    other.set("a", 2)  # written elsewhere (another process): this thread must not answer 1
    assert redis_cache.get("a") == 2


@pytest.mark.redis
@pytest.mark.django_db
def test_a_value_left_unread_expires(redis_cache, monkeypatch):
    from rse.lib import cache as module

    redis_cache.set("a", 1)
    monkeypatch.setattr(module, "AHEAD_FOR", -1.0)  # already past when get() comes
    redis_cache.read_ahead(["a"])
    redis_cache._cache.set(redis_cache.make_and_validate_key("a"), 2, 60)  # written elsewhere meanwhile
    assert redis_cache.get("a") == 2
