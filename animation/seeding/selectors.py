"""Seeding reads: templates, the queue of scheduled posts, champions, bulk invitations and
starter imports; access_* return the row or raise 404 (outsiders) / 403 (non-animators)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from animation.permissions import can_read_launch_post
from animation.seeding import builtin
from animation.seeding.models import BulkInvitation, Champion, CommunityTemplate, ScheduledPost, StarterImport
from animation.selectors import access_animated_community
from communities.selectors import access_community_by_slug


def list_templates() -> list[CommunityTemplate]:
    """The templates offered, in order (the built-in ones' rows recreated if they went missing)."""
    rows = list(CommunityTemplate.objects.prefetch_related("posts").order_by("position", "name", "id"))
    if set(builtin.KEYS) - {t.key for t in rows}:
        ensure_builtin_templates()
        rows = list(CommunityTemplate.objects.prefetch_related("posts").order_by("position", "name", "id"))
    return [t for t in rows if t.is_active]


def ensure_builtin_templates() -> None:
    """The rows anchoring the built-in templates: made by migration 0001; made again here when
    they are missing (a database flushed by a test, a row deleted in the admin: switch a
    template off instead, it stays off)."""
    for position, key in enumerate(builtin.KEYS):
        CommunityTemplate.objects.get_or_create(
            key=key, defaults={"name": str(builtin.NAMES[key]), "position": position}
        )


def scheduled_queue(community):
    """Waiting posts first (soonest first), then the last 50 published, cancelled or failed."""
    waiting = list(
        ScheduledPost.objects.filter(community=community, status=ScheduledPost.Status.SCHEDULED)
        .select_related("author")
        .order_by("publish_at", "id")
    )
    done = list(
        ScheduledPost.objects.filter(community=community)
        .exclude(status=ScheduledPost.Status.SCHEDULED)
        .select_related("author")
        .order_by("-publish_at", "-id")[:50]
    )
    return waiting, done


def _animated(user, row):
    access_animated_community(user, row.community.slug)
    return row


def access_scheduled_post_by_id(user, scheduled_id) -> ScheduledPost:
    row = get_object_or_404(ScheduledPost.objects.select_related("community", "author"), pk=scheduled_id)
    return _animated(user, row)


def access_bulk_invitation_by_id(user, bulk_id) -> BulkInvitation:
    return _animated(user, get_object_or_404(BulkInvitation.objects.select_related("community"), pk=bulk_id))


def access_starter_import_by_id(user, job_id) -> StarterImport:
    return _animated(user, get_object_or_404(StarterImport.objects.select_related("community"), pk=job_id))


def list_champions(community):
    return (
        Champion.objects.filter(community=community)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )


def is_champion(user, community) -> bool:
    return Champion.objects.filter(community=community, user=user).exists()


def access_launch_post(user, slug, scheduled_id) -> ScheduledPost:
    """A launch post before it is published: its community's champions and animators only."""
    community = access_community_by_slug(user, slug)
    row = get_object_or_404(
        ScheduledPost.objects.select_related("community", "author", "post"),
        pk=scheduled_id, community=community, is_launch=True,
    )  # fmt: skip
    if not can_read_launch_post(user, community, is_champion(user, community)):
        raise PermissionDenied(_("Launch posts are read early by the community's champions only."))
    return row
