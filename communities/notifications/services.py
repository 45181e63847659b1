"""Writes for notifications (STYLE: services are the only writes).

`enqueue_notifications` is the entry point for other services; `do_deliver_notifications`
is the fan-out body run by the Celery task, one batch of recipients at a time.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import events
from communities.models import (
    Comment,
    Community,
    DigestRun,
    Membership,
    Mute,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    Post,
)
from communities.notifications import digest
from communities.permissions import can_read_community, can_see_community
from rse.lib import jobs
from rse.lib.events import publish, user_group
from rse.lib.outbox import enqueue_on_commit
from rse.trail.services import record

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# By default everything goes to the bell, and only direct mentions are e-mailed at once.
DEFAULT_CHANNELS = {kind: NotificationChannel.IN_APP for kind in NotificationKind.values}
DEFAULT_CHANNELS[NotificationKind.MENTION] = NotificationChannel.EMAIL
# Membership administration is not "conversation": muting a community must not hide the
# request of someone who wants to join it, nor an invitation to it.
MUTE_EXEMPT_KINDS = {NotificationKind.JOIN_REQUEST, NotificationKind.JOIN_APPROVED, NotificationKind.INVITATION}
# Kinds whose recipient is not yet a reader of the community: they only need to see it.
SEE_ONLY_KINDS = {NotificationKind.INVITATION}
HOME_FEED_KINDS = {NotificationKind.FOLLOWED_PERSON_POST, NotificationKind.FOLLOWED_ITEM_POST}
NEW_EVENT = events.NOTIFICATIONS_NEW
READ_EVENT = events.NOTIFICATIONS_READ


def enqueue_notifications(kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None):
    """Schedule the fan-out of one notification `kind` to `recipient_ids` (after commit).

    Never blocks the request: it cleans the id list and writes the task into the outbox, in the
    caller's transaction (rse/lib/outbox.py); it is sent after the commit, or later by the outbox
    drain if the broker is down then. The fan-out is idempotent (dedupe keys): sent twice, it
    notifies once.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({int(i) for i in recipient_ids if i is not None and int(i) != (actor_id or 0)})
    if not ids:
        return
    from communities.notifications.tasks import fan_out_notifications_task

    enqueue_on_commit(
        fan_out_notifications_task,
        kind,
        ids,
        actor_id=actor_id,
        post_id=post_id,
        comment_id=comment_id,
        community_id=community_id,
        ref=ref,
    )


def dedupe_key(kind, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None) -> str:
    """Same event, same key: what makes a second run of the fan-out a no-op. `ref` tells apart
    events that can happen again between the same people (a second join request after a refusal:
    the membership row is new each time)."""
    key = f"{kind}:a{actor_id or 0}:c{community_id or 0}:p{post_id or 0}:m{comment_id or 0}"
    return f"{key}:r{ref}" if ref else key


