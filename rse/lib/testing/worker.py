"""`python -m rse.lib.testing.worker worker …`: a Celery worker for fault tests (rse/lib/testing/faults.py).

Same as `celery -A rse worker …`, plus one fault to inject, from the environment:
RSE_FAULT_PAUSE_AT_HEARTBEAT=n with RSE_FAULT_DIR=<dir>: at the n-th `jobs.heartbeat()` of this
process (a job in the middle of its work, its transaction open), write <dir>/paused-<pid> and
sleep, so that the test can kill the worker at that very point.
"""

import os
import sys
import time
from pathlib import Path


def _pause_at_heartbeat(n: int, folder: Path) -> None:
    from rse.lib import jobs

    real = jobs.heartbeat
    calls = {"count": 0}

    def heartbeat(job, done=None):
        real(job, done)
        calls["count"] += 1
        if calls["count"] == n:
            (folder / f"paused-{os.getpid()}").write_text(f"{jobs.kind_for(job).name} {job.pk}")
            time.sleep(3600)

    jobs.heartbeat = heartbeat


def main(argv) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rse.settings")
    import django

    django.setup()
    if os.environ.get("RSE_FAULT_PAUSE_AT_HEARTBEAT"):
        _pause_at_heartbeat(int(os.environ["RSE_FAULT_PAUSE_AT_HEARTBEAT"]), Path(os.environ["RSE_FAULT_DIR"]))
    from rse.celery import app

    app.worker_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
