"""Posts of every kind, and what people do to a post: edit, delete, pin, highlight, share,
bookmark, acknowledge, vote, RSVP."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions as perms
from communities.hooks import content_held, guard_content, moderated
from communities.models import (
    Acknowledgement,
    Bookmark,
    Community,
    EventDetails,
    Membership,
    Mention,
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Post,
    PostRevision,
    Rsvp,
)  # fmt: skip
from communities.notify import notify_on_commit
from communities.services.common import (
    check_text,
    check_uploads,
    count_visible,
    get_or_create_tags,
    readers_among,
    save_attachments,
)
from communities.text import process
from rse.lib.events import community_group, home_group, item_group, post_group, publish_on_commit
from rse.trail.services import record

__all__ = [
    "cannot_post_reason", "check_create_post", "do_create_post", "do_edit_post", "do_delete_post", "do_pin_post",
    "do_highlight_post", "do_share_post", "do_toggle_bookmark", "do_acknowledge", "do_vote", "do_rsvp",
    "store_mentions",
]  # fmt: skip

K = Post.Kind
MAX_POLL_OPTIONS = 10


TITLED_KINDS = (K.QUESTION, K.POLL, K.EVENT, K.ANNOUNCEMENT)


def _clean_options(options):
    labels, seen = [], set()
    for raw in options or ():
        label = str(raw).strip()[:200]
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            labels.append(label)
    return labels


def cannot_post_reason(user, community, membership) -> str:
    if community.archived_at:
        return _("This community is archived: read-only.")
    if perms.is_suspended(user, community, membership):
        return _("You are suspended from this community until %(date)s.") % {
            "date": timezone.localtime(membership.suspended_until).strftime("%Y-%m-%d %H:%M")
        }
    return _("Join the community to post in it.")


def check_create_post(
    author, community, *, kind=K.DISCUSSION, title="", body_md="", requires_ack=False,
    poll_options=(), poll_closes_at=None, event_starts_at=None, event_ends_at=None, files=(), shared_from=None,
):  # fmt: skip
    membership = perms.get_membership(author, community)
    if not perms.can_read_community(author, community, membership):
        raise PermissionDenied(_("You cannot see this community."))
    if not perms.can_post(author, community, membership):
        raise PermissionDenied(cannot_post_reason(author, community, membership))
    if kind not in K.values:
        raise ValidationError({"kind": _("Unknown type of post.")})
    if kind == K.ANNOUNCEMENT and not perms.can_announce(author, community, membership):
        raise PermissionDenied(_("Only animators and internal communications publish announcements."))
    if requires_ack and kind != K.ANNOUNCEMENT:
        raise ValidationError({"requires_ack": _("Only announcements ask for an acknowledgement.")})
    if len(title or "") > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    if kind in TITLED_KINDS and not (title or "").strip():
        raise ValidationError({"title": _("Give it a title.")})
    check_text(body_md, required=kind == K.DISCUSSION and not shared_from and not (title or "").strip())
    now = timezone.now()
    if kind == K.POLL:
        labels = _clean_options(poll_options)
        if not 2 <= len(labels) <= MAX_POLL_OPTIONS:
            raise ValidationError({"poll_options": _("A poll needs between 2 and 10 different options.")})
        if poll_closes_at and poll_closes_at <= now:
            raise ValidationError({"poll_closes_at": _("The closing date must be in the future.")})
    if kind == K.EVENT:
        if not event_starts_at:
            raise ValidationError({"event_starts_at": _("When does it start?")})
        if event_ends_at and event_ends_at < event_starts_at:
            raise ValidationError({"event_ends_at": _("The end must come after the start.")})
    check_uploads(files)


def store_mentions(post, processed_users, *, comment=None, author) -> list[int]:
    """Mention rows and recipients, only for people who may read the community: a mention of
    anyone else is ignored (no row, no notification, nothing revealed)."""
    ids = [u.pk for u in processed_users if u.pk != author.pk]
    readers = readers_among(ids, post.community)
    existing = set(
        Mention.objects.filter(post=post, comment=comment, user_id__in=readers).values_list("user_id", flat=True)
    )
    new = [uid for uid in readers if uid not in existing]
    Mention.objects.bulk_create([Mention(user_id=uid, post=post, comment=comment) for uid in new])
    return new


def _followers(post, exclude):
    from directory.models import Follow
    from repository.models import ItemFollow

    people = set(Follow.objects.filter(followed_id=post.author_id).values_list("follower_id", flat=True))
    items = (
        set(ItemFollow.objects.filter(item__in=post.items.all()).values_list("user_id", flat=True))
        if post.items.exists()
        else set()
    )
    people = set(readers_among(people - exclude, post.community))
    items = set(readers_among(items - exclude - people, post.community))
    return people, items


@transaction.atomic
def do_create_post(
    author, community, *, kind=K.DISCUSSION, title="", body_md="", requires_ack=False,
    poll_options=(), poll_multiple=False, poll_closes_at=None,
    event_starts_at=None, event_ends_at=None, event_place="", files=(), shared_from=None,
) -> Post:  # fmt: skip
    check_create_post(
        author, community, kind=kind, title=title, body_md=body_md, requires_ack=requires_ack,
        poll_options=poll_options, poll_closes_at=poll_closes_at, event_starts_at=event_starts_at,
        event_ends_at=event_ends_at, files=files, shared_from=shared_from,
    )  # fmt: skip
    holds = guard_content(author, community, f"{title or ''}\n{body_md or ''}")
    processed = process(body_md, author=author)
    now = timezone.now()
    post = Post.objects.create(
        hidden_at=now if holds else None,
        community=community,
        author=author,
        kind=kind,
        title=(title or "").strip(),
        body_md=body_md or "",
        body_html=processed.html,
        body_text=processed.text,
        requires_ack=bool(requires_ack),
        shared_from=shared_from,
        created_at=now,
        last_activity_at=now,
    )
    if processed.items:
        post.items.set(processed.items)
    if processed.tags:
        post.hashtags.set(get_or_create_tags(processed.tags))
    if kind == K.POLL:
        Poll.objects.create(post=post, multiple=bool(poll_multiple), closes_at=poll_closes_at)
        PollOption.objects.bulk_create(
            [PollOption(post=post, label=label, position=i) for i, label in enumerate(_clean_options(poll_options))]
        )
    if kind == K.EVENT:
        EventDetails.objects.create(
            post=post, starts_at=event_starts_at, ends_at=event_ends_at, place=(event_place or "")[:200]
        )
    save_attachments(check_uploads(files), user=author, post=post)
    # Held for review: not counted until an animator keeps it (count_visible).
    Community.objects.filter(pk=community.pk).update(
        posts_count=F("posts_count") + (0 if holds else 1), last_activity_at=now
    )

    record(
        "communities.post_created", actor=author, obj=post, community_id=community.pk,
        kind=kind, shared_from=shared_from.pk if shared_from else None,
    )  # fmt: skip
    if holds:  # waits for an animator: no event, no notification until then
        content_held(holds, post)
        return post
    # Item pages hear of every new conversation about their items. An item's group is open to
    # anyone who sees the item, so an event from a private or secret community is marked
    # members_only and each socket checks that its user may read that community before passing
    # it on (consumers.RealtimeConsumer.rse_event).
    item_ids = sorted(i.pk for i in processed.items)
    # Home pages hear of announcements everyone may read (they are in everyone's home feed);
    # of posts by people and about items one follows through the user's own group, from the
    # notification fan-out, which already knows who those readers are.
    home = [home_group()] if kind == K.ANNOUNCEMENT and perms.is_readable_by_every_employee(community) else []
    publish_on_commit(
        "communities.post_created",
        [community_group(community.pk), post_group(post.pk), *(item_group(i) for i in item_ids), *home],
        {
            "post_id": post.pk, "community_id": community.pk, "author_id": author.pk, "kind": kind,
            "item_ids": item_ids, "members_only": not perms.is_readable_by_every_employee(community),
        },
    )  # fmt: skip
    mentioned = store_mentions(post, processed.mentioned, author=author)
    notify_on_commit("mention", mentioned, actor_id=author.pk, post_id=post.pk, community_id=community.pk)
    people, item_followers = _followers(post, exclude={author.pk, *mentioned})
    notify_on_commit("followed_person_post", people, actor_id=author.pk, post_id=post.pk, community_id=community.pk)
    notify_on_commit(
        "followed_item_post", item_followers, actor_id=author.pk, post_id=post.pk, community_id=community.pk
    )
    if kind == K.ANNOUNCEMENT and requires_ack:
        members = community.memberships.filter(status=Membership.Status.ACTIVE).values_list("user_id", flat=True)
        notify_on_commit(
            "announcement", readers_among(members, community), actor_id=author.pk, post_id=post.pk,
            community_id=community.pk,
        )  # fmt: skip
    return post


@transaction.atomic
def do_edit_post(user, post, *, title=None, body_md=None) -> Post:
    post = Post.objects.select_for_update().select_related("community").get(pk=post.pk)
    if not perms.can_edit_content(user, post):
        raise PermissionDenied(_("Only the author can edit this post."))
    new_title = post.title if title is None else title.strip()
    new_body = post.body_md if body_md is None else body_md
    if len(new_title) > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    if post.kind in TITLED_KINDS and not new_title:  # the same rule as when it was written
        raise ValidationError({"title": _("Give it a title.")})
    check_text(new_body, required=not new_title and not post.shared_from_id)
    if new_title == post.title and new_body == post.body_md:
        return post
    PostRevision.objects.create(
        post=post, editor=user, title=post.title, body_md=post.body_md, body_html=post.body_html
    )
    processed = process(new_body, author=user)
    post.title, post.body_md, post.body_html, post.edited_at = new_title, new_body, processed.html, timezone.now()
    post.body_text = processed.text
    post.save(update_fields=["title", "body_md", "body_html", "body_text", "edited_at", "updated_at"])
    post.items.set(processed.items)
    post.hashtags.set(get_or_create_tags(processed.tags))
    record("communities.post_edited", actor=user, obj=post, community_id=post.community_id)
    publish_on_commit(
        "communities.post_edited", [community_group(post.community_id), post_group(post.pk)],
        {"post_id": post.pk, "community_id": post.community_id},
    )  # fmt: skip
    mentioned = store_mentions(post, processed.mentioned, author=user)
    notify_on_commit("mention", mentioned, actor_id=user.pk, post_id=post.pk, community_id=post.community_id)
    return post


@transaction.atomic
def do_delete_post(user, post):
    post = Post.objects.select_for_update().select_related("community").get(pk=post.pk)
    if not perms.can_delete_content(user, post, post.community):
        raise PermissionDenied(_("Only the author or an animator can delete this post."))
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at", "updated_at"])
    if post.hidden_at is None:  # a hidden post was counted out when it was hidden
        count_visible(post, -1)
    record(
        "communities.post_deleted", actor=user, obj=post, community_id=post.community_id,
        by_moderator=user.pk != post.author_id,
    )  # fmt: skip
    if user.pk != post.author_id:
        moderated(user, post.community_id, "delete", "post", post.pk, post)
    publish_on_commit(
        "communities.post_deleted", [community_group(post.community_id), post_group(post.pk)],
        {"post_id": post.pk, "community_id": post.community_id},
    )  # fmt: skip


def _moderated_toggle(user, post, field, verb, value):
    post = Post.objects.select_for_update().select_related("community").get(pk=post.pk)
    if post.deleted_at or not perms.can_moderate(user, post.community):
        raise PermissionDenied(_("Only animators and owners can do that."))
    setattr(post, field, timezone.now() if value else None)
    post.save(update_fields=[field, "updated_at"])
    record(verb if value else f"{verb}_removed", actor=user, obj=post, community_id=post.community_id)
    action = verb.rpartition("_")[2] if value else f"un{verb.rpartition('_')[2]}"  # pinned / unpinned …
    moderated(user, post.community_id, action, "post", post.pk, post)
    publish_on_commit(
        verb, [community_group(post.community_id), post_group(post.pk)],
        {"post_id": post.pk, "community_id": post.community_id, "on": bool(value)},
    )  # fmt: skip
    return post


@transaction.atomic
def do_pin_post(user, post, pinned=True) -> Post:
    return _moderated_toggle(user, post, "pinned_at", "communities.post_pinned", pinned)


@transaction.atomic
def do_highlight_post(user, post, highlighted=True) -> Post:
    """The animators' selection shown in Essentials."""
    return _moderated_toggle(user, post, "highlighted_at", "communities.post_highlighted", highlighted)


