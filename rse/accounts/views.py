from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from rse.accounts.services import do_set_language


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account when logged in: e-mails, sent with
    no browser to ask, then come in the language the person chose here."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if getattr(request.user, "is_authenticated", False) and code in dict(settings.LANGUAGES):
        do_set_language(request.user, code)
    return response
