"""The production settings of issue 15: pooled connections, compressed pages, the Server-Timing
header of the benchmark, the read replica's router."""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from communities.models import Post
from rse.lib import db as replica_db
from rse.lib.middleware import ServerTimingMiddleware

ROOT = Path(__file__).resolve().parents[3]


CASES = {
    "postgres": {"DATABASE_URL": "postgres://rse@db.example:5432/rse"},
    "pool of 9": {"DATABASE_URL": "postgres://rse@db.example/rse", "DB_POOL_MAX_SIZE": "9"},
    "replica": {"DATABASE_URL": "postgres://rse@primary.example/rse",
                "DATABASE_REPLICA_URL": "postgres://rse@replica.example/rse"},
    "default": {},
    "timing": {"SERVER_TIMING": "1"},
}  # fmt: skip
_SCRIPT = """
import json, os, runpy, sys
found = {}
for name, env in json.loads(sys.argv[1]).items():
    os.environ.update(env)
    s = runpy.run_path("rse/settings.py")
    d = s["DATABASES"]
    found[name] = {a: {"max_age": d[a].get("CONN_MAX_AGE"), "pool": d[a].get("OPTIONS", {}).get("pool")} for a in d}
    found[name] |= {"middleware": s["MIDDLEWARE"], "routers": s["DATABASE_ROUTERS"]}
    for key in env:
        del os.environ[key]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def production_settings():
    """The settings server processes read (outside pytest) from each environment of CASES: one
    process for them all (a process per case was seconds each on a busy machine)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_POOL", "SERVER_TIMING"))}
    out = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", _SCRIPT, json.dumps(CASES)], cwd=ROOT, env=keep, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_postgresql_connections_are_pooled_not_persistent(production_settings):
    """Under ASGI each request runs in a thread of its own: persistent connections (CONN_MAX_AGE=60)
    piled up, one per dead thread, until PostgreSQL refused clients. A bounded pool instead."""
    found = production_settings["postgres"]["default"]
    assert found["max_age"] == 0
    assert found["pool"]["max_size"] == 4
    assert production_settings["pool of 9"]["default"]["pool"]["max_size"] == 9


def test_a_replica_is_a_second_alias_that_never_migrates(production_settings):
    found = production_settings["replica"]
    assert set(found) >= {"default", "replica"}
    assert found["replica"]["pool"] == found["default"]["pool"]
    assert "rse.lib.db.ReplicaRouter" in found["routers"]
    router = replica_db.ReplicaRouter()
    assert router.allow_migrate("replica", "communities") is False
    assert router.allow_migrate("default", "communities") is True


def test_server_timing_is_off_unless_asked(production_settings):
    assert "rse.lib.middleware.ServerTimingMiddleware" not in production_settings["default"]["middleware"]
    assert production_settings["timing"]["middleware"][0] == "rse.lib.middleware.ServerTimingMiddleware"


def test_reads_go_to_the_replica_only_inside_the_block(monkeypatch):
    router = replica_db.ReplicaRouter()
    assert router.db_for_read(Post) is None  # no replica configured here: the primary
    monkeypatch.setattr(replica_db, "replica_configured", lambda: True)
    assert router.db_for_read(Post) is None
    with replica_db.replica():
        assert router.db_for_read(Post) == "replica"
        assert router.db_for_write(Post) == "default"  # writes never go to a copy
        with replica_db.replica():
            assert router.db_for_read(Post) == "replica"
        assert router.db_for_read(Post) == "replica"
    assert router.db_for_read(Post) is None


def test_without_a_replica_the_block_reads_the_primary(db, user):
    with replica_db.replica():
        assert Post.objects.db == "default"
        assert list(Post.objects.all()) == []


@pytest.mark.django_db
def test_server_timing_counts_the_queries_of_a_request():
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        return HttpResponse("ok")

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    header = response["Server-Timing"]
    assert re.fullmatch(r'app;dur=[\d.]+, db;dur=[\d.]+;desc="2 queries", dbmax;dur=[\d.]+', header)
    app, db_time, slowest = (float(v) for v in re.findall(r"dur=([\d.]+)", header))
    assert slowest <= db_time <= app


def test_pages_are_compressed_and_their_csrf_tokens_masked_anew(logged_client):
    """gzip for HTML, with BREACH in mind: a secret repeated in compressed pages can be guessed
    byte by byte, so the CSRF token in a page must differ on every response (Django masks it)."""
    tokens = []
    for _ in range(2):
        response = logged_client.get("/", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content).decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert tokens[0] != tokens[1]
    assert "Content-Encoding" not in logged_client.get("/")  # a client that did not ask gets plain HTML


@pytest.mark.redis
async def test_sync_code_publishes_through_one_loop_that_lives_on():
    """A WSGI worker or a Celery task has no event loop: events go through one loop per process
    that lives on (async_to_sync built a loop, a Redis connection and a subscription per event)."""
    import asyncio

    from channels.layers import get_channel_layer

    from rse.lib import events

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("rse-test-lasting-loop", channel)
    loops = []

    def from_sync_code(n):  # a thread without an event loop, as in a WSGI worker
        events._send(layer, "rse-test-lasting-loop", {"type": "rse.event", "event": "x", "payload": {"n": n}})
        loops.append(events._publisher_loop())

    for n in (1, 2):
        await asyncio.to_thread(from_sync_code, n)
    received = [await asyncio.wait_for(layer.receive(channel), 10) for _ in range(2)]
    assert [m["payload"]["n"] for m in received] == [1, 2]
    assert loops[0] is loops[1] and loops[0].is_running()
    await layer.group_discard("rse-test-lasting-loop", channel)


def test_pages_gzipped_at_level_5_with_the_random_header_padding():
    from django.http import HttpRequest, HttpResponse

    from rse.lib.gzip import GZipMiddleware

    html = ("<p>" + "a feed card " * 40 + "</p>") * 60
    request = HttpRequest()
    request.META["HTTP_ACCEPT_ENCODING"] = "gzip, deflate"
    middleware = GZipMiddleware(lambda r: HttpResponse(html))
    bodies = [middleware(request).content for _ in range(12)]
    assert all(gzip.decompress(b).decode() == html for b in bodies)
    assert len({len(b) for b in bodies}) > 1  # BREACH: a random-length header on each response
    response = middleware(request)
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert response["Content-Length"] == str(len(response.content))
    request.META["HTTP_ACCEPT_ENCODING"] = "br"
    plain = middleware(request)
    assert (
        plain.content.decode() == html
        and plain["Vary"] == "Accept-Encoding"
        and not plain.has_header("Content-Encoding")
    )