@transaction.atomic
def do_share_post(user, post, target, *, body_md="") -> Post:
    """Share into another community: a new post pointing at the original (one conversation, a
    link back, never a copy of the body)."""
    original = post.shared_from if post.shared_from_id else post
    if original.deleted_at or not perms.can_read_community(user, original.community):
        raise PermissionDenied(_("You cannot share this post."))
    if target.pk == original.community_id:
        raise ValidationError({"community": _("The post is already in this community.")})
    shared = do_create_post(user, target, kind=K.DISCUSSION, body_md=body_md, shared_from=original)
    record("communities.post_shared", actor=user, obj=original, community_id=target.pk, share_id=shared.pk)
    return shared


@transaction.atomic
def do_toggle_bookmark(user, post) -> bool:
    if not perms.can_read_community(user, post.community):
        raise PermissionDenied(_("You cannot see this post."))
    deleted, _rows = Bookmark.objects.filter(user=user, post=post).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(user=user, post=post)
    record("communities.bookmarked", actor=user, obj=post, community_id=post.community_id)
    return True


@transaction.atomic
def do_acknowledge(user, post) -> bool:
    if not post.requires_ack or post.deleted_at:
        raise ValidationError(_("This post does not ask for an acknowledgement."))
    if not perms.can_read_community(user, post.community):
        raise PermissionDenied(_("You cannot see this post."))
    try:
        with transaction.atomic():
            Acknowledgement.objects.create(user=user, post=post)
    except IntegrityError:
        return False  # already read: acknowledging twice counts once
    Post.objects.filter(pk=post.pk).update(acks_count=F("acks_count") + 1)
    record("communities.acknowledged", actor=user, obj=post, community_id=post.community_id)
    publish_on_commit("communities.acknowledged", [post_group(post.pk)], {"post_id": post.pk, "user_id": user.pk})
    return True


