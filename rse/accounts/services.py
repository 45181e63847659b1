from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from rse.accounts.events import SESSION_ENDED
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.sessions import session_fingerprint
from rse.lib.events import publish_on_commit, user_group

CHUNK = 1000


@transaction.atomic
def do_grant_role(user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.ADMINISTRATOR and not (user.is_staff and user.is_superuser):
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
    user.__dict__.pop("_rse_roles", None)


@transaction.atomic
def do_revoke_role(user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
    user.__dict__.pop("_rse_roles", None)


def do_set_language(user: User, code: str) -> None:
    if user.language != code:
        user.language = code
        user.save(update_fields=["language", "updated_at"])


# --- Ending sessions ------------------------------------------------------------------------


def end_live_sessions(user_ids, *, reason, session_key=None) -> None:
    """Tell every websocket of these people, after commit, that a session ended: each socket
    re-checks the session it was opened with and closes unless it is still valid (and the
    sockets of `session_key`, a session being logged out, close whatever the store says).
    HTTP needs nothing more: Django re-checks the session on every request."""
    payload = {"reason": reason}
    if session_key:
        payload["session"] = session_fingerprint(session_key)
    groups = [user_group(pk) for pk in dict.fromkeys(user_ids)]
    if groups:
        publish_on_commit(SESSION_ENDED, groups, payload)


@transaction.atomic
def do_deactivate_users(user_ids, *, reason="deactivated") -> int:
    """The one way to deactivate people (HR leavers, full syncs, SCIM): the accounts are kept,
    they can no longer log in, and their open websockets close. Idempotent; returns how many
    accounts were active."""
    ids = list(dict.fromkeys(user_ids))
    now = timezone.now()
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        changed += User.objects.filter(pk__in=chunk, is_active=True).update(is_active=False, updated_at=now)
    # Also for rows a caller already wrote inactive in bulk: their sockets must close all the same.
    end_live_sessions(ids, reason=reason)
    return changed
