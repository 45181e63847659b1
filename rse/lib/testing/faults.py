"""Fault-test harness: real Celery workers, and a private Redis and PostgreSQL a test may kill.

Fault tests run in the PostgreSQL/Redis pass (mark them `postgres` / `redis`, and
`django_db(transaction=True)` so that the subprocesses see the test's rows). They never touch the
machine's shared PostgreSQL (5432) or Redis (6379) servers: what a test stops or restarts is a
private instance on a free port, in a temporary folder.

    from rse.lib.testing.faults import CeleryWorker, PrivateRedis, services_env, use_broker

    def test_my_job_survives_a_killed_worker(tmp_path):
        with PrivateRedis(tmp_path) as redis, use_broker(redis.url()):
            worker = CeleryWorker(tmp_path, services_env(tmp_path, redis.url()), pause_at_heartbeat=2)
            with worker:
                ...                          # queue the job (jobs.submit → outbox → the private Redis)
                worker.wait_until_paused()   # in the middle of its work, transaction open
                worker.kill()                # SIGKILL
                worker.start(pause_at_heartbeat=None, beat=True,
                             env={"RSE_JOBS_STALLED_AFTER": "2", "RSE_MAINTENANCE_EVERY": "1"})
                wait_until(lambda: ..., "the job is done")

- `CeleryWorker` runs `python -m rse.lib.testing.worker` (celery -A rse worker, solo pool) with
  its log in tmp_path; `pause_at_heartbeat=n` parks it at the n-th `jobs.heartbeat()` (any kind of
  job of rse/lib/jobs.py), so a kill lands mid-job; `beat=True` adds beat (outbox drain, stalled
  jobs re-queued every RSE_MAINTENANCE_EVERY seconds).
- `use_broker(url)`: this test process publishes for real (not eagerly) to that broker.
- `PrivateRedis`: `redis-server` on a free port; `stop()`, `start()` (same port), `restart()`.
- `PrivatePostgres`: initdb + pg_ctl from /usr/lib/postgresql/15/bin (RSE_PG_BIN), run as the
  `postgres` user when the tests run as root; `clone_from(url)` copies a database (schema and
  rows) into it; `restart()`. Skips the test, saying why and how, when that is impossible.
- `Daphne`: a real ASGI server (HTTP + websockets) on a free port; `session_key(user)` logs in.
- `services_env()` / `embedded_env()`: the environment of a subprocess on the test database (and a
  Redis), or on the embedded default (SQLite file, filesystem broker) in a folder of its own.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG_BIN = Path(os.environ.get("RSE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = 60.0, interval: float = 0.2):
    """Poll `predicate` until it returns something true; fail with `what` after `timeout` seconds
    (a bound on a hang, never a speed assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(interval)


def wait_for_port(port: int, proc, log, timeout: float = 60.0):
    """Wait until a server child listens on `port`; fail with the end of its `log` if it exits
    (a bound on a hang, never a speed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a server exited: {Path(log).read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def _base_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "RSE_FAULT_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    var = Path(tmp_path) / f"var-{uuid.uuid4().hex[:6]}"
    var.mkdir(parents=True)
    env.update(
        {
            "RSE_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "rse.settings",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DEBUG": "1",
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def database_url() -> str:
    """The URL of the test database this process uses (PostgreSQL pass)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def services_env(tmp_path, redis_url: str = "", *, database: str | None = None, **extra) -> dict:
    """A subprocess on the test database (or `database`) and `redis_url`."""
    from django.conf import settings

    return _base_env(
        tmp_path,
        DATABASE_URL=database or database_url(),
        REDIS_URL=redis_url,
        CHANNEL_PREFIX=f"rse-fault-{uuid.uuid4().hex[:8]}",
        SECRET_KEY=settings.SECRET_KEY,
        **extra,
    )


def embedded_env(tmp_path, **extra) -> dict:
    """A subprocess on the embedded default: SQLite file and filesystem broker in its own folder."""
    return _base_env(tmp_path, **extra)


# --- Celery ---------------------------------------------------------------------------------


class CeleryWorker:
    def __init__(self, tmp_path, env: dict, *, pause_at_heartbeat: int | None = None, beat: bool = False):
        self.dir = Path(tmp_path) / f"worker-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir(parents=True)
        self.env = env
        self.pause_at_heartbeat = pause_at_heartbeat
        self.beat = beat
        self.proc = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.dir / "worker.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, *, pause_at_heartbeat="same", beat=None, env=None):
        if pause_at_heartbeat != "same":
            self.pause_at_heartbeat = pause_at_heartbeat
        if beat is not None:
            self.beat = beat
        self.runs += 1
        env = {**self.env, **(env or {}), "RSE_FAULT_DIR": str(self.dir)}
        if self.pause_at_heartbeat:
            env["RSE_FAULT_PAUSE_AT_HEARTBEAT"] = str(self.pause_at_heartbeat)
        argv = [sys.executable, "-m", "rse.lib.testing.worker", "worker", "--pool=solo", "--loglevel=INFO"]
        argv += ["--without-gossip", "--without-mingle", "-n", f"fault{self.runs}-{uuid.uuid4().hex[:6]}@%h"]
        if self.beat:
            argv += ["--beat", "--schedule", str(self.dir / f"beat-{self.runs}")]
        with self.log_path.open("a") as log:
            log.write(f"\n===== start {self.runs}: {' '.join(argv[3:])}\n")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            argv,
            cwd=self.dir,
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: self._ready(), "the Celery worker to be ready", timeout=90)
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"the worker exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
        return " ready." in self.log().rsplit("===== start", 1)[-1]

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def paused(self) -> bool:
        return any(self.dir.glob(f"paused-{self.proc.pid}"))

    def wait_until_paused(self, timeout=60.0):
        wait_until(lambda: self.paused() or (not self.alive and self._died()), "the worker to reach its pause", timeout)

    def _died(self):
        raise AssertionError(f"the worker exited with {self.proc.returncode}:\n{self.log()[-3000:]}")

    def kill(self):
        """SIGKILL, the whole process group: no warm shutdown, no acknowledgement, nothing flushed."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        if not self.alive:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class BrokerOutage:
    """In-process broker outage (first pass, eager Celery): every send fails as kombu fails when
    Redis refuses connections, until `back()`. `attempts` counts the sends tried meanwhile.

        outage = BrokerOutage(monkeypatch).down()
        ...                      # writes: their tasks wait in the outbox
        outage.back()            # and the breaker's pause is over
    """

    def __init__(self, monkeypatch):
        from celery.app.task import Task

        self.monkeypatch = monkeypatch
        self.task_class = Task
        self.real = Task.apply_async
        self.attempts = 0

    def down(self):
        from kombu.exceptions import OperationalError

        def refuse(task, *args, **kwargs):
            self.attempts += 1
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self.monkeypatch.setattr(self.task_class, "apply_async", refuse)
        return self

    def back(self):
        from rse.lib import outbox

        self.monkeypatch.setattr(self.task_class, "apply_async", self.real)
        outbox.broker.reset()
        return self


@contextlib.contextmanager
def use_broker(url: str):
    """This test process sends tasks to a real broker at `url` instead of running them eagerly."""
    from celery import current_app as app

    conf = app.conf
    saved = {
        key: conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager", "broker_transport_options")
    }

    def reset_pools():
        # kombu keeps the pools in global groups: close and forget them all (closing one and
        # keeping it in its group would leave "Acquire on closed pool" to the next test).
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    conf.update(
        broker_url=url,
        broker_write_url=None,
        task_always_eager=False,
        broker_transport_options={"socket_connect_timeout": 1, "socket_timeout": 5},
    )
    try:
        yield
    finally:
        reset_pools()
        conf.update(saved)


# --- An ASGI server ---------------------------------------------------------------------------


class Daphne:
    """A real `daphne` (HTTP + websockets) on a free port, with `env` (services_env…); `request()`
    speaks to it as a browser with a session cookie would (CSRF included for writes)."""

    def __init__(self, tmp_path, env: dict):
        self.dir = Path(tmp_path) / f"daphne-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir(parents=True)
        self.env = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.dir / "daphne.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self):
        argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "rse.asgi:application"]
        log = (self.dir / "daphne.log").open("ab")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_until(self._listening, f"daphne on port {self.port}", timeout=90)
        return self

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"daphne exited:\n{self.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def request(self, path, *, session_key=None, data=None, timeout=30):
        """(status, body) of GET `path`, or of a POST of `data` as JSON."""
        import json
        import urllib.error
        import urllib.request

        from django.conf import settings

        csrf = "c" * 32
        headers = {"Accept": "text/html,application/json", "Referer": self.url + "/", "X-CSRFToken": csrf}
        cookies = [f"{settings.CSRF_COOKIE_NAME}={csrf}"]
        if session_key:
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={session_key}")
        headers["Cookie"] = "; ".join(cookies)
        body = None
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        request = urllib.request.Request(self.url + path, data=body, headers=headers)  # noqa: S310 - a local server
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def session_key(user) -> str:
    """A logged-in session for `user`, in the test database (subprocesses read it from there)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- Redis ----------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test only (no persistence: a restart empties it, as a crash would)."""

    def __init__(self, tmp_path, port: int | None = None):
        if not shutil.which("redis-server"):
            pytest.skip("needs redis-server on the PATH (apt-get install redis-server) for a private Redis")
        self.dir = Path(tmp_path) / f"redis-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir(parents=True)
        self.port = port or free_port()
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_until(self._answers, f"the private Redis on port {self.port}", timeout=30)
        return self

    def _answers(self):
        import redis

        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited: {(self.dir / 'redis.log').read_text()[-2000:]}")
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        """Gone at once (SIGKILL): connected clients see their sockets closed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- PostgreSQL -------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL server of this test only: initdb in a temporary folder, pg_ctl on a free port."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            pytest.skip(
                f"needs PostgreSQL's server programs in {PG_BIN} (apt-get install postgresql-15, or RSE_PG_BIN)"
            )
        self.as_user = None
        if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root without a `postgres` user: create one, or run the tests as another user")
            self.as_user = "postgres"
        self.dir = Path(tempfile.mkdtemp(prefix="rse-pg-"))
        if self.as_user:
            shutil.chown(self.dir, user=self.as_user)
        self.data = self.dir / "data"
        self.port = free_port()

    def _run(self, *argv, check=True):
        command = [str(a) for a in argv]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)  # noqa: S603

    def _options(self):
        return (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )

    def start(self):
        if not self.data.exists():
            self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-o", self._options(), "-w", "start"
        )
        return self

    def stop(self, mode="fast"):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart(self, mode="fast"):
        """`fast`: sessions are terminated (their queries fail at once), then the server comes back."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-m", mode, "-o", self._options(), "-w", "restart")  # fmt: skip

    def url(self, dbname="postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname="postgres"):
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5)

    def clone_from(self, source_url: str, dbname: str) -> str:
        """A copy (schema and rows) of the database at `source_url`, named `dbname`; its URL."""
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        dump = subprocess.run(  # noqa: S603 - fixed argv
            [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", source_url],
            capture_output=True,
            check=True,
            timeout=120,
        )
        load = subprocess.run(  # noqa: S603 - fixed argv
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(dbname)],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
        )
        if load.returncode:
            raise AssertionError(load.stderr.decode(errors="replace")[-2000:])
        return self.url(dbname)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop(mode="immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
