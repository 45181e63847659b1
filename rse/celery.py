import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rse.settings")

app = Celery("rse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="rse.ping")
def ping(value="pong"):
    """Round-trip check for the broker (used by the PostgreSQL/Redis test pass)."""
    return value
