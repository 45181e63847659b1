import os

from celery import Celery

from rse.lib import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rse.settings")

# The embedded default's broker (settings: `safefs://`), in every process that loads the project.
broker.register()

app = Celery("rse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="rse.ping")
def ping(value="pong"):
    """Round-trip check for the broker (used by the PostgreSQL/Redis test pass)."""
    return value
