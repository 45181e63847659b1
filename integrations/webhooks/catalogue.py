"""The events a webhook can subscribe to, and the JSON each one sends.

Each public event (`post.created`) comes from one internal event (`communities.post_created`,
rse/lib/events.py) and says which community it belongs to (None: site-wide, for administrators'
endpoints only) and what its `data` is. An app that adds an event
calls `register_webhook_event(...)` in its AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WebhookEvent:
    name: str  # public name, `noun.verb`
    source: str  # the internal event type it comes from
    label: str  # a lazy translation
    community_of: Callable  # payload -> community id, or None for a site-wide event
    data: Callable  # payload -> the JSON `data`, or None when the object is gone (nothing sent)

    @property
    def site_wide(self) -> bool:
        """Not about a community (business items…): for administrators' site-wide endpoints only."""
        return self.community_of is _site_wide


EVENTS: dict[str, WebhookEvent] = {}
BY_SOURCE: dict[str, list[WebhookEvent]] = {}


def register_webhook_event(event: WebhookEvent) -> None:
    if event.name in EVENTS:
        return
    EVENTS[event.name] = event
    BY_SOURCE.setdefault(event.source, []).append(event)


def choices() -> list[tuple[str, str]]:
    return [(e.name, f"{e.name} — {e.label}") for e in EVENTS.values()]


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _person(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def _community(community) -> dict:
    return {
        "id": community.pk,
        "slug": community.slug,
        "name": community.name,
        "visibility": community.visibility,
        "url": _absolute(reverse("community_detail", args=[community.slug])),
    }


def _post(payload):
    from communities.models import Post

    post = Post.objects.alive().select_related("community", "author").filter(pk=payload["post_id"]).first()
    if post is None:
        return None
    return {
        "id": post.pk,
        "kind": post.kind,
        "title": post.title,
        "text": post.body_text,
        "html": post.body_html,
        "created_at": post.created_at.isoformat(),
        "url": _absolute(reverse("post_detail", args=[post.pk])),
        "author": _person(post.author),
        "community": _community(post.community),
    }


def _comment(payload):
    from communities.models import Comment

    comment = (
        Comment.objects.alive()
        .select_related("post__community", "author")
        .filter(pk=payload["comment_id"], post__deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        return None
    return {
        "id": comment.pk,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "text": comment.body_text,
        "html": comment.body_html,
        "created_at": comment.created_at.isoformat(),
        "url": _absolute(reverse("post_detail", args=[comment.post_id])) + f"#comment-{comment.pk}",
        "author": _person(comment.author),
        "community": _community(comment.post.community),
    }


def _member(payload):
    from communities.models import Membership

    membership = (
        Membership.objects.select_related("community", "user")
        .filter(community_id=payload["community_id"], user_id=payload["user_id"])
        .first()
    )
    if membership is None or membership.community.deleted_at:
        return None
    return {"community": _community(membership.community), "member": _person(membership.user), "role": membership.role}


def _export(payload):
    from engagement.models import Export

    export = Export.objects.filter(pk=payload["export_id"], status=Export.Status.DONE).first()
    if export is None:
        return None
    return {  # aggregates only: the file itself stays behind the sign-in of the export page
        "id": export.pk,
        "format": export.format,
        "granularity": export.granularity,
        "group_by": export.group_by,
        "since": export.since.isoformat(),
        "until": export.until.isoformat(),
        "rows": export.rows,
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "url": _absolute(reverse("engagement:export", args=[export.pk])),
    }


def _item(payload):
    from repository.models import Item

    item = Item.objects.select_related("item_type").filter(pk=payload["item_id"]).first()
    if item is None:
        return None
    return {
        "id": item.pk,
        "type": item.item_type.name,
        "name": item.name,
        "external_id": item.external_id,
        "status": item.status,
        "deleted": item.deleted_at is not None,
        "updated_at": item.updated_at.isoformat(),
        "url": _absolute(item.get_absolute_url()),
    }


def _community_id(payload):
    return payload["community_id"]


def _site_wide(payload):
    return None


TEST = "webhook.test"


def register_builtin_events() -> None:
    for event in (
        WebhookEvent("post.created", "communities.post_created", _("a post is published"), _community_id, _post),
        WebhookEvent(
            "comment.created", "communities.comment_created", _("a comment is written"), _community_id, _comment
        ),
        WebhookEvent("member.joined", "communities.member_joined", _("someone joins"), _community_id, _member),
        WebhookEvent("item.created", "repository.item_created", _("a business item is created"), _site_wide, _item),
        WebhookEvent("item.updated", "repository.item_updated", _("a business item changes"), _site_wide, _item),
        WebhookEvent("export.ready", "engagement.export_ready", _("an HR export is ready"), _site_wide, _export),
    ):
        register_webhook_event(event)
