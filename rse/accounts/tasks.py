from celery import shared_task
from django.core.cache import cache

from rse.accounts.emails import send_email_changed_notice

NOTICE_CLAIM_SECONDS = 7 * 24 * 3600


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60)
def send_email_changed_notice_task(user_id: int, old_email: str, new_email: str) -> bool:
    """E-mail the old address of an account whose e-mail changed. Sent once: the claim (a cache key
    for this change) is taken before sending and given back if sending fails, for the retry."""
    from rse.accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None or not old_email:
        return False
    claim = f"accounts:email-changed:{user_id}:{old_email.lower()}:{new_email.lower()}"
    if not cache.add(claim, 1, NOTICE_CLAIM_SECONDS):
        return False
    try:
        send_email_changed_notice(user, old_email, new_email)
    except Exception as exc:
        cache.delete(claim)
        raise send_email_changed_notice_task.retry(exc=exc) from exc
    return True


@shared_task(name="rse.accounts.purge_login_logs", acks_late=True)
def purge_login_logs_task() -> int:
    """Sign-in logs (django-axes: successes and failures) are kept RSE_LOGIN_LOG_DAYS days, then
    deleted: the failure limits only look at the last minutes, the admin's audit at recent weeks."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.conf import settings

    days = settings.RSE_LOGIN_LOG_DAYS
    return AxesProxyHandler.reset_logs(age_days=days) + AxesProxyHandler.reset_failure_logs(age_days=days)