def channels_for(user_ids, kind) -> dict:
    """{user_id: channel} for one kind, defaults filled in, in one query."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "channel")
    )
    default = DEFAULT_CHANNELS[kind]
    return {uid: chosen.get(uid, default) for uid in user_ids}


def preferences_for(user) -> dict:
    """{kind: channel} for every kind, defaults filled in."""
    prefs = dict(DEFAULT_CHANNELS)
    prefs.update(dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel")))
    return prefs


UNREAD_TTL = 300  # seconds: bounds the staleness of a count computed during a concurrent write


def _unread_key(user_id):
    return f"notifications:unread:{user_id}"


def unread_count(user_id, *, read_ahead=()) -> int:
    """The bell's count, on every page: from the cache, counted again after each change.
    `read_ahead`: other cache keys the page reads next, fetched in the same round trip
    (rse/lib/cache.py read_ahead; a cache without it reads them when asked)."""
    if read_ahead and hasattr(cache, "read_ahead"):
        cache.read_ahead([_unread_key(user_id), *read_ahead])
    count = cache.get(_unread_key(user_id))
    if count is None:
        count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
        cache.set(_unread_key(user_id), count, UNREAD_TTL)
    return count


def forget_unread(user_ids):
    """Call once the change is committed (a count taken before would be cached again)."""
    cache.delete_many([_unread_key(uid) for uid in user_ids])


def _load_target(post_id, comment_id, community_id):
    """The live community/post/comment of the event, or None when it is gone (nobody is told)."""
    comment = post = community = None
    if comment_id:
        comment = Comment.objects.alive().filter(pk=comment_id).select_related("post__community").first()
        if comment is None or comment.post.deleted_at:
            return None
        post = comment.post
    elif post_id:
        post = Post.objects.alive().filter(pk=post_id).select_related("community").first()
        if post is None:
            return None
    if post is not None:
        community = post.community
    elif community_id:
        community = Community.objects.alive().filter(pk=community_id).first()
    if community is not None and community.deleted_at:
        return None
    return community, post, comment


def do_deliver_notifications(
    kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None
):
    """Create the notifications of one event for `recipient_ids`, batch by batch.

    Honours each recipient's preference and mutes, re-checks that they may still read the
    community, inserts under the unique dedupe key (a second run inserts nothing), then
    tells the bells and sends the immediate e-mails of the rows this run created.
    Returns the number of notifications created.
    """
    target = _load_target(post_id, comment_id, community_id)
    if target is None:
        return 0
    community, post, comment = target
    key = dedupe_key(
        kind,
        actor_id=actor_id,
        post_id=post.pk if post else None,
        comment_id=comment.pk if comment else None,
        community_id=community.pk if community else None,
        ref=ref,
    )
    ids = sorted({int(i) for i in recipient_ids if int(i) != (actor_id or 0)})
    created = 0
    for start in range(0, len(ids), BATCH_SIZE):
        created += _deliver_batch(kind, ids[start : start + BATCH_SIZE], key, actor_id, community, post, comment)
    return created


def _allowed_recipients(kind, users, community, post):
    if community is None:
        return users
    memberships = {
        m.user_id: m for m in Membership.objects.filter(community=community, user_id__in=[u.pk for u in users])
    }
    check = can_see_community if kind in SEE_ONLY_KINDS else can_read_community
    allowed = [u for u in users if check(u, community, membership=memberships.get(u.pk))]
    if kind in MUTE_EXEMPT_KINDS or not allowed:
        return allowed
    muted = Q(community=community)
    if post is not None:
        muted |= Q(post=post)
    muted_ids = set(Mute.objects.filter(muted, user_id__in=[u.pk for u in allowed]).values_list("user_id", flat=True))
    return [u for u in allowed if u.pk not in muted_ids]


def _deliver_batch(kind, batch_ids, key, actor_id, community, post, comment):
    users = list(get_user_model().objects.filter(pk__in=batch_ids, is_active=True))
    users = _allowed_recipients(kind, users, community, post)
    if not users:
        return 0
    if kind in HOME_FEED_KINDS and post is not None:
        # Their home feed shows this post whatever their notification setting: ring it there.
        publish(
            "communities.post_created",
            [user_group(u.pk) for u in users],
            {"post_id": post.pk, "community_id": post.community_id, "author_id": post.author_id, "kind": post.kind,
             "home": True},
        )  # fmt: skip
    channels = channels_for([u.pk for u in users], kind)
    users = [u for u in users if channels[u.pk] != NotificationChannel.OFF]
    if not users:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(recipient_id__in=[u.pk for u in users], dedupe_key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [u for u in users if u.pk not in already]
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=u,
                    kind=kind,
                    actor_id=actor_id,
                    community=community,
                    post=post,
                    comment=comment,
                    channel=channels[u.pk],
                    dedupe_key=key,
                    created_at=now,
                )
                for u in fresh
            ],
            ignore_conflicts=True,
        )
    if fresh:
        forget_unread([u.pk for u in fresh])
        _announce_unread([u.pk for u in fresh])
    # Not only the fresh rows: a run that crashed between insert and e-mail left rows unsent.
    if any(channels[u.pk] == NotificationChannel.EMAIL for u in users):
        _send_immediate_emails(users, key)
    return len(fresh)


def _announce_unread(user_ids):
    counts = dict(
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    for uid in user_ids:
        # Called after the batch committed: send now, the rows are visible to the web process.
        publish(NEW_EVENT, [user_group(uid)], {"unread": counts.get(uid, 0)})


def _send_immediate_emails(users, key):
    from communities.notifications import emails

    by_user = {u.pk: u for u in users}
    rows = (
        Notification.objects.filter(
            recipient_id__in=list(by_user), dedupe_key=key, channel=NotificationChannel.EMAIL, emailed_at__isnull=True
        )
        .select_related("actor", "community", "post", "comment")
        .order_by("id")
    )
    for notification in rows:
        # Claim the row first: of two concurrent runs, only the one whose UPDATE matched sends.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            emails.send_notification_email(by_user[notification.recipient_id], notification)
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise


def do_send_digest(user_id, *, sections=(), frequency="daily") -> int:
    """E-mail one person the digest notifications not yet sent (nor read). Returns how many
    entries it held. `sections` ([{"title", "entries": [{"title", "url", "excerpt"}]}]) come from
    a digest planner (notifications.digest): the e-mail goes out when they hold something even
    without notifications."""
    from communities.notifications import emails

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    pending = Notification.objects.filter(
        recipient_id=user_id, channel=NotificationChannel.DIGEST, digested_at__isnull=True
    )
    if user is None:
        return 0
    claim = timezone.now()
    # Claim before sending, so a digest task run twice (or overlapping) sends each item once.
    pending.update(digested_at=claim)
    rows = list(
        Notification.objects.filter(recipient_id=user_id, digested_at=claim, read_at__isnull=True)
        .select_related("actor", "community", "post", "comment")
        .order_by("-created_at", "-id")[:100]
    )
    sections = [section for section in sections if section.get("entries")]
    if not rows and not sections:
        return 0
    try:
        extra = {"sections": sections} if sections else {}
        if frequency != "daily":
            extra["frequency"] = frequency
        emails.send_digest_email(user, rows, **extra)
    except Exception:
        # Give the claim back, as the immediate e-mails do: the task's retry sends them then.
        Notification.objects.filter(recipient_id=user_id, digested_at=claim).update(digested_at=None)
        raise
    return len(rows) + sum(len(section["entries"]) for section in sections)


def users_with_pending_digest(before=None):
    """Active people with digest items not yet sent (created up to `before`, when given)."""
    pending = Notification.objects.filter(
        channel=NotificationChannel.DIGEST, digested_at__isnull=True, recipient__is_active=True
    )
    if before is not None:
        pending = pending.filter(created_at__lte=before)
    return pending.values_list("recipient_id", flat=True).distinct().order_by("recipient_id")


DIGEST_BATCH = 100  # people per task: the run is spread over the workers


def do_start_digest_run(day=None) -> DigestRun:
    """Today's run of the digests (one per day: a second call finds it)."""
    run, _created = DigestRun.objects.get_or_create(day=day or timezone.localdate())
    return run


