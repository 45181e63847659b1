"""CPU per request, measured in one process: a figure that a busy machine does not distort.

    .venv/bin/python -m bench.cpu                                  # medium, every page, 100 each
    .venv/bin/python -m bench.cpu --pages "community feed,home" -n 300
    .venv/bin/python -m bench.cpu --pages home --profile var/bench/home.html   # pyinstrument

Requests/s over HTTP move with whatever else runs on the machine; the CPU a request costs
hardly does. This script builds the benchmark's data once (bench/data.py, the same database as
`make bench`, `DATABASE_URL`, default rse_bench_<size>), then renders each page N times through
Django's test client with the production settings (DEBUG off, cached template loader, Redis
cache, pooled PostgreSQL connections, gzip), logged in as the benchmark's readers, each request
another reader and another URL of the page, caches warm (a first round is not counted). It
prints, per page: the CPU of this process (time.process_time) and of its PostgreSQL backend per
request, and the SQL queries per request.

On a quiet 2-core machine, requests/s ≈ 2 × 1000 ÷ (CPU ms per request): the figure to cut.

    .venv/bin/python -m bench.cpu --no-setup --pages "community feed,home" -n 20 --instructions

--instructions runs the same requests under valgrind's callgrind and counts the instructions the
Python process executes per request (not PostgreSQL's): slow (minutes), but exactly the same
figure however busy the machine is, for comparing two versions of the code.
"""

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, flush=True)  # noqa: T201


def backend_cpu_ms(pids):
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) * TICK_MS
    return total


def backend_pids(db_name):
    import psycopg

    with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres", autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db_name])}


UNDER_CALLGRIND = "RSE_BENCH_UNDER_CALLGRIND"


def callgrind_control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)  # noqa: S603, S607


def count_instructions(argv, n):
    """Runs this script again under callgrind, instrumenting only the measured requests (the child
    toggles it around each page's loop and dumps the counters), and prints instructions per request."""
    if not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        subprocess.run(  # noqa: S603
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p",  # noqa: S607
             sys.executable, "-m", "bench.cpu", *argv],
            env={**os.environ, UNDER_CALLGRIND: "1"}, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for dump in sorted(out.glob("cg.*.*"), key=lambda p: int(p.suffix[1:])):
            text = dump.read_text(errors="replace")
            label = next(line for line in text.splitlines() if line.startswith("desc: Trigger:")).split("dump ", 1)[1]
            total = int(next(line for line in text.splitlines() if line.startswith("totals:")).split()[1])
            log(f"{label.replace('_', ' '):17} {total / n / 1e6:7.1f} M instructions/req (Python process)")


def main():  # noqa: C901, PLR0912, PLR0915 - a script that reads top to bottom
    from bench.run import READ_PAGES, SIZES, create_database, rse_targets, setup_django

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="medium")
    parser.add_argument("--pages", default=",".join(READ_PAGES))
    parser.add_argument("-n", type=int, default=100, help="requests per page (after one warm-up round)")
    parser.add_argument("--profile", default="", help="write a pyinstrument HTML profile of the last page here")
    parser.add_argument("--rounds", type=int, default=5, help="the figure is the lowest of these rounds of n")
    parser.add_argument("--no-setup", action="store_true", help="the data is there: no migrate, no build")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    args = parser.parse_args()
    under_callgrind = bool(os.environ.get(UNDER_CALLGRIND))
    if args.instructions and not under_callgrind:
        count_instructions([a for a in sys.argv[1:] if a != "--instructions"] + ["--rounds", "1"], args.n)
        return
    size = SIZES[args.size]
    database_url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/rse_bench_{args.size}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    setup_django(args.size, database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    from bench import data

    db = settings.DATABASES["default"]
    if not args.no_setup:
        create_database(db)
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        data.build(**{k: size[k] for k in ("users", "communities", "posts", "comments", "reactions", "items")},
                   log=lambda m: None)  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
    readers, paths, _, _, _ = rse_targets(random.Random(11))  # noqa: S311 - benchmark choices
    clients = []
    for user in readers:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
        client.force_login(user)
        clients.append((user, client))
    from django.template import engines

    loaders = [type(loader).__module__ for loader in engines["django"].engine.template_loaders]
    log(f"database {db['NAME']}, size {args.size}, {len(readers)} readers, DEBUG={settings.DEBUG}, "
        f"template loaders {loaders}")  # fmt: skip

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    results = {}
    pages = [p for p in args.pages.split(",") if p]
    for page in pages:
        requests = [(client, path) for user, client in clients for path in paths[page](user)]
        random.Random(5).shuffle(requests)  # noqa: S311
        warm = requests
        for client, path in warm:  # every card cached, connections open
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)  # noqa: S101 - a script
        pids = backend_pids(db["NAME"])
        profiler = None
        if args.profile and page == pages[-1]:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        sizes, rounds = [], []
        with connection.execute_wrapper(count):
            reset_queries()
            queries.clear()
            for _ in range(args.rounds):
                cycle = itertools.islice(itertools.cycle(requests), args.n)
                if under_callgrind:
                    callgrind_control("--zero")
                    callgrind_control("--instr=on")
                db_before, before = backend_cpu_ms(pids), time.process_time()
                for client, path in cycle:
                    response = client.get(path)
                    sizes.append(len(response.content))
                if under_callgrind:
                    callgrind_control("--instr=off")
                    callgrind_control(f"--dump={page.replace(' ', '_')}")
                # the PostgreSQL backend's CPU comes in clock ticks (10 ms): summed over the rounds
                rounds.append(((time.process_time() - before) * 1000 / args.n, backend_cpu_ms(pids) - db_before))
        if profiler:
            profiler.stop()
            Path(args.profile).parent.mkdir(parents=True, exist_ok=True)
            Path(args.profile).write_text(profiler.output_html())
            log(profiler.output_text(unicode=True, color=False, show_all=False))
        # The lowest round: what the request costs when the machine's other work disturbs it least.
        app_ms = min(app for app, _ in rounds)
        db_ms = sum(db for _, db in rounds) / (args.n * args.rounds)
        n_requests = args.n * args.rounds
        results[page] = {"app": app_ms, "db": db_ms, "queries": len(queries) / n_requests,
                         "gzip_kb": statistics.mean(sizes) / 1024}  # fmt: skip
        r = results[page]
        log(f"{page:17} app {r['app']:6.1f} ms  db {r['db']:5.1f} ms  total {r['app'] + r['db']:6.1f} ms/req  "
            f"{r['queries']:4.1f} queries  {r['gzip_kb']:5.1f} KB gzipped")  # fmt: skip


if __name__ == "__main__":
    main()
