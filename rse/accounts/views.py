from django.conf import settings
from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from rse.accounts.forms import EmailAuthenticationForm
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


class LoginView(auth_views.LoginView):
    """Django's login page, which also offers single sign-on when OpenID Connect is configured
    (OIDC_RP_CLIENT_ID) and hides the password form when PASSWORD_LOGIN is off."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = bool(settings.OIDC_RP_CLIENT_ID)
        context["sso_name"] = settings.OIDC_PROVIDER_NAME
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        context["password_login"] = settings.RSE_PASSWORD_LOGIN
        return context
