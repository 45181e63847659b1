"""Benchmark (issue 6): a new post reaches N websocket clients of its community, spread over
2 ASGI processes sharing Redis; reports latency percentiles from the commit.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/rse \\
        .venv/bin/python scripts/bench_realtime.py --clients 1000 --posts 20

It starts two `daphne` servers itself (free ports, a Redis prefix of their own), creates a
bench user and an open community in the configured database, connects the clients (half
on each server, all subscribed to the community), then writes posts the way a service does
(transaction + publish_on_commit) and times each delivery from the commit. The clients run
in --client-procs processes on the same machine, so the figure includes their own work and
time is compared on the one machine clock: a conservative figure.
Exit status 1 when p99 is above --max-p99-ms (default 250).
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"daphne on {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"daphne did not listen on {port}")


def setup_django(prefix):
    os.environ["CHANNEL_PREFIX"] = prefix
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rse.settings")
    import django

    django.setup()


def bench_fixtures():
    """An active user with a session, and an open community (idempotent)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from communities.models import Community
    from rse.accounts.models import User

    user, _ = User.objects.get_or_create(email="realtime.bench@rse.localhost", defaults={"first_name": "Bench"})
    community, _ = Community.objects.get_or_create(
        slug="realtime-bench", defaults={"name": "Realtime bench", "visibility": Community.Visibility.OPEN}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return user, community, session.session_key


def write_post(user, community, commit_times):
    """What a service does: one transaction, the event published on commit."""
    from django.db import transaction

    from communities.models import Post
    from rse.lib.events import community_group, publish_on_commit

    with transaction.atomic():
        post = Post.objects.create(community=community, author=user, title="Bench", body_md="Bench post")
        transaction.on_commit(lambda: commit_times.__setitem__(post.pk, time.time()))
        publish_on_commit(
            "communities.post_created",
            [community_group(community.pk)],
            {"post_id": post.pk, "community_id": community.pk, "author_id": user.pk, "kind": post.kind},
        )
    return post.pk


async def _client(port, session_key, community_id, received, ready):
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake

    for attempt in range(5):
        try:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={session_key}"},
                open_timeout=60,
                max_queue=None,
            )
            break
        except (TimeoutError, OSError, InvalidHandshake):
            await asyncio.sleep(0.5 * (attempt + 1))
    else:
        raise RuntimeError("could not connect")
    await ws.send(json.dumps({"action": "subscribe", "scope": "community", "id": community_id}))
    async for raw in ws:
        message = json.loads(raw)
        if message["event"] == "rse.subscribed":
            ready.release()
        elif message["event"] == "communities.post_created":
            received.append((message["payload"]["post_id"], time.time()))


async def _clients(ports, session_key, community_id, count, offset, ready_queue, stop_event):
    received: list = []
    ready = asyncio.Semaphore(0)
    tasks = []
    # Connect in waves (each handshake reads the session from the database), like browsers
    # coming back over a few seconds rather than all in the same millisecond.
    for i in range(count):
        port = ports[(offset + i) % len(ports)]
        tasks.append(asyncio.create_task(_client(port, session_key, community_id, received, ready)))
        if i % 50 == 49 or i == count - 1:
            for _ in range(i % 50 + 1):
                await asyncio.wait_for(ready.acquire(), 120)
    ready_queue.put(count)
    while not stop_event.is_set():
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    return received


def client_worker(ports, session_key, community_id, count, offset, ready_queue, result_queue, stop_event):
    """One process of websocket clients (a browser farm), so that decoding is not all on one core."""
    received = asyncio.run(_clients(ports, session_key, community_id, count, offset, ready_queue, stop_event))
    result_queue.put(received)


def run(args, ports, session_key, user, community):
    ctx = multiprocessing.get_context("spawn")
    ready_queue, result_queue, stop_event = ctx.Queue(), ctx.Queue(), ctx.Event()
    share = [args.clients // args.client_procs + (1 if i < args.clients % args.client_procs else 0)
             for i in range(args.client_procs)]  # fmt: skip
    workers = [
        ctx.Process(
            target=client_worker,
            args=(ports, session_key, community.pk, n, i, ready_queue, result_queue, stop_event),
        )
        for i, n in enumerate(share)
        if n
    ]
    for worker in workers:
        worker.start()
    connected = sum(ready_queue.get(timeout=300) for _ in workers)
    print(f"{connected} clients subscribed on ports {ports}, in {len(workers)} client processes")  # noqa: T201

    commit_times: dict = {}
    for _ in range(args.posts):
        write_post(user, community, commit_times)
        time.sleep(args.interval)
    time.sleep(2)
    stop_event.set()
    received = [row for _ in workers for row in result_queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
    latencies = sorted((at - commit_times[post_id]) * 1000 for post_id, at in received if post_id in commit_times)
    return latencies, args.clients * args.posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between posts")
    parser.add_argument("--client-procs", type=int, default=2, help="processes running the clients")
    parser.add_argument("--max-p99-ms", type=float, default=250.0)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL (and preferably DATABASE_URL): two processes need a shared channel layer.")

    prefix = f"rse-bench-{uuid.uuid4().hex[:8]}"
    setup_django(prefix)
    user, community, session_key = bench_fixtures()
    env = {**os.environ, "CHANNEL_PREFIX": prefix, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    ports = [free_port(), free_port()]
    procs = [
        subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "rse.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_for_port(port, proc)
        latencies, expected = run(args, ports, session_key, user, community)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if not latencies:
        print("no delivery measured")  # noqa: T201
        return 1

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    print(  # noqa: T201
        f"delivered {len(latencies)}/{expected}  p50 {statistics.median(latencies):.1f} ms  "
        f"p95 {pct(95):.1f} ms  p99 {pct(99):.1f} ms  max {latencies[-1]:.1f} ms"
    )
    ok = len(latencies) == expected and pct(99) <= args.max_p99_ms
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
