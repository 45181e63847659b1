"""Is a login session still good? Asked by long-lived connections (websockets), which are
authenticated once, at the handshake, and must not outlive a logout, a deactivation or a
password change."""

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare


def session_fingerprint(session_key) -> str:
    """Names a session in an event without carrying its key (which is a bearer credential)."""
    return hashlib.sha256(f"rse.session:{session_key}".encode()).hexdigest()[:32]


def signed_in_user(session_key, user_id):
    """The active user `user_id` if session `session_key` still logs them in, else None.

    Django's get_user() rules (same user, active, session hash matching the password), re-read
    from the session store and the database, but without its side effect: get_user() flushes a
    session that fails the check, and a socket racing a password change in its own tab must
    not log that tab out.
    """
    from rse.accounts.models import User

    if not session_key:
        return None
    from rse.accounts.middleware import is_idle

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if str(store.get(SESSION_KEY, "")) != str(user_id):
        return None
    if is_idle(store):
        return None  # a tab left open with its socket is no activity: the idle timeout holds
    user = User.objects.filter(pk=user_id, is_active=True).first()
    session_hash = store.get(HASH_SESSION_KEY) or ""
    if user is None or not session_hash:
        return None
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    if any(constant_time_compare(session_hash, h) for h in user.get_session_auth_fallback_hash()):
        return user
    return None
