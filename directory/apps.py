from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from directory import events  # noqa: F401 - registers the event types
        from directory.imports import IMPORT_JOBS
        from rse.lib import jobs

        jobs.register(IMPORT_JOBS)
