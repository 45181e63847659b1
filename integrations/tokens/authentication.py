"""DRF authentication: `Authorization: Bearer <token>`, and HTTP Basic limited by a setting.

Scopes are enforced here, where every API request passes, rather than in each view's permissions
(views set their own permission classes and one would forget): read allows the safe methods,
write allows every method, scim only the SCIM endpoints (/scim/), which accept nothing else.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from integrations.tokens.models import ApiToken, Scope
from integrations.tokens.services import token_for_request
from rse.accounts.throttling import ThrottledBasicAuthentication

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SCIM_PREFIX = "/scim/"


def check_token_scope(token: ApiToken, request) -> None:
    """Refuse (403) a request its token's scopes do not cover."""
    if request.path.startswith(SCIM_PREFIX):
        if not token.has_scope(Scope.SCIM):
            raise exceptions.PermissionDenied(_("This token has no scim scope."))
        return
    if request.method in SAFE_METHODS:
        if not (token.has_scope(Scope.READ) or token.has_scope(Scope.WRITE)):
            raise exceptions.PermissionDenied(_("This token has no read scope."))
    elif not token.has_scope(Scope.WRITE):
        raise exceptions.PermissionDenied(_("This token has no write scope: it can only read."))


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: Bearer followed by the token."))
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = token_for_request(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        check_token_scope(token, request)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to an unauthenticated request, with the scheme to use.
        return f'{self.keyword} realm="api"'


class LimitedBasicAuthentication(ThrottledBasicAuthentication):
    """HTTP Basic only where RSE_API_BASIC_AUTH allows it: "off" (default) or "service_accounts".

    Passwords of people never work on the API, so they cannot be guessed through it; a connector
    that cannot send a bearer token may use a service account's password. Failures count
    towards the login limits (ThrottledBasicAuthentication)."""

    def authenticate(self, request):
        mode = settings.RSE_API_BASIC_AUTH
        if mode == "off":
            return None
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if mode == "service_accounts" and not hasattr(user, "service_account"):
            raise exceptions.AuthenticationFailed(_("HTTP Basic is only for service accounts: use an API token."))
        return result

    def authenticate_header(self, request):
        return None if settings.RSE_API_BASIC_AUTH == "off" else super().authenticate_header(request)
