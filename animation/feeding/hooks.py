"""What feeding plugs into communities (called from AnimationConfig.ready): the welcome message
on joining, the digest planner, and where its notifications lead."""

from django.urls import reverse
from django.utils.translation import gettext as _


def _ref(notification):
    from communities.notifications.texts import notification_ref

    return notification_ref(notification)


def _member_joined(community_id, user_id):
    from animation.feeding.models import FeedingSettings
    from animation.feeding.tasks import send_welcome_task

    if FeedingSettings.objects.filter(community_id=community_id).exclude(welcome_md="").exists():
        send_welcome_task.delay(community_id, user_id)


def _welcome_excerpt(notification):
    from animation.feeding.models import FeedingSettings

    row = FeedingSettings.objects.filter(community_id=notification.community_id).first()
    return row.welcome_html if row else ""


def _message_url(notification):
    ref = _ref(notification)
    if ref and notification.community is not None:
        return reverse("animation:message", args=[notification.community.slug, ref])
    return None


def _message_excerpt(notification):
    from animation.feeding.models import AnimatorMessage

    message = AnimatorMessage.objects.filter(pk=_ref(notification) or 0).first()
    return message.body_html if message else ""


def _pulse_url(notification):
    ref = _ref(notification)
    if ref and notification.community is not None:
        return reverse("animation:pulse_answer", args=[notification.community.slug, ref])
    return None


def _pulse_excerpt(notification):
    return _("How likely are you to recommend this community to a colleague?")


def _alert_url(notification):
    if notification.community is not None:
        return reverse("animation:index", args=[notification.community.slug])
    return None


class _LazyChoices(list):
    """The planner's choices, translated when the page reads them (not at start-up)."""

    def __iter__(self):
        from animation.feeding.services import digest_choices

        return iter(digest_choices())

    def __len__(self):
        return 3

    def __bool__(self):
        return True


def register_feeding_hooks():
    from animation.feeding import services
    from communities.hooks import on_member_joined
    from communities.models import NotificationKind
    from communities.notifications.digest import DigestPlanner, register_digest_planner
    from communities.notifications.texts import register_notification_target

    on_member_joined(_member_joined)
    register_digest_planner(
        DigestPlanner(
            choices=_LazyChoices(),
            get=services.digest_frequency,
            set=services.do_set_digest_frequency,
            planned_ids=services.digest_planned_ids,
            stop=services.do_stop_digest,
        )
    )
    register_notification_target(NotificationKind.WELCOME, excerpt=_welcome_excerpt)
    register_notification_target(NotificationKind.ANIMATOR_MESSAGE, url=_message_url, excerpt=_message_excerpt)
    register_notification_target(NotificationKind.PULSE, url=_pulse_url, excerpt=_pulse_excerpt)
    register_notification_target(NotificationKind.ANIMATION_ALERT, url=_alert_url)
