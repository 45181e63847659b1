from django.http import Http404
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from integrations.oidc.provider import oidc_enabled, provider_setting


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider; 404 while OIDC is not configured. The endpoint is read at
    the request (discovery), not when the view is built."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: self.get_settings("OIDC_RP_CLIENT_ID"))

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)
