"""What seeding plugs into communities (called from AnimationConfig.ready)."""

from django.urls import reverse
from django.utils.html import escape


def _choices(user):
    from animation.seeding.selectors import list_templates
    from animation.seeding.services import template_content

    return [(t.pk, str(template_content(t).name), template_content(t).summary) for t in list_templates()]


def _check(user, template_id):
    from animation.seeding.services import check_use_template

    check_use_template(user, template_id)


def _apply(user, community, template_id):
    from animation.seeding.services import do_apply_template

    do_apply_template(user, community, template_id)


def _launch_url(notification):
    from communities.notifications.texts import notification_ref

    ref = notification_ref(notification)
    if ref and notification.community is not None:
        return reverse("animation:launch_preview", args=[notification.community.slug, ref])
    return None


def _launch_excerpt(notification):
    from animation.seeding.models import ScheduledPost
    from communities.notifications.texts import notification_ref

    scheduled = ScheduledPost.objects.filter(pk=notification_ref(notification) or 0).first()
    return escape(str(scheduled)) if scheduled else ""


def register_seeding_hooks():
    from communities.hooks import StarterProvider, register_starter_provider
    from communities.models import NotificationKind
    from communities.notifications.texts import register_notification_target

    register_starter_provider(StarterProvider(choices=_choices, check=_check, apply=_apply))
    register_notification_target(NotificationKind.LAUNCH, url=_launch_url, excerpt=_launch_excerpt)
