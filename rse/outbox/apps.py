from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "rse.outbox"
    label = "outbox"
    verbose_name = _("Outbox of background tasks")

    def ready(self):
        from celery.signals import task_success

        from rse.lib import outbox

        # A task sent from the outbox is done: its row goes (dispatch_uid: connected once).
        task_success.connect(outbox.task_succeeded, dispatch_uid="rse.outbox.task_succeeded", weak=False)
