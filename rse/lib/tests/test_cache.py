"""The Redis cache client: one redis.Redis per connection pool, not one per call."""

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
