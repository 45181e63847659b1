"""`make bench SIZE=small|medium|large`: RSE served as in production, measured over HTTP.

    make bench SIZE=medium                  # RSE and Spirit side by side, with the targets
    make bench SIZE=small                   # CI: every scenario at a tiny size, no thresholds
    make bench SIZE=medium TOPOLOGY=wsgi,asgi   # both HTTP topologies, interleaved
    .venv/bin/python -m bench.run --size medium --only http --duration 20 --no-spirit

What it does, on a database of its own (`DATABASE_URL`, default rse_bench_<size>; Redis DB 14):
1. builds the data once (bench/data.py; medium: 1,000 users, 20 communities, 10,000 posts,
   50,000 comments, 120,000 reactions; large: 10,000 users, 300 communities, 1,000,000 posts,
   2,000,000 comments, 5,000,000 reactions);
2. starts the production topology of `make serve` (scripts/serve.py: gunicorn workers + the
   websocket node + Celery worker and beat) on free ports, with the Server-Timing header on, and
   Spirit (bench/spirit.py) on the same data unless --no-spirit (never at large);
3. logs 8 readers in through the login form and, for each page, runs wrk (8 connections, 2
   threads, each request another reader and another URL of that page), interleaving the targets
   (RSE, Spirit, RSE, …; the order flips every round) so that both see the same machine load;
4. then samples each page sequentially to read the Server-Timing header: SQL queries per request,
   app time, SQL time and app time ÷ main SQL time (the slowest query of the request), and the
   page's weight (plain and gzipped);
5. then the writes (new post, comment, reaction) on RSE, and the other scenarios: realtime (a new
   post reaches N websockets over 2 ASGI processes, scripts/bench_realtime.py) and hr (HR
   provisioning of N rows, directory/bench.py).

Prints one table with each target beside its figure; writes var/bench/results-<size>.json (the
large run compares its p99 with the medium results found there). Never a pass/fail in CI: the
exit status only says whether every scenario ran (no errors, no non-2xx/3xx answers).
"""

import argparse
import gzip
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

SIZES = {
    "small": {"users": 200, "communities": 6, "posts": 1_000, "comments": 4_000, "reactions": 8_000, "items": 40,
              "duration": 3, "rounds": 1, "samples": 5, "hr_rows": 200, "clients": 20},
    "medium": {"users": 1_000, "communities": 20, "posts": 10_000, "comments": 50_000, "reactions": 120_000,
               "items": 200, "duration": 10, "rounds": 3, "samples": 20, "hr_rows": 1_000, "clients": 200},
    "large": {"users": 10_000, "communities": 300, "posts": 1_000_000, "comments": 2_000_000,
              "reactions": 5_000_000, "items": 2_000, "duration": 10, "rounds": 2, "samples": 20,
              "hr_rows": 10_000, "clients": 1_000},
}  # fmt: skip
CONNECTIONS, THREADS, READERS = 8, 2, 8
READ_PAGES = ["community feed", "home", "essentials", "post", "profile", "directory search", "global search",
              "item page"]  # fmt: skip
WRITES = ["new post", "comment", "react"]
SPIRIT_PAGES = {"community feed", "home", "post", "profile", "global search"}
# The targets: at medium, RSE ≥ 2× Spirit's requests/s on these pages, p99 ≤ 250 ms on
# every page (8 connections, 2 cores); at large, the same pages' p99 within 1.5× of medium.
RATIO_TARGET = {"community feed": 2.0, "home": 2.0}
P99_TARGET_MS = 250
LARGE_P99_FACTOR = 1.5


