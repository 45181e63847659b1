"""`make run`: the ASGI server and the Celery worker (with beat) in one command.

Ctrl-C stops both. On the embedded default Celery uses kombu's filesystem transport
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


def main() -> int:
    os.chdir(ROOT)
    addr = os.environ.get("RSE_ADDR", "127.0.0.1:8000")
    procs = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", addr]),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [
                str(BIN / "celery"),
                "-A",
                "rse",
                "worker",
                "-B",
                "--pool=solo",
                "--loglevel=INFO",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ]
        ),  # fmt: skip
    ]
    print(f"RSE is starting on http://{addr}/ — Ctrl-C stops the server and the background jobs.")  # noqa: T201
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())