def do_run_digests(run_id) -> int:
    """A run of the day's digests (a job of rse/lib/jobs.py): everyone with items from before the
    run was created is served, in batches; a run re-queued as stalled serves only those left.
    Returns how many people were queued."""
    from communities.notifications.tasks import send_digest_batch_task

    run = jobs.claim(DigestRun, run_id, DigestRun.Status.QUEUED, DigestRun.Status.RUNNING)
    if run is None:
        return 0
    people = list(users_for_daily_digest(before=run.created_at))
    if not people:
        jobs.finish(run, status=DigestRun.Status.DONE, total=run.done, finished_at=timezone.now())
        return 0
    jobs.fenced(run).update(total=run.done + len(people))
    for start in range(0, len(people), DIGEST_BATCH):
        # Not through the outbox: the run itself is the durable record (a lost batch leaves people
        # pending, the run stalls, and beat queues it again for them).
        send_digest_batch_task.delay(run.pk, people[start : start + DIGEST_BATCH])
    return len(people)


def do_send_digest_batch(run_id, user_ids) -> int:
    """Digests of some people of a run, each a heartbeat of the run; the last batch closes it.
    A person whose e-mail fails stays pending for the run's next attempt."""
    run = DigestRun.objects.filter(pk=run_id, status=DigestRun.Status.RUNNING).first()
    if run is None:
        return 0  # cancelled or already complete
    sent = 0
    for user_id in user_ids:
        try:
            sent += bool(do_send_digest(user_id))
        except Exception:
            logger.exception("digest for user %s failed; the run will try again", user_id)
            continue
        DigestRun.objects.filter(pk=run_id).update(done=F("done") + 1, heartbeat_at=timezone.now())
    if next(iter(users_for_daily_digest(before=run.created_at)), None) is None:
        DigestRun.objects.filter(pk=run_id, status=DigestRun.Status.RUNNING).update(
            status=DigestRun.Status.DONE, done=F("total"), finished_at=timezone.now(), heartbeat_at=timezone.now()
        )
    return sent