def log(message):
    print(message, flush=True)  # noqa: T201


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, procs, path="/accounts/login/", timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [name for name, p in procs.items() if p.poll() is not None]
        if dead:
            raise SystemExit(f"{', '.join(dead)} exited with {[procs[n].returncode for n in dead]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"nothing answered on port {port}")


# --- HTTP client: logging in and sampling ------------------------------------------------------
class Browser:
    """A logged-in reader: its cookies, over plain http.client (no dependency)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Encoding": "gzip",
                **(headers or {})}  # fmt: skip
        if body is not None:
            body = urllib.parse.urlencode(body)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        raw = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        conn.close()
        return response, text, len(raw), elapsed

    def login(self, path, email_field, email, password):
        _, page, _, _ = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        response, _, _, _ = self.request(
            "POST", path, {"csrfmiddlewaretoken": token, email_field: email, "password": password}
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not log {email} in on port {self.port} ({response.status})")

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def server_timing(response):
    header = response.getheader("Server-Timing") or ""
    values = dict(re.findall(r"(\w+);dur=([\d.]+)", header))
    queries = re.search(r'desc="(\d+) queries"', header)
    return {"app": float(values.get("app", "nan")), "db": float(values.get("db", "nan")),
            "dbmax": float(values.get("dbmax", "nan")), "queries": int(queries.group(1)) if queries else None}  # fmt: skip


# --- wrk --------------------------------------------------------------------------------------
def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0:
        log("wrk is missing: installing Debian's package")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)  # noqa: S607
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)  # noqa: S607
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)  # noqa: S607
    if not shutil.which("wrk"):
        raise SystemExit("make bench needs wrk: apt-get install -y wrk")


def _lua_string(value):
    return "[==[" + value + "]==]"


def wrk_script(requests, expected=200):
    """Each request of the run takes the next (method, path, headers, body) of the list, so the
    connections go through every reader and URL of the page."""
    lines = ["local reqs = {}"]
    for method, path, headers, body in requests:
        head = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
        lines.append(
            f"reqs[#reqs + 1] = wrk.format({_lua_string(method)}, {_lua_string(path)}, {{{head}}}, "
            f"{_lua_string(body) if body else 'nil'})"
        )
    lines += [
        "local i = 0",
        "function init(args) i = math.random(#reqs) end",
        "request = function() i = i % #reqs + 1; return reqs[i] end",
        # a read that answers a redirect (to the login page) is a failure, not a fast page
        "unexpected = 0",
        f"response = function(status) if status ~= {expected} then unexpected = unexpected + 1 end end",
        "local threads = {}",
        "function setup(thread) table.insert(threads, thread) end",
        "function done(summary, latency, requests)",
        "  local n = 0",
        '  for _, t in ipairs(threads) do n = n + t:get("unexpected") end',
        '  io.write("Unexpected status: ", n, "\\n")',
        "end",
    ]
    return "\n".join(lines) + "\n"


def _ms(text):
    value, unit = float(re.match(r"([\d.]+)", text).group(1)), re.sub(r"[\d.]", "", text)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def run_wrk(port, requests, duration, expected=200, cpu=None):
    figures = _run_wrk(port, requests, duration, expected, cpu)
    if not figures["requests"]:  # every request outlasted the run (a very busy machine): once more, longer
        figures = _run_wrk(port, requests, duration * 4, expected, cpu)
    return figures


def _run_wrk(port, requests, duration, expected, cpu):
    before = cpu() if cpu else None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(requests, expected))
    try:
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{duration}s", "--timeout", "10s",  # noqa: S607
             "--latency", "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True, timeout=duration + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    used = cpu_used(before, cpu()) if cpu else None
    done = int(re.search(r"(\d+) requests in", out).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Unexpected status: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "median_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "requests": done,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "cpu_ms": round(used / done, 2) if cpu and done else None,
    }


def summarise_runs(runs):
    cpu = [r["cpu_ms"] for r in runs if r.get("cpu_ms") is not None]
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "rps_range": [min(r["rps"] for r in runs), max(r["rps"] for r in runs)],
        "median_ms": round(statistics.median(r["median_ms"] for r in runs), 1),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 1),
        "cpu_ms": round(statistics.median(cpu), 1) if cpu else None,
    }


# --- CPU per request: a figure that a busy machine does not distort -----------------------------
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _proc_stats():
    """pid → (process group, CPU ms used so far) for every process of the machine."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[2]), (int(fields[11]) + int(fields[12])) * TICK_MS)
    return found


def cpu_snapshot(groups, db_name):
    """CPU ms consumed so far by the server's processes (their process groups) and by the
    PostgreSQL backends serving its database: requests/s moves with whatever else runs on the
    machine, the CPU a request costs hardly does (on a quiet 2-core machine, requests/s ≈
    2 × 1000 / CPU ms per request)."""
    import psycopg

    with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres", autocommit=True) as conn:
        backends = {row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db_name])}
    stats = _proc_stats()
    return {pid: cpu for pid, (group, cpu) in stats.items() if group in groups or pid in backends}


