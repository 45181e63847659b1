"""`make run`: the ASGI server and the Celery worker (with beat) in one command.

Ctrl-C (or SIGTERM) stops both. Each child runs in its own process group so that the
whole tree (Django's autoreloader spawns a second process) is stopped, however this
script was started. On the embedded default Celery uses kombu's filesystem transport
(var/celery-broker), so nothing but Python is needed.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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


def main() -> int:
    os.chdir(ROOT)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    addr = os.environ.get("RSE_ADDR", "127.0.0.1:8000")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", addr],
        "jobs": [str(BIN / "celery"), "-A", "rse", "worker", "-B", "--pool=solo", "--loglevel=INFO",
                 "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
    }  # fmt: skip
    procs = {
        name: subprocess.Popen(cmd, start_new_session=True, preexec_fn=_default_signals)  # noqa: S603, PLW1509
        for name, cmd in commands.items()
    }
    print(f"RSE is starting on http://{addr}/ — Ctrl-C stops the server and the background jobs.")  # noqa: T201
    while not stopping and all(p.poll() is None for p in procs.values()):
        time.sleep(0.3)
    for proc in procs.values():
        _signal_group(proc, signal.SIGINT)  # Celery: warm shutdown; runserver: clean exit
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        _signal_group(proc, signal.SIGTERM)  # the autoreloader's child, if it outlived its parent
    print("RSE stopped.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
