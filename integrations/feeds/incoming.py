"""RSS/Atom in: an animator subscribes a community to external feeds.

The `integrations.feeds.fetch_due` beat task (every few minutes) queues a fetch of each active
feed whose `next_fetch_at` has come; the fetch claims the feed by moving that date (two runs never
fetch it twice), sends a conditional GET (If-None-Match / If-Modified-Since from the last answer),
and on 200 parses with feedparser. Each entry is stored once per feed (unique key: the sha256 of
its id, or of its link when it has none), so a feed read again adds nothing. New entries either
become posts at once (mode "publish", at most RSE_FEED_MAX_POSTS_PER_FETCH per fetch, the rest
queued: less is more) or wait in the queue of the community's Animate space for an animator to
publish or dismiss. A failed fetch doubles the feed's wait (up to a day), reset by a success.

Entry HTML is sanitised (rse.lib.markdown.sanitize_html) for the queue's preview; a post is made
from its text as markdown with every special character escaped, so the post goes through the
same rendering and sanitising as every post, and an entry cannot mention anyone or tag anything.
"""

import calendar
import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import feedparser
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from animation.permissions import check_animate
from communities.services.posts import do_create_post
from communities.text import escape_md
from integrations.feeds.models import FeedEntry, FeedSubscription
from integrations.webhooks import network
from rse.lib.markdown import sanitize_html
from rse.lib.outbox import enqueue_on_commit

logger = logging.getLogger(__name__)

FETCH = "integrations.feeds.fetch"
MAX_BACKOFF = 24 * 3600
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|div)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


# --- Subscriptions ----------------------------------------------------------------------------


def check_subscribe(user, community, url) -> None:
    check_animate(user, community)
    try:
        network.check_url(url, allow_http=True)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    if FeedSubscription.objects.filter(community=community, url=url).exists():
        raise ValidationError({"url": _("This community already follows this feed.")})


@transaction.atomic
def do_subscribe(user, community, *, url, mode=FeedSubscription.Mode.QUEUE) -> FeedSubscription:
    check_subscribe(user, community, url)
    subscription = FeedSubscription.objects.create(community=community, url=url, mode=mode, created_by=user)
    enqueue_on_commit(FETCH, subscription.pk)
    return subscription


@transaction.atomic
def do_update_subscription(user, subscription, *, mode=None, is_active=None) -> FeedSubscription:
    check_animate(user, subscription.community)
    fields = []
    if mode is not None:
        subscription.mode, fields = mode, [*fields, "mode"]
    if is_active is not None:
        subscription.is_active, fields = is_active, [*fields, "is_active"]
        if is_active:
            subscription.failures, subscription.next_fetch_at = 0, timezone.now()
            fields += ["failures", "next_fetch_at"]
    subscription.save(update_fields=fields)
    return subscription


@transaction.atomic
def do_unsubscribe(user, subscription) -> None:
    check_animate(user, subscription.community)
    subscription.delete()


@transaction.atomic
def do_fetch_now(user, subscription) -> None:
    check_animate(user, subscription.community)
    FeedSubscription.objects.filter(pk=subscription.pk).update(next_fetch_at=timezone.now())
    enqueue_on_commit(FETCH, subscription.pk)


# --- Entries ----------------------------------------------------------------------------------


def _text_paragraphs(html: str) -> list[str]:
    text = _TAG.sub("", _BLOCK_END.sub("\n\n", html))
    return [" ".join(unescape(p).split()) for p in text.split("\n\n") if p.strip()]


def entry_markdown(entry: FeedEntry) -> str:
    paragraphs = [escape_md(p) for p in _text_paragraphs(entry.summary_html)]
    body = "\n\n".join(paragraphs)[:5000]
    if entry.link:
        label = escape_md(_("Read the original"))
        body += f"\n\n[{label}]({entry.link.replace(')', '%29').replace(' ', '%20')})"
    return body.strip()


def _publish(entry: FeedEntry, author) -> None:
    subscription = entry.subscription
    post = do_create_post(
        author, subscription.community, title=(entry.title or subscription.title or _("From a feed"))[:200],
        body_md=entry_markdown(entry) or escape_md(entry.title),
    )  # fmt: skip
    entry.post, entry.status = post, FeedEntry.Status.PUBLISHED
    entry.save(update_fields=["post", "status"])


@transaction.atomic
def do_publish_entry(user, entry) -> FeedEntry:
    check_animate(user, entry.subscription.community)
    entry = FeedEntry.objects.select_for_update().select_related("subscription__community").get(pk=entry.pk)
    if entry.status != FeedEntry.Status.QUEUED:
        raise ValidationError(_("This entry was already handled."))
    _publish(entry, user)
    return entry


@transaction.atomic
def do_dismiss_entry(user, entry) -> FeedEntry:
    check_animate(user, entry.subscription.community)
    FeedEntry.objects.filter(pk=entry.pk, status=FeedEntry.Status.QUEUED).update(status=FeedEntry.Status.DISMISSED)
    entry.refresh_from_db()
    return entry


def entry_of_community(community, entry_id) -> FeedEntry:
    """For views that already checked the animator (access_animated_community)."""
    return get_object_or_404(
        FeedEntry.objects.select_related("subscription__community"), pk=entry_id, subscription__community=community
    )


