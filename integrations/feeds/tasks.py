from celery import shared_task

from integrations.feeds import incoming


@shared_task(name=incoming.FETCH, acks_late=True)
def fetch_feed(subscription_id):
    return incoming.fetch(subscription_id)


@shared_task(name="integrations.feeds.fetch_due", acks_late=True)
def fetch_due_feeds():
    """Beat, every five minutes: one task per feed that is due (each claims its feed)."""
    ids = list(incoming.due_subscription_ids()[:1000])
    for subscription_id in ids:
        fetch_feed.delay(subscription_id)
    return len(ids)