def cpu_used(before, after):
    # processes present at both ends only: one that started or ended in between is not half-counted
    return sum(after[pid] - before[pid] for pid in after.keys() & before.keys())


def drain_celery(redis_url, timeout=300):
    """The writes queued notification tasks: let the worker finish them before the next scenario
    measures anything on the same cores."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while client.llen("celery") and time.monotonic() < deadline:
        time.sleep(1)
    left = client.llen("celery")
    log(f"Celery queue drained{f' but for {left} tasks' if left else ''}")


# --- the RSE side -----------------------------------------------------------------------------
def setup_django(size, database_url):
    from serve import production_env

    os.environ.update(production_env(extra={"DATABASE_URL": database_url}))
    os.environ["DJANGO_SETTINGS_MODULE"] = "rse.settings"
    import django

    django.setup()


def create_database(db):
    """The benchmark owns its database: on a new machine it creates it."""
    import psycopg
    from psycopg import sql

    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                "password": db.get("PASSWORD")}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            log(f"created database {db['NAME']}")


def rse_targets(rng):
    """Readers and, per page, the paths they read (the same ones for every run)."""
    from bench.data import WORDS
    from communities.models import Community, Membership, Post
    from repository.models import Item
    from rse.accounts.models import User

    open_ids = list(Community.objects.filter(slug__startswith="bench-community-", visibility="open")
                    .values_list("id", flat=True))  # fmt: skip
    readers = list(User.objects.filter(email__endswith="@bench.example", memberships__community_id__in=open_ids)
                   .distinct().order_by("id")[:READERS])  # fmt: skip
    member_of = {}
    for m in Membership.objects.filter(user__in=readers, status="active").select_related("community"):
        member_of.setdefault(m.user_id, []).append(m.community)
    posts = list(Post.objects.filter(community_id__in=open_ids).order_by("-last_activity_at")
                 .values_list("id", flat=True)[:200:5])  # fmt: skip
    people = list(
        User.objects.filter(email__endswith="@bench.example").order_by("id").values_list("id", flat=True)[10:50]
    )
    items = list(Item.objects.filter(slug__startswith="bench-customer-", posts__isnull=False).distinct()
                 .values_list("slug", flat=True)[:20])  # fmt: skip
    words = [rng.choice(WORDS) for _ in range(20)]
    paths = {
        "community feed": lambda u: [f"/c/{c.slug}/" for c in member_of.get(u.pk, [])],
        "home": lambda u: ["/"],
        "essentials": lambda u: ["/essentials/"],
        "post": lambda u: [f"/posts/{p}/" for p in posts],
        "profile": lambda u: [f"/people/{p}/" for p in people],
        "directory search": lambda u: [f"/people/?q={w}" for w in words],
        "global search": lambda u: [f"/search/?q={w}" for w in words],
        "item page": lambda u: [f"/repository/items/{s}/" for s in items],
    }
    writable = {u.pk: [c.slug for c in member_of.get(u.pk, [])] for u in readers}
    return readers, paths, writable, posts, words


def start_rse(topology, env):
    from serve import commands, start

    port, ws_port = free_port(), free_port()
    procs = commands(topology, port=port, ws_port=ws_port, web_workers=4, jobs=True)
    running = start(procs, {**env, "WEBSOCKET_PORT": str(ws_port) if topology == "wsgi" else ""}, quiet=True)
    wait_http(port, running)
    return port, running


# --- the run ----------------------------------------------------------------------------------
def main():  # noqa: C901, PLR0912, PLR0915 - a script that reads top to bottom
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="medium")
    parser.add_argument(
        "--only", default="http,realtime,hr,engagement", help="scenarios: http, realtime, hr, engagement"
    )
    parser.add_argument("--topology", default="wsgi", help="wsgi, asgi or both (wsgi,asgi), measured interleaved")
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--pages", default=",".join(READ_PAGES + WRITES))
    parser.add_argument("--no-spirit", action="store_true")
    args = parser.parse_args()
    size = SIZES[args.size]
    duration, rounds = args.duration or size["duration"], args.rounds or size["rounds"]
    only = set(args.only.split(","))
    pages = [p for p in args.pages.split(",") if p]
    database_url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/rse_bench_{args.size}"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    os.environ["REDIS_URL"] = redis_url
    if not database_url.startswith("postgres"):
        raise SystemExit("make bench measures the production topology: DATABASE_URL must be PostgreSQL")
    setup_django(args.size, database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import data

    db = settings.DATABASES["default"]
    log(f"database {db['NAME']}, Redis {redis_url}, size {args.size}")
    create_database(db)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    start = time.perf_counter()
    data.build(**{k: size[k] for k in ("users", "communities", "posts", "comments", "reactions", "items")},
               log=lambda m: None)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"data ready in {time.perf_counter() - start:.1f} s")
    results = {"size": args.size, "volume": {k: size[k] for k in ("users", "communities", "posts", "comments",
               "reactions")}, "duration_s": duration, "rounds": rounds, "connections": CONNECTIONS, "http": {},
               "samples": {}, "scenarios": {}}  # fmt: skip
    failures = []

    if "http" in only:
        ensure_wrk()
        from django.core.cache import cache
        from serve import production_env, stop

        rng = random.Random(11)  # noqa: S311 - benchmark choices
        readers, paths, writable, posts, words = rse_targets(rng)
        cache.clear()  # the benchmark's Redis DB: cards start cold
        # The per-person flood limits (a person does not post ten times a second) would turn the write
        # runs into refusals: off here, the benchmark measures what a write costs.
        env = production_env(extra={"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SERVER_TIMING": "1",
                                    "CHANNEL_PREFIX": f"rse_bench_{os.getpid()}",
                                    "RATE_LIMITS": "post=,comment=,reaction="})  # fmt: skip
        servers, running_all = {}, []
        try:
            for topology in args.topology.split(","):
                port, running = start_rse(topology, env)
                running_all.append(running)
                browsers = []
                for user in readers:
                    browser = Browser(port)
                    browser.login("/accounts/login/", "username", user.email, data.PASSWORD)
                    browsers.append((user, browser))
                servers[f"RSE {topology}"] = {"port": port, "browsers": browsers, "kind": "rse", "db": db["NAME"],
                                              "groups": {p.pid for p in running.values()}}  # fmt: skip
            spirit = not args.no_spirit and args.size != "large"
            if spirit:
                from bench import spirit as peer

                spirit_db = {**db, "NAME": f"{db['NAME']}_spirit"}
                spirit_env = peer.prepare(spirit_db, redis_url, secrets.token_urlsafe(40), log)
                port = free_port()
                proc = subprocess.Popen(peer.command(port), cwd=peer.SITE, env=spirit_env, start_new_session=True,  # noqa: S603
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
                running_all.append({"spirit": proc})
                wait_http(port, {"spirit": proc}, path="/user/login/")
                urls = peer.targets(spirit_env)
                browsers = []
                for i, user in enumerate(readers):
                    browser = Browser(port)
                    browser.login("/user/login/", "username", f"user{user.email.split('@')[0][4:]}", data.PASSWORD)
                    browsers.append((i, browser))
                spirit_paths = {
                    "community feed": urls["cats"], "home": ["/"], "post": urls["topics"], "profile": urls["users"],
                    "global search": [f"/search/?q={w}" for w in words],
                }  # fmt: skip
                servers["Spirit"] = {"port": port, "browsers": browsers, "kind": "spirit", "paths": spirit_paths,
                                     "db": spirit_db["NAME"], "groups": {proc.pid}}  # fmt: skip

            def requests_for(server, page):
                reqs = []
                for user, browser in server["browsers"]:
                    head = {"Cookie": browser.cookie_header(), "Accept-Encoding": "gzip"}
                    if server["kind"] == "spirit":
                        reqs += [("GET", p, head, None) for p in server["paths"][page]]
                        continue
                    if page in WRITES:
                        head = {**head, "X-CSRFToken": browser.cookies["csrftoken"],
                                "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
                        if page == "new post":
                            reqs += [("POST", f"/c/{slug}/new/", head, "kind=discussion&title=Bench+write&body_md="
                                      "A+new+post+from+the+benchmark") for slug in writable[user.pk]]  # fmt: skip
                        elif page == "comment":
                            reqs += [("POST", f"/posts/{p}/comments/", head, "body_md=A+comment+from+the+benchmark")
                                     for p in posts[:10]]  # fmt: skip
                        else:
                            reqs += [("POST", f"/posts/{p}/react/", head, "kind=like") for p in posts[:10]]
                        continue
                    reqs += [("GET", p, head, None) for p in paths[page](user)]
                return reqs

            measured = [p for p in pages if p in READ_PAGES] + [p for p in pages if p in WRITES]
            for server in servers.values():  # warm every worker's templates and connections
                for page in measured:
                    if page in WRITES or (server["kind"] == "spirit" and page not in SPIRIT_PAGES):
                        continue
                    for method, path, head, _ in requests_for(server, page)[:8]:
                        Browser(server["port"]).request(method, path, headers=head)
            runs = {}

            def measure(page_list):
                for round_no in range(rounds):
                    for page in page_list:
                        order = list(servers.items())
                        if round_no % 2:
                            order.reverse()
                        for name, server in order:
                            if server["kind"] == "spirit" and (page not in SPIRIT_PAGES or page in WRITES):
                                continue
                            expected = 302 if page in WRITES else 200
                            cpu = lambda s=server: cpu_snapshot(s["groups"], s["db"])  # noqa: E731
                            figures = run_wrk(server["port"], requests_for(server, page), duration, expected, cpu)
                            runs.setdefault(name, {}).setdefault(page, []).append(figures)
                            log(f"round {round_no + 1} {page:17s} {name:10s} {figures['rps']:8.1f} req/s  "
                                f"median {figures['median_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                                f"CPU {figures['cpu_ms'] or float('nan'):6.1f} ms/req"
                                + (f"  UNEXPECTED {figures['bad']}" if figures["bad"] else ""))  # fmt: skip
                            if figures["bad"] or figures["socket_errors"]:
                                failures.append(f"{name} {page}: {figures['bad']} answers other than {expected}, "
                                                f"{figures['socket_errors']} socket errors")  # fmt: skip

            measure([p for p in measured if p not in WRITES])
            for name, by_page in runs.items():
                results["http"][name] = {page: summarise_runs(rs) for page, rs in by_page.items()}
            # Sequential samples: what a request costs inside the server, and what it weighs.
            for name, server in servers.items():
                for page in measured:
                    if page in WRITES or (server["kind"] == "spirit" and page not in SPIRIT_PAGES):
                        continue
                    reqs = requests_for(server, page)
                    timings, sizes = [], []
                    for method, path, head, _ in (reqs * size["samples"])[: size["samples"]]:
                        response, text, wire, _ = Browser(server["port"]).request(method, path, headers=head)
                        if response.status != 200:
                            failures.append(f"{name} {page}: {path} answered {response.status}")
                            continue
                        timings.append(server_timing(response))
                        sizes.append((len(text), wire))
                    sample = {"kb": round(statistics.median(s[0] for s in sizes) / 1024, 1) if sizes else None,
                              "kb_gzip": round(statistics.median(s[1] for s in sizes) / 1024, 1) if sizes else None}  # fmt: skip
                    if server["kind"] == "rse" and timings:
                        sample.update({
                            "queries": statistics.median(t["queries"] for t in timings),
                            "app_ms": round(statistics.median(t["app"] for t in timings), 2),
                            "sql_ms": round(statistics.median(t["db"] for t in timings), 2),
                            "main_sql_ms": round(statistics.median(t["dbmax"] for t in timings), 2),
                            "app_over_main_sql": round(statistics.median(t["app"] / max(t["dbmax"], 0.01)
                                                                         for t in timings), 1),
                        })  # fmt: skip
                    results["samples"].setdefault(name, {})[page] = sample
            writes = [p for p in measured if p in WRITES]
            if writes:
                measure(writes)
                for name, by_page in runs.items():
                    for page in writes:
                        if page in by_page:
                            results["http"][name][page] = summarise_runs(by_page[page])
                drain_celery(redis_url)
        finally:
            for running in running_all:
                stop(running)
        report(results, args.size)

    if "realtime" in only:
        cmd = [sys.executable, str(ROOT / "scripts" / "bench_realtime.py"), "--clients", str(size["clients"]),
               "--posts", "10", "--max-p99-ms", "100000"]  # fmt: skip
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)  # noqa: S603
        lines = proc.stdout.strip().splitlines()[-3:]
        results["scenarios"]["realtime"] = {"exit": proc.returncode, "output": lines, "target": "p99 ≤ 250 ms"}
        log(
            f"realtime ({size['clients']} websockets over 2 daphne processes; target p99 ≤ 250 ms): {' | '.join(lines)}"
        )
        if proc.returncode:
            failures.append(f"realtime exited with {proc.returncode}: {proc.stderr.strip()[-500:]}")
    if "hr" in only:
        from directory.bench import run as hr_run

        start = time.perf_counter()
        hr_run(rows=size["hr_rows"], keep=False, out=lambda m: None)
        seconds = round(time.perf_counter() - start, 2)
        results["scenarios"]["hr"] = {"rows": size["hr_rows"], "seconds": seconds, "target": "10,000 rows ≤ 30 s"}
        log(f"HR provisioning of {size['hr_rows']} rows: {seconds} s (target: 10,000 rows in ≤ 30 s)")

    if "engagement" in only:
        from engagement.bench import run as engagement_run

        results["scenarios"]["engagement"] = engagement_run(out=log)

    out = ROOT / "var" / "bench" / f"results-{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    log(f"written to {out.relative_to(ROOT)}")
    if failures:
        raise SystemExit("benchmark errors:\n  " + "\n  ".join(failures))


def report(results, size_name):
    """One line per page: each target's figures, then Spirit's, the ratio and the targets."""
    http, samples = results["http"], results["samples"]
    rse_names = [n for n in http if n.startswith("RSE")]
    medium = None
    medium_file = ROOT / "var" / "bench" / "results-medium.json"
    if size_name == "large" and medium_file.exists():
        medium = json.loads(medium_file.read_text()).get("http", {})
    head = f"{'page':17s}"
    for name in http:
        head += f" | {name:>10s} req/s  med ms  p99 ms  CPU ms"
    head += " | queries  app ms  SQL ms  app÷main SQL  KB (gzip)"
    log("")
    log(f"size {size_name}: {results['volume']}, wrk {CONNECTIONS} connections, {results['duration_s']} s × "
        f"{results['rounds']} rounds (medians over rounds)")  # fmt: skip
    log(head)
    for page in READ_PAGES + WRITES:
        if not any(page in by_page for by_page in http.values()):
            continue
        line = f"{page:17s}"
        for by_page in http.values():
            f = by_page.get(page)
            line += (f" | {f['rps']:16.1f} {f['median_ms']:7.1f} {f['p99_ms']:7.1f} {f.get('cpu_ms') or 0:7.1f}"
                     if f else f" | {'':40s}")  # fmt: skip
        s = samples.get(rse_names[0], {}).get(page) if rse_names else None
        if s and "queries" in s:
            line += (f" | {s['queries']:7.0f} {s['app_ms']:7.1f} {s['sql_ms']:7.1f} {s['app_over_main_sql']:13.1f}"
                     f"  {s['kb']} ({s['kb_gzip']})")  # fmt: skip
        notes = []
        for name in rse_names:
            f = http[name].get(page)
            if not f:
                continue
            if page not in WRITES and size_name == "medium":
                notes.append(f"p99 {f['p99_ms']:.0f} ms {'≤' if f['p99_ms'] <= P99_TARGET_MS else '>'} "
                             f"{P99_TARGET_MS} ms target")  # fmt: skip
            spirit = http.get("Spirit", {}).get(page)
            if spirit:
                ratio = f["rps"] / spirit["rps"] if spirit["rps"] else float("nan")
                target = RATIO_TARGET.get(page)
                notes.append(f"{name} ÷ Spirit {ratio:.2f}×" + (f" (target ≥ {target:.0f}×: "
                             f"{'met' if ratio >= target else 'NOT met'})" if target else ""))  # fmt: skip
                f["spirit_ratio"] = round(ratio, 2)
                if f.get("cpu_ms") and spirit.get("cpu_ms"):
                    f["spirit_cpu_ratio"] = round(spirit["cpu_ms"] / f["cpu_ms"], 2)
                    notes.append(f"by CPU per request {f['spirit_cpu_ratio']:.2f}×")
            if medium and page in medium.get(name, {}):
                factor = f["p99_ms"] / medium[name][page]["p99_ms"]
                notes.append(f"p99 {factor:.2f}× medium (target ≤ {LARGE_P99_FACTOR}×: "
                             f"{'met' if factor <= LARGE_P99_FACTOR else 'NOT met'})")  # fmt: skip
        spirit_sample = samples.get("Spirit", {}).get(page)
        if spirit_sample:
            notes.append(f"Spirit page {spirit_sample['kb']} KB")
        log(line + ("   " + "; ".join(notes) if notes else ""))


if __name__ == "__main__":
    main()
