"""The only writers of tokens and service accounts: check_* authorises and validates, do_* writes."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from integrations.tokens.models import ApiToken, Scope, ServiceAccount
from rse.accounts.models import User
from rse.accounts.roles import is_administrator
from rse.trail.services import record

TOKEN_PREFIX = "rse_"  # noqa: S105 - a marker, not a secret
SHOWN_CHARS = 12  # "rse_" and 8 random characters: enough to tell tokens apart, useless to guess one
# last_used_at is written at most this often per token: one UPDATE per request would be a write
# on every read of the API.
LAST_USED_EVERY = timedelta(seconds=60)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def check_create_token(actor, *, name, scopes, expires_at=None, service_account=None, via=None) -> User:
    """Validate a token request and return the account the token will belong to. `via`: the token
    the request came with, if any; a token never mints one with more scopes than its own."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    scopes = list(dict.fromkeys(scopes or []))
    unknown = [s for s in scopes if s not in Scope.values]
    if not scopes or unknown:
        raise ValidationError({"scopes": [_("Choose scopes among read, write and scim.")]})
    admin = is_administrator(actor)
    if Scope.SCIM in scopes and not admin:
        raise PermissionDenied(_("Only administrators may grant the scim scope."))
    if via is not None and not set(scopes) <= set(via.scopes):
        raise PermissionDenied(_("A token cannot create a token with more scopes than its own."))
    if service_account is not None and not admin:
        raise PermissionDenied(_("Only administrators create service tokens."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})
    if service_account is not None:
        return service_account.user
    if getattr(actor, "service_account", None) is not None:
        raise PermissionDenied(_("A service account does not create tokens for itself."))
    return actor


@transaction.atomic
def do_create_token(actor, *, name, scopes, expires_at=None, service_account=None, via=None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned here once and never stored."""
    owner = check_create_token(
        actor, name=name, scopes=scopes, expires_at=expires_at, service_account=service_account, via=via
    )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip()[:100],
        token_hash=hash_token(raw),
        prefix=raw[:SHOWN_CHARS],
        scopes=[s for s in Scope.values if s in scopes],
        expires_at=expires_at,
        created_by=actor,
    )
    record("integrations.token_created", actor=actor, obj=token, owner=owner.pk, scopes=token.scopes)
    return token, raw


def check_revoke_token(actor, token: ApiToken) -> None:
    if token.user_id != actor.pk and not is_administrator(actor):
        raise PermissionDenied(_("You may only revoke your own tokens."))


@transaction.atomic
def do_revoke_token(actor, token: ApiToken) -> ApiToken:
    check_revoke_token(actor, token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("integrations.token_revoked", actor=actor, obj=token, owner=token.user_id)
    return token


def check_create_service_account(actor, *, name) -> str:
    if not is_administrator(actor):
        raise PermissionDenied(_("Only administrators manage service accounts."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the service account a name.")]})
    if ServiceAccount.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("A service account with this name exists already.")]})
    return name


@transaction.atomic
def do_create_service_account(actor, *, name, description="") -> ServiceAccount:
    name = check_create_service_account(actor, name=name)
    # A reserved, undeliverable domain (RFC 2606): the account has an e-mail because every account
    # has one, never one that could receive a password reset.
    base = slugify(name)[:60] or "service"
    email, n = f"{base}@service-accounts.invalid", 2
    while User.objects.filter(email__iexact=email).exists():
        email, n = f"{base}-{n}@service-accounts.invalid", n + 1
    user = User.objects.create(email=email, first_name=name[:150], password=make_password(None))
    account = ServiceAccount.objects.create(user=user, name=name, description=description, created_by=actor)
    record("integrations.service_account_created", actor=actor, obj=account)
    return account


def token_for_request(raw: str) -> ApiToken | None:
    """The usable token with this value, its owner loaded, or None. Marks it used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__service_account")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.is_expired or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
