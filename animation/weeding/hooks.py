"""What weeding plugs into communities (called from AnimationConfig.ready): the keyword rules
checked as a post or comment is written, and where its notifications lead."""

from django.urls import reverse


def _check(author, community, text):
    from animation.weeding.rules import check_text_against_rules

    return check_text_against_rules(community, text)


def _held(content, rule):
    from animation.weeding.services import do_hold_content

    do_hold_content(content, rule)


def _case(notification):
    from animation.weeding.models import ModerationCase
    from communities.notifications.texts import notification_ref

    return ModerationCase.objects.filter(pk=notification_ref(notification) or 0).first()


def _moderation_excerpt(notification):
    case = _case(notification)
    if case is None:
        return ""
    return f"{case.get_decision_display()}: {case.decision_reason}"


def _archive_url(notification):
    from communities.notifications.texts import notification_ref

    ref = notification_ref(notification)
    if ref and notification.community is not None:
        return reverse("animation:archive_proposal", args=[notification.community.slug, ref])
    return None


def _audit(actor, community_id, action, target_type, target_id, label):
    from animation.weeding.services import do_audit

    do_audit(actor, community_id, action, target_type=target_type, target_id=target_id, label=label)


def _may_flag(user, content):
    return getattr(user, "is_authenticated", False) and content.author_id != user.pk


def register_weeding_hooks():
    from django.utils.translation import gettext_lazy as _

    from communities.hooks import (
        ContentAction,
        ContentGuard,
        on_moderation,
        register_content_action,
        register_content_guard,
    )
    from communities.models import NotificationKind
    from communities.notifications.texts import register_notification_target

    register_content_guard(ContentGuard(check=_check, held=_held))
    on_moderation(_audit)
    register_content_action(
        ContentAction("flag", _("Flag"), "animation:flag_post", "animation:flag_comment", _may_flag)
    )
    register_notification_target(NotificationKind.MODERATION, excerpt=_moderation_excerpt)
    register_notification_target(NotificationKind.ARCHIVE_PROPOSAL, url=_archive_url)