def users_for_daily_digest(chunk=1000, before=None):
    """Those with pending digest items (created up to `before`, when given), less the people whose
    digest a planner sends (they get these notifications in it, on their own day and hour)."""
    plan = digest.planner()
    batch = []

    def unplanned(ids):
        planned = plan.planned_ids(ids) if plan is not None and ids else set()
        return [uid for uid in ids if uid not in planned]

    for user_id in users_with_pending_digest(before=before).iterator(chunk_size=chunk):
        batch.append(user_id)
        if len(batch) >= chunk:
            yield from unplanned(batch)
            batch = []
    yield from unplanned(batch)


def do_settle_join_request(community_id, requester_id):
    """An animator approved or declined the request: it is done for every animator told of it
    (their notifications of it are read, their bells go down)."""
    pending = Notification.objects.filter(
        kind=NotificationKind.JOIN_REQUEST, community_id=community_id, actor_id=requester_id, read_at__isnull=True
    )
    recipients = list(pending.values_list("recipient_id", flat=True))
    if not recipients:
        return
    pending.update(read_at=timezone.now())

    def after_commit():
        forget_unread(recipients)
        for uid in recipients:
            publish(READ_EVENT, [user_group(uid)], {"unread": unread_count(uid)})

    transaction.on_commit(after_commit)


# --- Reading -----------------------------------------------------------------------------


def _publish_read(user):
    forget_unread([user.pk])  # now, for this request's own answer; again once others can see it

    def after_commit():
        forget_unread([user.pk])
        publish(READ_EVENT, [user_group(user.pk)], {"unread": unread_count(user.pk)})

    transaction.on_commit(after_commit)


@transaction.atomic
def do_mark_read(user, notification_ids) -> int:
    changed = Notification.objects.filter(recipient=user, pk__in=notification_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        _publish_read(user)
    return changed


@transaction.atomic
def do_mark_all_read(user) -> int:
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        _publish_read(user)
    return changed


# --- Preferences and mutes -----------------------------------------------------------------


def check_set_preferences(user, changes: dict) -> dict:
    errors = {}
    clean = {}
    for kind, channel in changes.items():
        if kind not in NotificationKind.values:
            errors[kind] = _("Unknown kind of notification.")
        elif channel not in NotificationChannel.values:
            errors[kind] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(NotificationChannel.values)}
        else:
            clean[kind] = channel
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def do_set_preferences(user, changes: dict) -> dict:
    """Set {kind: channel}; returns the full preferences afterwards."""
    changes = check_set_preferences(user, changes)
    for kind, channel in changes.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    if changes:
        record("notifications.preferences_changed", actor=user, obj=user, changes=changes)
    return preferences_for(user)


def check_mute(user, *, community=None, post=None):
    if (community is None) == (post is None):
        raise ValidationError(_("Mute either a community or a conversation."))
    target_community = community if community is not None else post.community
    if not can_read_community(user, target_community):
        raise ValidationError(_("You cannot mute what you cannot read."))


@transaction.atomic
def do_mute(user, *, community=None, post=None) -> Mute:
    check_mute(user, community=community, post=post)
    lookup = {"community": community} if community is not None else {"post": post}
    mute, created = Mute.objects.get_or_create(user=user, **lookup)
    if created:
        record(
            "notifications.muted",
            actor=user,
            obj=community or post,
            community_id=(community or post.community).pk,
        )
    return mute


@transaction.atomic
def do_unmute(user, mute_id) -> bool:
    deleted, _rows = Mute.objects.filter(user=user, pk=mute_id).delete()
    if deleted:
        record("notifications.unmuted", actor=user, mute_id=mute_id)
    return bool(deleted)


@transaction.atomic
def do_unsubscribe(user, kind) -> None:
    """From an e-mail link: no more e-mails about `kind` (it stays in the bell); "digest" turns
    every digest kind back to in-app."""
    if kind == "digest":
        changed = NotificationPreference.objects.filter(user=user, channel=NotificationChannel.DIGEST).update(
            channel=NotificationChannel.IN_APP
        )
        if digest.planner() is not None:
            digest.planner().stop(user)
        record("notifications.unsubscribed", actor=None, obj=user, kind=kind, changed=changed)
        return
    if kind not in NotificationKind.values:
        raise ValidationError(_("Unknown kind of notification."))
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": NotificationChannel.IN_APP}
    )
    record("notifications.unsubscribed", actor=None, obj=user, kind=kind)


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")
