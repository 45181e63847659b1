from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement")

    def ready(self):
        from engagement.exports import EXPORT_JOBS
        from rse.lib import jobs

        jobs.register(EXPORT_JOBS)
