"""Feed tokens: create, regenerate, revoke (the owner's own, from their feeds page)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from integrations.feeds.models import FeedToken, new_feed_key


@transaction.atomic
def do_regenerate_feed_token(user) -> FeedToken:
    """A new key (a first one, or one replacing the old: every URL holding the old one stops)."""
    token, created = FeedToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        token.key = new_feed_key()
        token.created_at = timezone.now()
        token.last_used_at = None
        token.save(update_fields=["key", "created_at", "last_used_at"])
    return token


@transaction.atomic
def do_revoke_feed_token(user) -> None:
    FeedToken.objects.filter(user=user).delete()


def touch_feed_token(token) -> None:
    """Last use, written at most once an hour (feed readers poll every few minutes)."""
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - timedelta(hours=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
