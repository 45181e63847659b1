"""Weeding writes: flags, the animators' decisions on the moderation queue, the audit log.

Every moderation action writes one AuditEntry in the same transaction (who, what, on what, when,
why), with a copy of the item's label so the entry outlives the item.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from animation.permissions import check_animate
from animation.weeding import rules
from animation.weeding.models import AuditEntry, Flag, KeywordRule, ModerationCase, WeedingSettings
from communities import permissions as community_perms
from communities.models import Comment, CommentRevision, Membership, NotificationKind, Post, PostRevision
from communities.notify import notify_on_commit
from communities.services.common import check_text, count_visible
from communities.text import process
from rse.accounts.roles import is_administrator
from rse.lib.events import community_group, post_group, publish_on_commit
from rse.trail.services import record

MAX_SUSPENSION_DAYS = 365


def weeding_settings(community) -> WeedingSettings:
    row = WeedingSettings.objects.filter(community=community).first()
    return row or WeedingSettings(community=community)


@transaction.atomic
def do_update_weeding_settings(user, community, *, flag_threshold=None, stale_after_days=None) -> WeedingSettings:
    check_animate(user, community)
    row, _created = WeedingSettings.objects.get_or_create(community=community)
    row = WeedingSettings.objects.select_for_update().get(pk=row.pk)
    if flag_threshold is not None:
        if not 1 <= int(flag_threshold) <= 100:
            raise ValidationError({"flag_threshold": _("Between 1 and 100 people.")})
        row.flag_threshold = int(flag_threshold)
    if stale_after_days is not None:
        if not 7 <= int(stale_after_days) <= 3650:
            raise ValidationError({"stale_after_days": _("Between 7 and 3650 days.")})
        row.stale_after_days = int(stale_after_days)
    row.save()
    do_audit(user, community, "settings", target_type="community", target_id=community.pk, label=community.name)
    return row


# --- Audit log -------------------------------------------------------------------------------


def _label(obj) -> str:
    return str(obj)[:200]


def do_audit(actor, community, action, *, target_type, target_id=None, label="", reason="") -> AuditEntry:
    """One line of the community's audit log; `actor` None is RSE itself (a threshold, a rule)."""
    return AuditEntry.objects.create(
        community_id=community.pk if hasattr(community, "pk") else community,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.display_name if actor is not None and actor.is_authenticated else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=(label or "")[:200],
        reason=reason or "",
        created_at=timezone.now(),
    )


def _audit_case(actor, case, action, reason=""):
    target = case.target
    return do_audit(
        actor, case.community_id, action, target_type="comment" if case.comment_id else "post",
        target_id=target.pk, label=_label(target), reason=reason,
    )  # fmt: skip


# --- Hiding and showing an item (the fields communities offers, ContentQuerySet.alive) -------


def _hide(content, now):
    """Out of every reader's door at once; the pages that show it drop it live."""
    type(content).objects.filter(pk=content.pk).update(hidden_at=now)
    content.hidden_at = now
    if content.deleted_at is None:
        count_visible(content, -1)
    if isinstance(content, Post):
        publish_on_commit(
            "communities.post_deleted", [community_group(content.community_id), post_group(content.pk)],
            {"post_id": content.pk, "community_id": content.community_id},
        )  # fmt: skip
    else:
        publish_on_commit(
            "communities.comment_deleted", [post_group(content.post_id)],
            {"post_id": content.post_id, "comment_id": content.pk},
        )  # fmt: skip


def _show(content):
    type(content).objects.filter(pk=content.pk).update(hidden_at=None)
    content.hidden_at = None
    if content.deleted_at is None:
        count_visible(content, +1)


def _pending_case_for_update(post, comment, community_id, *, source, now) -> ModerationCase:
    lookup = {"comment": comment} if comment is not None else {"post": post, "comment__isnull": True}
    case = ModerationCase.objects.select_for_update().filter(status=ModerationCase.Status.PENDING, **lookup).first()
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return ModerationCase.objects.create(
                community_id=community_id, post=post, comment=comment, source=source, created_at=now
            )
    except IntegrityError:  # a concurrent first flag opened it: join that one
        return ModerationCase.objects.select_for_update().get(status=ModerationCase.Status.PENDING, **lookup)


# --- Flags -----------------------------------------------------------------------------------


