from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement")

    def ready(self):
        from directory.selectors import register_profile_facts
        from engagement import events  # noqa: F401 - registers the event types
        from engagement.exports import EXPORT_JOBS
        from engagement.influence import profile_facts
        from rse.lib import jobs

        jobs.register(EXPORT_JOBS)
        register_profile_facts(profile_facts)
