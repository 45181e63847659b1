"""What /healthz/ checks: each dependency on its own, with the 1 s connection timeouts of settings.

`check_all()` → {"database": {"ok": True, "ms": 1.2}, "cache": {...}, "broker": {...},
"channel_layer": {...}}; a check that fails says why ("error"). Which ones make the answer a 503
is settings.RSE_HEALTHZ_REQUIRED (HEALTHZ_REQUIRED): by default only the database, since every
page works without Redis (sessions from the database, tasks kept in the outbox, events caught up
by the clients) and a load balancer must not take every node out for a Redis outage; monitoring
reads "degraded" and the failing check.
"""

import time

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        connection.close()  # a broken connection must not serve the next request
        raise
    return connection.vendor


def _cache():
    from django.core.cache import caches

    cache = caches["default"]
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):  # local memory or files: in-process
        cache.get("healthz")
        return type(cache).__name__
    client.get_client(write=True).ping()  # the raw client: the resilient wrapper would hide a failure
    return "redis"


def _broker():
    from celery import current_app

    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return conn.transport.driver_name


def _channel_layer():
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return "none"
    # A publish to a group nobody listens to: goes all the way to Redis, delivers nothing.
    async_to_sync(layer.group_send)("rse.healthz", {"type": "rse.healthz"})
    return type(layer).__name__


CHECKS = {"database": _database, "cache": _cache, "broker": _broker, "channel_layer": _channel_layer}


def check_all() -> dict:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            backend = check()
        except Exception as exc:  # what it was is the answer
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True, "backend": str(backend)}
        results[name]["ms"] = round(1000 * (time.monotonic() - started), 1)
        results[name]["required"] = name in settings.RSE_HEALTHZ_REQUIRED
    return results
