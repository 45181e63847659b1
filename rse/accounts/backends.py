from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from rse.accounts.roles import set_roles_from_flags, with_role_flags
from rse.lib.precompiled import precompiled


@precompiled()
def _user_by_id(*, user_id):
    return with_role_flags(get_user_model()._default_manager.filter(pk=user_id))[:1]


class SessionUserLookup:
    """ModelBackend.get_user (the signed-in user of every request, from the session's id) with
    the user's query precompiled: the same row, the same rule (user_can_authenticate: an inactive
    account is signed out), without compiling the statement on each request. The row comes with
    the user's roles (roles.with_role_flags): has_role() runs no query of its own."""

    def get_user(self, user_id):
        if not isinstance(user_id, int) or not 0 < user_id < 2**63:  # the session holds pk.to_python()
            return super().get_user(user_id)
        rows = _user_by_id(user_id=user_id)
        if not rows:
            return None
        return set_roles_from_flags(rows[0]) if self.user_can_authenticate(rows[0]) else None


class EmailBackend(SessionUserLookup, ModelBackend):
    """Login by e-mail, case-insensitively (the manager's natural key is e-mail iexact)."""