@transaction.atomic
def do_vote(user, post, option_ids) -> PollBallot:
    """One ballot per person (unique constraint); voting again replaces the choices."""
    if post.kind != K.POLL or post.deleted_at:
        raise ValidationError(_("This post is not a poll."))
    poll = Poll.objects.select_for_update().get(post=post)
    if not perms.can_react(user, post.community):
        raise PermissionDenied(_("Join the community to vote."))
    if poll.is_closed:
        raise ValidationError(_("This poll is closed."))
    try:
        wanted = {int(i) for i in option_ids or ()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"options": _("Unknown option.")}) from exc
    if any(not 0 < i < 2**63 for i in wanted):  # beyond a database id: SQLite would overflow
        raise ValidationError({"options": _("Unknown option.")})
    valid = set(PollOption.objects.filter(post=post, pk__in=wanted).values_list("pk", flat=True))
    if not wanted or valid != wanted:
        raise ValidationError({"options": _("Choose at least one of the options.")})
    if not poll.multiple and len(wanted) > 1:
        raise ValidationError({"options": _("Only one answer is allowed in this poll.")})
    ballot = PollBallot.objects.filter(post=post, user=user).first()
    if ballot is None:
        ballot = PollBallot.objects.create(post=post, user=user)
        Poll.objects.filter(pk=poll.pk).update(voters_count=F("voters_count") + 1)
    else:
        old = list(ballot.choices.values_list("option_id", flat=True))
        PollOption.objects.filter(pk__in=old).update(votes_count=F("votes_count") - 1)
        ballot.choices.all().delete()
    PollChoice.objects.bulk_create([PollChoice(ballot=ballot, option_id=i) for i in sorted(wanted)])
    PollOption.objects.filter(pk__in=wanted).update(votes_count=F("votes_count") + 1)
    record("communities.voted", actor=user, obj=post, community_id=post.community_id)
    voters = Poll.objects.filter(pk=poll.pk).values_list("voters_count", flat=True).get()
    publish_on_commit(
        "communities.voted", [post_group(post.pk)],
        {"post_id": post.pk, "community_id": post.community_id, "counts": {"voters": voters}},
    )  # fmt: skip
    return ballot


