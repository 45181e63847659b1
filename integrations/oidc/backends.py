"""Sign-in with OpenID Connect (mozilla-django-oidc): a person is matched by e-mail, only when the
provider says the address is verified; created at first sign-in when OIDC_CREATE_USER allows it;
never a service account; never an inactive account."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from directory.services import ensure_profile
from integrations.oidc.provider import oidc_enabled, provider_setting
from rse.accounts.models import User
from rse.accounts.roles import Role

logger = logging.getLogger(__name__)


def _verified(claims) -> bool:
    return claims.get("email_verified") in (True, "true", "True")


class OIDCBackend(OIDCAuthenticationBackend):
    # The library reads every endpoint when the backend is built, which Django does for each
    # request of a signed-in person: they are read when a sign-in needs them instead.
    def __init__(self, *args, **kwargs):
        self.UserModel = User

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = property(lambda self: getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None) or None)

    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, ValueError, KeyError) as exc:
            # A provider down or an ID token refused: the sign-in fails with a message, not a 500.
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            return None

    def _verify_jws(self, payload, key):
        """The library checks the signature only: the audience (our client id), the issuer and the
        expiry are checked too."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The provider's algorithm does not match OIDC_RP_SIGN_ALGO.")
        issuer = provider_setting("OIDC_OP_ISSUER")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer or None,
                options={"require": ["exp", "iat", "aud"], "verify_iss": bool(issuer)},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None

    def verify_claims(self, claims):
        return bool(claims.get("email")) and _verified(claims)

    def filter_users_by_claims(self, claims):
        if not claims.get("email") or not _verified(claims):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip(), service_account__isnull=True)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and not user.is_active:
            return None
        return user

    @transaction.atomic
    def create_user(self, claims):
        user = User.objects.create(
            email=claims["email"].strip().lower(),
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            password=make_password(None),
        )
        user.groups.add(Group.objects.get_or_create(name=Role.EMPLOYEE.value)[0])
        ensure_profile(user)
        return user

    def update_user(self, user, claims):
        changed = []
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
            if not getattr(user, field) and claims.get(claim):
                setattr(user, field, str(claims[claim])[:150])
                changed.append(field)
        if changed:
            user.save(update_fields=[*changed, "updated_at"])
        return user