def check_flag(user, content, *, reason, note=""):
    post = content if isinstance(content, Post) else content.post
    if content.deleted_at or content.hidden_at or post.deleted_at:
        raise ValidationError(_("This has already been removed."))
    if not community_perms.can_read_community(user, post.community):
        raise PermissionDenied(_("You cannot see this."))
    if content.author_id == user.pk:
        raise ValidationError(_("You cannot flag what you wrote."))
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == Flag.Reason.OTHER and not (note or "").strip():
        raise ValidationError({"note": _("Say what is wrong.")})
    if len(note or "") > 1000:
        raise ValidationError({"note": _("At most 1000 characters.")})


@transaction.atomic
def do_flag(user, content, *, reason, note="") -> Flag:
    """A reader's report. The item stays visible until an animator decides, unless this flag
    makes the community's threshold of distinct flaggers: then it is hidden pending review.
    Flagging the same item twice counts once."""
    check_flag(user, content, reason=reason, note=note)
    is_post = isinstance(content, Post)
    post = content if is_post else content.post
    community = post.community
    now = timezone.now()
    case = _pending_case_for_update(post, None if is_post else content, community.pk, source="flags", now=now)
    existing = Flag.objects.filter(case=case, reporter=user).first()
    if existing is not None:
        return existing
    flag = Flag.objects.create(case=case, reporter=user, reason=reason, note=(note or "").strip(), created_at=now)
    case.flags_count = F("flags_count") + 1
    case.save(update_fields=["flags_count"])
    case.refresh_from_db(fields=["flags_count"])
    record("animation.flagged", actor=user, obj=content, community_id=community.pk, reason=reason)
    threshold = weeding_settings(community).flag_threshold
    if case.flags_count >= threshold and not content.hidden_at:
        _hide(content, now)
        case.hid_item = True
        case.save(update_fields=["hid_item"])
        _audit_case(
            None, case, "auto_hide",
            _("%(n)d people flagged it: hidden pending review.") % {"n": case.flags_count},
        )  # fmt: skip
    return flag


# --- Held by a keyword rule (communities' content guard calls this) --------------------------


def do_hold_content(content, rule) -> ModerationCase:
    """Inside the creation's transaction: the content was created hidden; it waits in the queue."""
    is_post = isinstance(content, Post)
    post = content if is_post else content.post
    now = timezone.now()
    case = _pending_case_for_update(post, None if is_post else content, post.community_id, source="rule", now=now)
    case.source, case.rule, case.hid_item = ModerationCase.Source.RULE, rule, True
    case.held_reason = _("Matches the keyword rule “%(rule)s”.") % {"rule": rule.pattern[:200]}
    case.save(update_fields=["source", "rule", "hid_item", "held_reason"])
    _audit_case(None, case, "held", case.held_reason)
    return case


# --- Decisions -------------------------------------------------------------------------------


def _tell_author(actor, case, content):
    notify_on_commit(
        NotificationKind.MODERATION, [content.author_id], actor_id=actor.pk, community_id=case.community_id, ref=case.pk
    )


def _remove(content, now):
    if isinstance(content, Post):
        Post.objects.filter(pk=content.pk).update(deleted_at=now)
        if content.hidden_at is None:  # a hidden item was counted out when it was hidden
            count_visible(content, -1)
        content.deleted_at = now
        publish_on_commit(
            "communities.post_deleted", [community_group(content.community_id), post_group(content.pk)],
            {"post_id": content.pk, "community_id": content.community_id},
        )  # fmt: skip
    else:
        Comment.objects.filter(pk=content.pk).update(deleted_at=now)
        if content.hidden_at is None:
            count_visible(content, -1)
        Post.objects.filter(pk=content.post_id, accepted_comment=content).update(accepted_comment=None)
        content.deleted_at = now
        publish_on_commit(
            "communities.comment_deleted", [post_group(content.post_id)],
            {"post_id": content.post_id, "comment_id": content.pk},
        )  # fmt: skip


def _edit(actor, content, body_md, title=None):
    check_text(body_md)
    processed = process(body_md, author=content.author)
    now = timezone.now()
    if isinstance(content, Post):
        PostRevision.objects.create(
            post=content, editor=actor, title=content.title, body_md=content.body_md, body_html=content.body_html
        )
        if title is not None:
            content.title = title.strip()[:200]
    else:
        CommentRevision.objects.create(
            comment=content, editor=actor, body_md=content.body_md, body_html=content.body_html
        )
    content.body_md, content.body_html, content.body_text, content.edited_at = (
        body_md, processed.html, processed.text, now,
    )  # fmt: skip
    fields = ["body_md", "body_html", "body_text", "edited_at", "updated_at"]
    content.save(update_fields=[*fields, "title"] if isinstance(content, Post) else fields)


