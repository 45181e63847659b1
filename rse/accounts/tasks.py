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
