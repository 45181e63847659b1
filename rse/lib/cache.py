"""The Redis cache, made to survive a Redis outage: an error to reach Redis is a cache miss.

Everything RSE keeps in the cache can be rebuilt from the database: sessions (`cached_db`: the
database is the source of truth, the cache only saves a query), bell counts, rendered post cards,
import progress. With Django's RedisCache, Redis unreachable made every request with a session
cookie, and every login, answer 500 (issue 14). With this backend:

- a read answers the default (a miss: the caller goes to the database), a write or a delete is
  skipped, `incr` counts from `delta` (a rate limit fails open), `add` says "not added";
- after one connection error, Redis is skipped for a few seconds (rse/lib/breaker.py), so a page
  that reads the cache a dozen times does not wait a dozen connection timeouts (1 s, settings);
- every key whose write or delete was skipped is remembered (per process, up to MAX_FORGOTTEN) and
  deleted as soon as Redis answers again: a session logged out during the outage cannot come back
  from a stale cached copy.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_finished, request_started
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rse.lib.breaker import Breaker

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
MAX_FORGOTTEN = 10_000
COOLDOWN = 5.0  # seconds without trying Redis after a connection error

# Per process and per Redis location (Django builds one cache object per thread).
_breakers: dict[str, Breaker] = {}
_stale: dict[str, set] = {}
_lock = threading.Lock()

# Values read ahead for this thread's request (ResilientRedisCache.read_ahead), by full key, and
# until when they may be answered: under ASGI the request signals may fire in another thread than
# the view's, so a value left unread is also dropped after a moment.
_ahead = threading.local()
_ABSENT = object()
AHEAD_FOR = 2.0  # seconds


def _drop_read_ahead(**kwargs):
    _ahead.values = None


request_started.connect(_drop_read_ahead, dispatch_uid="rse.lib.cache.read_ahead.start")
request_finished.connect(_drop_read_ahead, dispatch_uid="rse.lib.cache.read_ahead.end")


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache call (~0.1 ms of CPU each: it copies
    its table of response callbacks); a page calls the cache four times. A client over a shared pool
    is thread-safe (each command takes a connection from the pool), so one per pool is enough."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        location = ",".join(self._servers)
        with _lock:
            if location not in _breakers:
                _breakers[location] = Breaker(f"Redis cache at {location.rsplit('@', 1)[-1]}", COOLDOWN)
                _stale[location] = set()
        self._breaker = _breakers[location]
        self._stale = _stale[location]

    # --- the guard -----------------------------------------------------------------------------

    def _call(self, fallback, operation, *args, stale_keys=(), **kwargs):
        if self._breaker.is_open():
            self._remember(stale_keys)
            return fallback
        try:
            if self._stale:
                self._forget_stale()
            return operation(*args, **kwargs)
        except UNREACHABLE as exc:
            self._breaker.trip(exc)
            self._remember(stale_keys)
            return fallback

    def _remember(self, keys):
        if not keys:
            return
        with _lock:
            if len(self._stale) + len(keys) > MAX_FORGOTTEN:
                logger.error("too many cache keys missed during the Redis outage: some may be stale until they expire")
                return
            self._stale.update(keys)

    def _forget_stale(self):
        with _lock:
            keys = list(self._stale)
        self._cache.delete_many(keys)  # raises if Redis is still away: the caller's guard catches it
        with _lock:
            self._stale.difference_update(keys)
        logger.info("Redis is back: %d cache keys written during the outage were dropped", len(keys))

    def _keys(self, keys, version):
        return [self.make_and_validate_key(key, version=version) for key in keys]

    # --- reading ahead -------------------------------------------------------------------------

    def read_ahead(self, keys, version=None):
        """One round trip for keys that this request reads one after the other from different
        places (the top bar's bell count and photo): the values wait in memory for this thread,
        each answered once by the next get() of its key, and are dropped when it is written
        (set, delete…) or the request ends."""
        found = self.get_many(keys, version=version)
        _ahead.values = {self.make_and_validate_key(k, version=version): found.get(k, _ABSENT) for k in keys}
        _ahead.until = time.monotonic() + AHEAD_FOR

    def _take_ahead(self, key, version):
        values = getattr(_ahead, "values", None)
        if not values:
            return _ABSENT, False
        if time.monotonic() > _ahead.until:
            _ahead.values = None
            return _ABSENT, False
        full = self.make_and_validate_key(key, version=version)
        if full not in values:
            return _ABSENT, False
        return values.pop(full), True

    def _forget_ahead(self, keys, version):
        values = getattr(_ahead, "values", None)
        if values:
            for key in keys:
                values.pop(self.make_and_validate_key(key, version=version), None)

    # --- Django's cache API --------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_ahead([key], version)
        return self._call(False, super().add, key, value, timeout, version, stale_keys=self._keys([key], version))

    def get(self, key, default=None, version=None):
        value, ahead = self._take_ahead(key, version)
        if ahead:
            return default if value is _ABSENT else value
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_ahead([key], version)
        return self._call(None, super().set, key, value, timeout, version, stale_keys=self._keys([key], version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        self._forget_ahead([key], version)
        return self._call(False, super().delete, key, version, stale_keys=self._keys([key], version))

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        self._forget_ahead([key], version)
        return self._call(delta, super().incr, key, delta, version, stale_keys=self._keys([key], version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        self._forget_ahead(keys, version)
        return self._call(keys, super().set_many, data, timeout, version, stale_keys=self._keys(keys, version))

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._forget_ahead(keys, version)
        return self._call(None, super().delete_many, keys, version, stale_keys=self._keys(keys, version))

    def clear(self):
        _drop_read_ahead()
        return self._call(False, super().clear)
