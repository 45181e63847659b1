"""`make run`: the ASGI server and the Celery worker (with beat) in one command.

A child that exits on its own is restarted after a pause that doubles on each quick crash (1 s,
2 s, 4 s … 30 s; back to 1 s once it stayed up a minute), with a line on stderr each time; the
others keep running, so a crashed worker no longer takes the web server down with it.
Ctrl-C (or SIGTERM) stops everything. Each child runs in its own process group so that the
whole tree (Django's autoreloader spawns a second process) is stopped, however this script was
started. On the embedded default Celery uses a filesystem broker (var/celery-broker, see
rse/lib/broker.py), so nothing but Python is needed.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BACKOFF = (1, 2, 4, 8, 16, 30)  # seconds before restarting a child that crashed again
STABLE_AFTER = 60  # seconds up after which a crash counts as the first one again
stopping = False


def _stop(signum, frame):
    global stopping
    stopping = True


def _default_signals():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def log(message):
    print(f"[dev {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)  # noqa: T201


def _start(command):
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_default_signals)  # noqa: S603, PLW1509


def supervise(commands, *, backoff=BACKOFF, stable_after=STABLE_AFTER, poll=0.3) -> None:
    """Run every command, restart the ones that exit, until SIGINT/SIGTERM; then stop them all."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    procs = {name: _start(cmd) for name, cmd in commands.items()}
    started = dict.fromkeys(commands, time.monotonic())
    crashes = dict.fromkeys(commands, 0)
    restart_at = {}
    while not stopping:
        now = time.monotonic()
        for name, proc in procs.items():
            if proc is None:
                if now >= restart_at[name]:
                    log(f"restarting {name}")
                    procs[name], started[name] = _start(commands[name]), now
                continue
            code = proc.poll()
            if code is None:
                continue
            _signal_group(proc, signal.SIGTERM)  # what it left behind (the autoreloader's child)
            if now - started[name] >= stable_after:
                crashes[name] = 0
            delay = backoff[min(crashes[name], len(backoff) - 1)]
            crashes[name] += 1
            log(f"{name} exited with code {code}; restarting it in {delay} s (crash {crashes[name]})")
            procs[name], restart_at[name] = None, now + delay
        time.sleep(poll)
    running = [proc for proc in procs.values() if proc is not None]
    for proc in running:
        _signal_group(proc, signal.SIGINT)  # Celery: warm shutdown; runserver: clean exit
    deadline = time.monotonic() + 10
    for proc in running:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        _signal_group(proc, signal.SIGTERM)  # the autoreloader's child, if it outlived its parent


def main() -> int:
    os.chdir(ROOT)
    addr = os.environ.get("RSE_ADDR", "127.0.0.1:8000")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", addr],
        "jobs": [str(BIN / "celery"), "-A", "rse", "worker", "-B", "--pool=solo", "--loglevel=INFO",
                 "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
    }  # fmt: skip
    print(f"RSE is starting on http://{addr}/ — Ctrl-C stops the server and the background jobs.")  # noqa: T201
    supervise(commands)
    print("RSE stopped.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
