"""Comments (one level of replies), reactions, accepted answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions as perms
from communities.hooks import content_held, guard_content, moderated
from communities.models import Comment, CommentRevision, Community, Post, Reaction
from communities.notify import notify_on_commit
from communities.services.common import check_text, check_uploads, count_visible, readers_among, save_attachments
from communities.services.posts import cannot_post_reason, store_mentions
from communities.text import process
from rse.lib.events import community_group, post_group, publish_on_commit, user_group
from rse.trail.services import record

__all__ = [
    "do_create_comment", "do_edit_comment", "do_delete_comment", "do_react", "do_accept_answer",
]  # fmt: skip


@transaction.atomic
def do_create_comment(author, post, *, body_md, parent=None, files=()) -> Comment:
    community = post.community
    membership = perms.get_membership(author, community)
    if post.deleted_at or not perms.can_read_community(author, community, membership):
        raise PermissionDenied(_("You cannot see this post."))
    if not perms.can_comment(author, community, membership):
        if community.archived_at or perms.is_suspended(author, community, membership):
            raise PermissionDenied(cannot_post_reason(author, community, membership))
        raise PermissionDenied(_("Join the community to comment."))
    if not perms.can_comment_on(author, post, membership):
        raise PermissionDenied(_("This conversation is locked."))
    check_text(body_md)
    check_uploads(files)
    if parent is not None:
        if parent.post_id != post.pk:
            raise ValidationError({"parent": _("You can only reply to a comment of this post.")})
        if parent.parent_id:  # one level of replies: a reply to a reply joins the same thread
            parent = parent.parent
        if parent.deleted_at:
            raise ValidationError({"parent": _("This comment was deleted: reply to the post instead.")})
    holds = guard_content(author, community, body_md)
    processed = process(body_md, author=author)
    now = timezone.now()
    comment = Comment.objects.create(
        hidden_at=now if holds else None, post=post, author=author, parent=parent, body_md=body_md, body_html=processed.html,
        body_text=processed.text, created_at=now,
    )  # fmt: skip
    if processed.items:
        comment.items.set(processed.items)
    save_attachments(check_uploads(files), user=author, comment=comment)
    # Held for review: not counted until an animator keeps it (count_visible).
    Post.objects.filter(pk=post.pk).update(
        comments_count=F("comments_count") + (0 if holds else 1), last_activity_at=now
    )
    Community.objects.filter(pk=community.pk).update(last_activity_at=now)
    record(
        "communities.comment_created", actor=author, obj=comment, community_id=community.pk,
        post_id=post.pk, reply=parent is not None, answer=post.kind == Post.Kind.QUESTION,
    )  # fmt: skip
    if holds:  # waits for an animator: no event, no notification until then
        content_held(holds, comment)
        return comment
    # Ids and counts only: each page fetches the comment's HTML through a permission-checked view.
    comments_count = Post.objects.filter(pk=post.pk).values_list("comments_count", flat=True).get()
    publish_on_commit(
        "communities.comment_created",
        [community_group(community.pk), post_group(post.pk)],
        {
            "post_id": post.pk, "comment_id": comment.pk, "parent_id": parent.pk if parent else None,
            "community_id": community.pk, "author_id": author.pk, "counts": {"comments": comments_count},
        },
    )  # fmt: skip
    mentioned = set(store_mentions(post, processed.mentioned, comment=comment, author=author))
    notify_on_commit(
        "mention", mentioned, actor_id=author.pk, post_id=post.pk, comment_id=comment.pk, community_id=community.pk
    )
    to_post_author = set(readers_among([post.author_id], community)) - mentioned - {author.pk}
    kind = "answer" if post.kind == Post.Kind.QUESTION and parent is None else "reply"
    notify_on_commit(
        kind, to_post_author, actor_id=author.pk, post_id=post.pk, comment_id=comment.pk, community_id=community.pk
    )
    if parent is not None:
        thread = set(readers_among([parent.author_id], community)) - mentioned - to_post_author - {author.pk}
        notify_on_commit(
            "reply", thread, actor_id=author.pk, post_id=post.pk, comment_id=comment.pk, community_id=community.pk
        )
    return comment


@transaction.atomic
def do_edit_comment(user, comment, *, body_md) -> Comment:
    comment = Comment.objects.select_for_update().select_related("post__community").get(pk=comment.pk)
    if not perms.can_edit_content(user, comment):
        raise PermissionDenied(_("Only the author can edit this comment."))
    check_text(body_md)
    if body_md == comment.body_md:
        return comment
    CommentRevision.objects.create(comment=comment, editor=user, body_md=comment.body_md, body_html=comment.body_html)
    processed = process(body_md, author=user)
    comment.body_md, comment.body_html, comment.edited_at = body_md, processed.html, timezone.now()
    comment.body_text = processed.text
    comment.save(update_fields=["body_md", "body_html", "body_text", "edited_at", "updated_at"])
    comment.items.set(processed.items)
    post = comment.post
    record("communities.comment_edited", actor=user, obj=comment, community_id=post.community_id, post_id=post.pk)
    publish_on_commit(
        "communities.comment_edited", [post_group(post.pk)], {"post_id": post.pk, "comment_id": comment.pk}
    )
    mentioned = store_mentions(post, processed.mentioned, comment=comment, author=user)
    notify_on_commit(
        "mention", mentioned, actor_id=user.pk, post_id=post.pk, comment_id=comment.pk,
        community_id=post.community_id,
    )  # fmt: skip
    return comment


@transaction.atomic
def do_delete_comment(user, comment):
    comment = Comment.objects.select_for_update().select_related("post__community").get(pk=comment.pk)
    post = comment.post
    if not perms.can_delete_content(user, comment, post.community):
        raise PermissionDenied(_("Only the author or an animator can delete this comment."))
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    if comment.hidden_at is None:  # a hidden comment was counted out when it was hidden
        count_visible(comment, -1)
    if post.accepted_comment_id == comment.pk:
        Post.objects.filter(pk=post.pk).update(accepted_comment=None)
    record(
        "communities.comment_deleted", actor=user, obj=comment, community_id=post.community_id,
        post_id=post.pk, by_moderator=user.pk != comment.author_id,
    )  # fmt: skip
    if user.pk != comment.author_id:
        moderated(user, post.community_id, "delete", "comment", comment.pk, comment)
    publish_on_commit(
        "communities.comment_deleted", [post_group(post.pk)], {"post_id": post.pk, "comment_id": comment.pk}
    )


@transaction.atomic
def do_react(user, kind, *, post=None, comment=None) -> str | None:
    """Toggle or change my reaction (one per person and target). Returns the reaction now held."""
    if (post is None) == (comment is None):
        raise ValueError("react to a post or a comment")
    target = post or comment
    the_post = post or comment.post
    if kind not in Reaction.Kind.values:
        raise ValidationError({"kind": _("Unknown reaction.")})
    if target.deleted_at or the_post.deleted_at:
        raise ValidationError(_("This message was deleted."))
    if not perms.can_react(user, the_post.community):
        raise PermissionDenied(_("Join the community to react."))
    model = Post if post is not None else Comment
    lookup = {"post": post} if post is not None else {"comment": comment}
    model.objects.select_for_update().filter(pk=target.pk).first()  # serialises toggles on one target
    existing = Reaction.objects.filter(user=user, **lookup).first()
    if existing is not None and existing.kind == kind:
        existing.delete()
        model.objects.filter(pk=target.pk).update(reactions_count=F("reactions_count") - 1)
        now_kind = None
    elif existing is not None:
        existing.kind = kind
        existing.save(update_fields=["kind", "updated_at"])
        now_kind = kind
    else:
        Reaction.objects.create(user=user, kind=kind, **lookup)
        model.objects.filter(pk=target.pk).update(reactions_count=F("reactions_count") + 1)
        now_kind = kind
    record(
        "communities.reacted", actor=user, obj=target, community_id=the_post.community_id,
        kind=now_kind, post_id=the_post.pk,
    )  # fmt: skip
    reactions_count = model.objects.filter(pk=target.pk).values_list("reactions_count", flat=True).get()
    publish_on_commit(
        "communities.reacted", [post_group(the_post.pk)],
        {
            "post_id": the_post.pk, "comment_id": comment.pk if comment else None,
            "community_id": the_post.community_id, "counts": {"reactions": reactions_count},
        },
    )  # fmt: skip
    return now_kind


@transaction.atomic
def do_accept_answer(user, post, comment) -> Post:
    """The asker (or an animator) marks the answer that solved the question; None un-accepts."""
    post = Post.objects.select_for_update().select_related("community").get(pk=post.pk)
    if not perms.can_accept_answer(user, post):
        raise PermissionDenied(_("Only the person who asked or an animator can accept an answer."))
    if comment is not None and (comment.post_id != post.pk or comment.deleted_at):
        raise ValidationError({"comment": _("This answer does not belong to the question.")})
    post.accepted_comment = comment
    post.save(update_fields=["accepted_comment", "updated_at"])
    record(
        "communities.answer_accepted", actor=user, obj=post, community_id=post.community_id,
        comment_id=comment.pk if comment else None,
        answerer_id=comment.author_id if comment else None,
    )  # fmt: skip
    publish_on_commit(
        "communities.answer_accepted",
        [
            community_group(post.community_id),
            post_group(post.pk),
            *([user_group(comment.author_id)] if comment else []),
        ],
        {"post_id": post.pk, "comment_id": comment.pk if comment else None, "community_id": post.community_id},
    )
    if comment is not None:
        notify_on_commit(
            "answer_accepted", readers_among([comment.author_id], post.community), actor_id=user.pk,
            post_id=post.pk, comment_id=comment.pk, community_id=post.community_id,
        )  # fmt: skip
    return post
