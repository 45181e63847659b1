from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rse.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from rse.accounts import events, signals  # noqa: F401 - registers the event type and the receivers
        from rse.lib import folding

        folding.register()
