from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self):
        from communities import events  # noqa: F401 - registers the event types
        from communities.experts import accepted_answers_source
        from directory.selectors import register_expert_source

        register_expert_source(accepted_answers_source)

        from communities.notifications.jobs import DIGEST_JOBS
        from rse.lib import jobs

        jobs.register(DIGEST_JOBS)