def _suspend(case, content, days, now):
    membership = Membership.objects.select_for_update().filter(
        community_id=case.community_id, user_id=content.author_id
    )
    membership = membership.first()
    if membership is None:
        raise ValidationError({"action": _("The author is not a member of this community.")})
    membership.suspended_until = now + timedelta(days=days)
    membership.save(update_fields=["suspended_until", "updated_at"])
    return membership.suspended_until


@transaction.atomic
def do_decide(user, case, *, action, reason="", days=None, body_md=None, title=None) -> ModerationCase:
    """An animator's decision on a pending case: keep (dismiss the flags, show a held item again),
    hide, remove (the author is told why), edit, lock the conversation, warn the author, suspend
    the author from the community for `days` days. Decided once: a second decision is refused."""
    case = (
        ModerationCase.objects.select_for_update(of=("self",))
        .select_related("community", "post", "comment")
        .get(pk=case.pk)
    )
    check_animate(user, case.community)
    if case.status != ModerationCase.Status.PENDING:
        raise ValidationError(_("This case has already been decided."))
    actions = ModerationCase.Action
    if action not in actions.values:
        raise ValidationError({"action": _("Unknown action.")})
    reason = (reason or "").strip()
    if action in (actions.REMOVE, actions.WARN, actions.SUSPEND) and not reason:
        raise ValidationError({"reason": _("Give the author a reason.")})
    if action == actions.SUSPEND:
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ValidationError({"days": _("Suspend for 1 to 365 days.")})
    content = case.target
    content = type(content).objects.select_for_update().get(pk=content.pk)
    now = timezone.now()
    if action == actions.KEEP:
        if case.hid_item and content.hidden_at:
            _show(content)
    elif action == actions.HIDE:
        if not content.hidden_at:
            _hide(content, now)
    elif action == actions.REMOVE:
        if not content.deleted_at:
            _remove(content, now)
        _tell_author(user, case, content)
    elif action == actions.EDIT:
        if body_md is None:
            raise ValidationError({"body_md": _("Write the new text.")})
        _edit(user, content, body_md, title)
        if case.hid_item and content.hidden_at:
            _show(content)
        _tell_author(user, case, content)
    elif action == actions.LOCK:
        Post.objects.filter(pk=case.post_id).update(locked_at=now)
    elif action == actions.WARN:
        _tell_author(user, case, content)
    elif action == actions.SUSPEND:
        until = _suspend(case, content, days, now)
        until_text = _("until %(date)s") % {"date": timezone.localtime(until).strftime("%Y-%m-%d")}
        reason = f"{reason} ({until_text})"
        _tell_author(user, case, content)
    case.status, case.decision, case.decision_reason = ModerationCase.Status.DECIDED, action, reason
    case.decided_at, case.decided_by = now, user
    case.save(update_fields=["status", "decision", "decision_reason", "decided_at", "decided_by"])
    _audit_case(user, case, action, reason)
    record("animation.moderated", actor=user, obj=content, community_id=case.community_id, action=action)
    return case


@transaction.atomic
def do_unlock_conversation(user, post) -> None:
    check_animate(user, post.community)
    Post.objects.filter(pk=post.pk).update(locked_at=None)
    do_audit(user, post.community, "unlock", target_type="post", target_id=post.pk, label=_label(post))


# --- Keyword rules ---------------------------------------------------------------------------


def check_manage_rule(user, community, *, company_wide=False):
    if company_wide:
        if not is_administrator(user):
            raise PermissionDenied(_("Company-wide rules are for administrators."))
    else:
        check_animate(user, community)


@transaction.atomic
def do_create_rule(user, community, *, pattern, is_regex=False, action="hold", message="", company_wide=False):
    check_manage_rule(user, community, company_wide=company_wide)
    pattern = rules.check_pattern(pattern, is_regex)
    if action not in KeywordRule.Action.values:
        raise ValidationError({"action": _("Hold for review or reject.")})
    if len(message or "") > 300:
        raise ValidationError({"message": _("At most 300 characters.")})
    rule = KeywordRule.objects.create(
        community=None if company_wide else community, pattern=pattern, is_regex=bool(is_regex), action=action,
        message=(message or "").strip(), created_by=user, created_at=timezone.now(),
    )  # fmt: skip
    do_audit(
        user, community, "rule_created", target_type="rule", target_id=rule.pk, label=rule.pattern,
        reason=_("company-wide") if company_wide else "",
    )  # fmt: skip
    return rule


@transaction.atomic
def do_delete_rule(user, community, rule):
    check_manage_rule(user, community, company_wide=rule.community_id is None)
    do_audit(user, community, "rule_deleted", target_type="rule", target_id=rule.pk, label=rule.pattern)
    rule.delete()
