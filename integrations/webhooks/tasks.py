import logging

from celery import shared_task

from integrations.webhooks import services

logger = logging.getLogger(__name__)


@shared_task(name=services.DISPATCH, acks_late=True)
def dispatch_webhook_event(event_type, payload, message_id):
    return services.dispatch(event_type, payload, message_id)


@shared_task(name=services.DELIVER, acks_late=True)
def deliver_webhook(delivery_id, number):
    delay = services.attempt(delivery_id, number)
    if delay is not None:
        try:
            deliver_webhook.apply_async((delivery_id, number + 1), countdown=delay)
        except Exception:  # the beat's sweep queues it once it is due
            logger.warning("could not queue attempt %s of webhook delivery %s", number + 1, delivery_id, exc_info=True)


@shared_task(name="integrations.webhooks.retry_due", acks_late=True)
def retry_due_webhooks():
    """Beat, every minute: attempts whose countdown task was lost."""
    sent = 0
    for delivery_id, attempts in services.due_deliveries().values_list("id", "attempts")[:500]:
        deliver_webhook.apply_async((delivery_id, attempts + 1))
        sent += 1
    return sent


@shared_task(name="integrations.webhooks.purge_old", acks_late=True)
def purge_old_webhook_deliveries():
    """Beat, daily: the delivery log keeps RSE_WEBHOOK_KEEP_DAYS days (pending ones stay)."""
    return services.purge_old_deliveries()
