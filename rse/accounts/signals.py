"""Sessions end for websockets too: logout, deactivation and password change, whatever the path
(our pages, the Django admin, a shell). Connected in AccountsConfig.ready(). Writes that bypass
save() (queryset updates) call services.do_deactivate_users / end_live_sessions themselves."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from rse.accounts.middleware import start_session_clock
from rse.accounts.models import User
from rse.accounts.services import end_live_sessions


@receiver(user_logged_out, dispatch_uid="rse.accounts.end_on_logout")
def end_on_logout(sender, request, user, **kwargs):
    if user is not None and getattr(user, "pk", None):
        session = getattr(request, "session", None)
        end_live_sessions([user.pk], reason="logout", session_key=getattr(session, "session_key", None))


@receiver(user_logged_in, dispatch_uid="rse.accounts.start_session_clock")
def start_clock_on_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        start_session_clock(session)


@receiver(post_save, sender=User, dispatch_uid="rse.accounts.end_on_auth_change")
def end_on_auth_change(sender, instance, created, **kwargs):
    before = getattr(instance, "_auth_state", None)
    instance._auth_state = (instance.__dict__.get("is_active"), instance.__dict__.get("password"))
    if created:
        return
    if before is None:
        # Not loaded from the database (built by hand): judge by what this save holds.
        was_active, old_password = True, None
    else:
        was_active, old_password = before
    if was_active is not False and instance.__dict__.get("is_active") is False:
        end_live_sessions([instance.pk], reason="deactivated")
    elif (old_password is not None and instance.__dict__.get("password") not in (None, old_password)) or (
        old_password is None and getattr(instance, "_password", None) is not None
    ):
        end_live_sessions([instance.pk], reason="password_changed")