# --- Fetching ---------------------------------------------------------------------------------


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _when(parsed_entry):
    stamp = parsed_entry.get("published_parsed") or parsed_entry.get("updated_parsed")
    if not stamp:
        return None
    return datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC)


def _html_of(parsed_entry) -> str:
    contents = parsed_entry.get("content") or []
    html = contents[0].get("value", "") if contents else ""
    return sanitize_html(html or parsed_entry.get("summary", "") or "")


def store_entries(subscription, parsed) -> list[FeedEntry]:
    """The entries of `parsed` not seen before, stored (oldest first); duplicates are skipped."""
    new = []
    # Oldest first (feeds usually list the newest first; dated entries sorted by their date).
    items = list(reversed(parsed.entries[:200]))
    items.sort(key=lambda e: _when(e) or datetime.min.replace(tzinfo=UTC))
    for item in items:
        entry_id = (item.get("id") or item.get("link") or item.get("title") or "").strip()
        if not entry_id:
            continue
        key = _key(entry_id)
        if FeedEntry.objects.filter(subscription=subscription, key=key).exists():
            continue
        try:
            with transaction.atomic():
                new.append(
                    FeedEntry.objects.create(
                        subscription=subscription,
                        key=key,
                        entry_id=entry_id[:500],
                        title=" ".join(unescape(_TAG.sub("", item.get("title", ""))).split())[:200],
                        link=(item.get("link") or "")[:500]
                        if (item.get("link") or "").startswith(("http://", "https://"))
                        else "",
                        summary_html=_html_of(item),
                        published_at=_when(item),
                    )  # fmt: skip
                )
        except IntegrityError:  # stored meanwhile by another run
            continue
    return new


def _backoff(subscription, now, error: str) -> None:
    failures = subscription.failures + 1
    wait = min(settings.RSE_FEED_FETCH_EVERY * 2**failures, MAX_BACKOFF)
    FeedSubscription.objects.filter(pk=subscription.pk).update(
        failures=failures, last_error=error[:300], last_fetched_at=now, next_fetch_at=now + timedelta(seconds=wait)
    )


def fetch(subscription_id: int) -> int:
    """Fetch one feed if it is due; returns how many new entries it had."""
    now = timezone.now()
    claimed = FeedSubscription.objects.filter(pk=subscription_id, is_active=True, next_fetch_at__lte=now).update(
        next_fetch_at=now + timedelta(seconds=settings.RSE_FEED_FETCH_EVERY)
    )
    if not claimed:
        return 0
    subscription = FeedSubscription.objects.select_related("community", "created_by").get(pk=subscription_id)
    headers = {"accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
    if subscription.etag:
        headers["if-none-match"] = subscription.etag
    if subscription.last_modified:
        headers["if-modified-since"] = subscription.last_modified
    try:
        response = network.get(
            subscription.url, headers, timeout=settings.RSE_FEED_TIMEOUT, max_bytes=settings.RSE_FEED_MAX_BYTES
        )
    except ValidationError as exc:
        _backoff(subscription, now, " ".join(exc.messages))
        return 0
    except Exception as exc:  # unreachable, timeout, too large: try again later
        _backoff(subscription, now, f"{type(exc).__name__}: {exc}")
        return 0
    if response.status == 304:
        FeedSubscription.objects.filter(pk=subscription.pk).update(
            failures=0, last_error="", last_fetched_at=now, last_status=304
        )
        return 0
    if response.status != 200:
        _backoff(subscription, now, _("HTTP status %(code)s") % {"code": response.status})
        return 0
    parsed = feedparser.parse(
        response.body, response_headers={"content-type": response.headers.get("content-type", "")}
    )
    if parsed.bozo and not parsed.entries:
        _backoff(subscription, now, _("Not an RSS or Atom feed."))
        return 0
    new = store_entries(subscription, parsed)
    FeedSubscription.objects.filter(pk=subscription.pk).update(
        failures=0, last_error="", last_fetched_at=now, last_status=200,
        etag=(response.headers.get("etag") or "")[:300], last_modified=(response.headers.get("last-modified") or "")[:100],
        title=subscription.title or " ".join((parsed.feed.get("title") or "").split())[:200],
    )  # fmt: skip
    if subscription.mode == FeedSubscription.Mode.PUBLISH:
        _publish_new(subscription, new)
    return len(new)


def _publish_new(subscription, entries) -> None:
    for entry in entries[-settings.RSE_FEED_MAX_POSTS_PER_FETCH :]:
        entry.subscription = subscription
        try:
            with transaction.atomic():
                _publish(entry, subscription.created_by)
        except (PermissionDenied, ValidationError) as exc:
            # The animator who subscribed may no longer post here: the entries wait in the queue.
            FeedSubscription.objects.filter(pk=subscription.pk).update(
                last_error=" ".join(getattr(exc, "messages", None) or [str(exc)])[:300]
            )
            return


def due_subscription_ids():
    return FeedSubscription.objects.filter(is_active=True, next_fetch_at__lte=timezone.now()).values_list(
        "id", flat=True
    )
