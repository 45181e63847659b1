"""`make serve`: the production topology on this machine (docs/deploy.md).

    web    gunicorn rse.wsgi, WEB_WORKERS synchronous workers (default 2 per core) on :8000: HTTP
    ws     daphne rse.asgi on :8001: websockets only (the pages open ws://<host>:8001/ws/)
    worker celery worker;  beat  celery beat (exactly one per deployment)

against PostgreSQL and Redis (DATABASE_URL, REDIS_URL; defaults: the local servers, database
`rse`, Redis DB 0), DEBUG off, static files collected and served by WhiteNoise, pages gzipped.
Migrates first. Ctrl-C (or SIGTERM) stops everything. Plain HTTP on the loopback: in production
a TLS proxy sits in front and routes /ws/ to the websocket nodes (docs/deploy.md).

Why WSGI workers for HTTP and an ASGI node for websockets only: measured over HTTP with
`make bench`, synchronous workers serve pages faster than ASGI workers on the same cores
(docs/deploy.md has the figures); websockets need ASGI, and a node holding them idles.

`--topology asgi` runs the alternative (uvicorn workers for HTTP and websockets alike), for
`make bench TOPOLOGY=asgi`. `commands()` is what the benchmark starts, so it measures this.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# gunicorn's worker heartbeat files: in memory (its documented advice), not on a slow disk
HEARTBEAT_DIR = "/dev/shm"  # noqa: S108
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rse",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def production_env(base=None, ws_port=None, extra=None):
    """The environment of every process: production settings on plain HTTP (no TLS proxy here)."""
    env = dict(os.environ if base is None else base)
    for key, value in DEFAULTS.items():
        env.setdefault(key, value)
    if not env.get("SECRET_KEY"):
        key_file = Path(env.get("RSE_VAR_DIR", ROOT / "var")) / "serve-secret-key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        env["SECRET_KEY"] = key_file.read_text().strip()
    env.update({"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "PYTHONUNBUFFERED": "1"})
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    if ws_port:
        env["WEBSOCKET_PORT"] = str(ws_port)
    env.update(extra or {})
    return env


def commands(topology="wsgi", host="127.0.0.1", port=8000, ws_port=8001, web_workers=None, jobs=True):
    """{name: argv} of the processes of one node (one machine) of the topology."""
    workers = str(web_workers or 2 * (os.cpu_count() or 1))
    procs = {}
    if topology == "wsgi":
        procs["web"] = [str(BIN / "gunicorn"), "rse.wsgi:application", "--bind", f"{host}:{port}",
                        "--workers", workers, "--worker-class", "sync", "--timeout", "30",
                        "--max-requests", "20000", "--max-requests-jitter", "2000", "--worker-tmp-dir", HEARTBEAT_DIR,
                        "--log-level", "warning"]  # fmt: skip
        procs["ws"] = [sys.executable, "-m", "daphne", "-b", host, "-p", str(ws_port), "rse.asgi:application"]
    elif topology == "asgi":
        procs["web"] = [str(BIN / "uvicorn"), "rse.asgi:application", "--host", host, "--port", str(port),
                        "--workers", workers, "--no-access-log", "--log-level", "warning"]  # fmt: skip
    else:
        raise ValueError(topology)
    if jobs:
        procs["worker"] = [str(BIN / "celery"), "-A", "rse", "worker", "--concurrency", "2", "--loglevel", "WARNING"]
        procs["beat"] = [str(BIN / "celery"), "-A", "rse", "beat", "--loglevel", "WARNING",
                         "--schedule", str(ROOT / "var" / "celerybeat-schedule")]  # fmt: skip
    return procs


def setup(env):
    """Migrate and collect the static files (WhiteNoise serves the hashed, compressed copies)."""
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def start(procs, env, quiet=False):
    out = subprocess.DEVNULL if quiet else None
    return {
        name: subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out)  # noqa: S603
        for name, argv in procs.items()
    }


def stop(running, timeout=15):
    for proc in running.values():
        _signal_group(proc, signal.SIGTERM)  # gunicorn, daphne, celery: graceful shutdown
    deadline = time.monotonic() + timeout
    for proc in running.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("RSE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("RSE_PORT", "8000")))
    parser.add_argument("--ws-port", type=int, default=int(os.environ.get("RSE_WS_PORT", "8001")))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "0")) or None)
    parser.add_argument("--topology", choices=["wsgi", "asgi"], default=os.environ.get("TOPOLOGY", "wsgi"))
    args = parser.parse_args()
    env = production_env(ws_port=args.ws_port if args.topology == "wsgi" else None)
    setup(env)
    procs = commands(args.topology, args.host, args.port, args.ws_port, args.web_workers)
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    running = start(procs, env)
    where = f"http://{args.host}:{args.port}/"
    print(f"RSE (production topology: {', '.join(procs)}) on {where}; Ctrl-C stops everything.")  # noqa: T201
    while not stopping and all(p.poll() is None for p in running.values()):
        time.sleep(0.5)
    dead = [name for name, p in running.items() if p.poll() is not None]
    stop(running)
    if dead and not stopping:
        print(f"stopped: {', '.join(dead)} exited")  # noqa: T201
        return 1
    print("RSE stopped.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
