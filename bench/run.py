"""`make bench`: the performance targets of the issues, measured, never asserted in timed tests.

    make bench                       # full scale on PostgreSQL + Redis (10,000 users, 300 communities,
                                     # 1,000,000 posts; the first run builds the data, ~10 min)
    make bench-smoke                 # tiny scale: proves every scenario runs (used by CI)
    .venv/bin/python -m bench.run --only feeds,search --requests 300

Scenarios and targets:
- feeds    community, home and Essentials pages: median ≤ 30 ms, p99 ≤ 80 ms server time
- search   the search page: p95 ≤ 150 ms
- hr       HR provisioning of 10,000 rows applied in ≤ 30 s (directory/bench.py)
- realtime a new post reaches 1,000 websocket clients over 2 ASGI processes: p99 ≤ 250 ms
           (scripts/bench_realtime.py; needs REDIS_URL)

Server time is measured in-process with Django's test client (middleware, view, queries and
template rendering; no network), on a database the benchmark owns (`DATABASE_URL`).
Results are printed and written to var/bench/results.json.
"""

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = {
    "full": {"users": 10_000, "communities": 300, "posts": 1_000_000, "hr_rows": 10_000, "clients": 1000},
    "smoke": {"users": 300, "communities": 12, "posts": 3_000, "hr_rows": 200, "clients": 20},
}
TARGETS = {
    "feeds": {"median_ms": 30, "p99_ms": 80},
    "search": {"p95_ms": 150},
    "hr": {"seconds": 30},
    "realtime": {"p99_ms": 250},
}


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(samples_ms):
    return {
        "n": len(samples_ms),
        "median_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "max_ms": round(max(samples_ms), 2),
    }


def timed_get(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def bench_users(n, rng):
    from rse.accounts.models import User

    ids = list(User.objects.filter(email__endswith="@bench.example").values_list("id", flat=True)[:5000])
    return User.objects.filter(id__in=rng.sample(ids, min(n, len(ids))))


def scenario_feeds(scale, requests, rng):
    from django.core.cache import cache
    from django.test import Client

    from communities.models import Community, Membership

    results = {}
    users = list(bench_users(20, rng))
    communities = list(Community.objects.filter(slug__startswith="bench-community-", visibility="open")[:50])
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append((user, client))
    member_of = {}
    for m in Membership.objects.filter(user__in=users, status="active").select_related("community"):
        member_of.setdefault(m.user_id, []).append(m.community.slug)
    pages = {
        "community feed": lambda user: f"/c/{rng.choice(member_of.get(user.id) or [c.slug for c in communities])}/",
        "home feed": lambda user: "/",
        "home feed (most active)": lambda user: "/?order=active",
        "essentials": lambda user: "/essentials/",
    }
    cache.clear()  # the benchmark's own cache (make bench: Redis DB 14): cards start cold in every run
    for name, url_for in pages.items():
        for user, client in clients[:3]:  # warm caches and connections
            timed_get(client, url_for(user))
        samples = []
        for i in range(requests):
            user, client = clients[i % len(clients)]
            samples.append(timed_get(client, url_for(user)))
        results[name] = summarise(samples)
    return results


def scenario_search(scale, requests, rng):
    from django.test import Client

    from bench.data import WORDS

    user = bench_users(1, rng)[0]
    client = Client()
    client.force_login(user)
    samples = []
    for i in range(requests):
        query = rng.choice(WORDS) if i % 3 else f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        samples.append(timed_get(client, f"/search/?q={query}"))
    return {"search page": summarise(samples)}


def scenario_hr(scale, requests, rng):
    from directory.bench import run

    lines = []
    start = time.perf_counter()
    run(rows=scale["hr_rows"], keep=False, out=lines.append)
    return {"hr sync": {"rows": scale["hr_rows"], "total_seconds": round(time.perf_counter() - start, 2), "log": lines}}


def scenario_realtime(scale, requests, rng):
    if not os.environ.get("REDIS_URL"):
        return {"realtime": {"skipped": "needs REDIS_URL (channels_redis between two ASGI processes)"}}
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_realtime.py"), "--clients", str(scale["clients"]),
           "--posts", "10", "--max-p99-ms", "100000"]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)  # noqa: S603
    return {"realtime": {"exit": proc.returncode, "output": proc.stdout.strip().splitlines()[-6:]}}


SCENARIOS = {"feeds": scenario_feeds, "search": scenario_search, "hr": scenario_hr, "realtime": scenario_realtime}


def _create_database(db):
    """The benchmark owns its database: on a new machine it creates it (through the server's
    `postgres` maintenance database) rather than failing on 'database does not exist'."""
    import psycopg
    from psycopg import sql

    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                "password": db.get("PASSWORD")}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")  # noqa: T201


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--requests", type=int, default=None, help="requests per page (default 200, smoke 20)")
    args = parser.parse_args()
    scale = SCALES[args.scale]
    requests = args.requests or (20 if args.scale == "smoke" else 200)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rse.settings")
    if args.scale == "full":  # measure what production runs: DEBUG off (no query log), plain HTTP in-process
        os.environ.setdefault("DEBUG", "0")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
        os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench import data

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}  scale: {args.scale}")  # noqa: T201
    if settings.IS_POSTGRES:
        _create_database(db)
    call_command("migrate", verbosity=0)
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest production uses
    start = time.perf_counter()
    data.build(users=scale["users"], communities=scale["communities"], posts=scale["posts"], log=lambda m: None)
    print(f"data ready in {time.perf_counter() - start:.1f} s")  # noqa: T201
    if settings.IS_POSTGRES:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    rng = random.Random(11)  # noqa: S311
    results = {"scale": args.scale, "database": db["ENGINE"], "targets": TARGETS, "scenarios": {}}
    for name in args.only.split(","):
        print(f"--- {name}")  # noqa: T201
        outcome = SCENARIOS[name](scale, requests, rng)
        results["scenarios"][name] = outcome
        for label, figures in outcome.items():
            print(f"{label:28s} {json.dumps({k: v for k, v in figures.items() if k != 'log'})}")  # noqa: T201
    out = ROOT / "var" / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")  # noqa: T201
    broken = [label for outcome in results["scenarios"].values() for label, f in outcome.items() if f.get("exit")]
    if broken:
        raise SystemExit(f"scenario failed: {', '.join(broken)}")  # CI's smoke run must not pass silently


if __name__ == "__main__":
    main()
