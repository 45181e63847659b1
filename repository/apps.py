from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepositoryConfig(AppConfig):
    name = "repository"
    verbose_name = _("Business repository")

    def ready(self):
        from repository import events  # noqa: F401 - registers the event types
        from repository.imports import IMPORT_JOBS
        from rse.lib import jobs

        jobs.register(IMPORT_JOBS)