@transaction.atomic
def do_rsvp(user, post, answer) -> Rsvp:
    if post.kind != K.EVENT or post.deleted_at:
        raise ValidationError(_("This post is not an event."))
    if answer not in Rsvp.Answer.values:
        raise ValidationError({"answer": _("Answer yes, maybe or no.")})
    if not perms.can_react(user, post.community):
        raise PermissionDenied(_("Join the community to answer."))
    event = EventDetails.objects.select_for_update().get(post=post)
    rsvp = Rsvp.objects.filter(post=post, user=user).first()
    if rsvp is not None and rsvp.answer == answer:
        return rsvp
    if rsvp is not None:
        EventDetails.objects.filter(pk=event.pk).update(**{f"{rsvp.answer}_count": F(f"{rsvp.answer}_count") - 1})
        rsvp.answer = answer
        rsvp.save(update_fields=["answer", "updated_at"])
    else:
        rsvp = Rsvp.objects.create(post=post, user=user, answer=answer)
    EventDetails.objects.filter(pk=event.pk).update(**{f"{answer}_count": F(f"{answer}_count") + 1})
    record("communities.rsvp", actor=user, obj=post, community_id=post.community_id, answer=answer)
    publish_on_commit("communities.rsvp", [post_group(post.pk)], {"post_id": post.pk})
    return rsvp
