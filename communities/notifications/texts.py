"""How a notification reads and where it leads: shared by the bell page, the API and e-mails.

Decided for the reader when it is shown (pages, API) or sent (immediate and digest e-mails are
rendered at send time): a post's title and words only while the recipient may read it, a
community's name only while they may see it (selectors.with_access, one query per list)."""

import html

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from communities.models import NotificationKind

_SENTENCES = {
    NotificationKind.MENTION: lambda: _("%(actor)s mentioned you in “%(title)s”"),
    NotificationKind.REPLY: lambda: _("%(actor)s replied in “%(title)s”"),
    NotificationKind.ANSWER: lambda: _("%(actor)s answered your question “%(title)s”"),
    NotificationKind.ANSWER_ACCEPTED: lambda: _("%(actor)s accepted your answer to “%(title)s”"),
    NotificationKind.JOIN_REQUEST: lambda: _("%(actor)s asks to join %(community)s"),
    NotificationKind.JOIN_APPROVED: lambda: _("%(actor)s approved your request: welcome to %(community)s"),
    NotificationKind.INVITATION: lambda: _("%(actor)s invites you to join %(community)s"),
    NotificationKind.ANNOUNCEMENT: lambda: _("Announcement in %(community)s: “%(title)s”"),
    NotificationKind.FOLLOWED_ITEM_POST: lambda: _("New conversation on an item you follow: “%(title)s”"),
    NotificationKind.FOLLOWED_PERSON_POST: lambda: _("%(actor)s posted “%(title)s” in %(community)s"),
    NotificationKind.NUDGE: lambda: _("A question in %(community)s waits for an answer you could give: “%(title)s”"),
    NotificationKind.WELCOME: lambda: _("Welcome to %(community)s: a word from its animators"),
    NotificationKind.ANIMATOR_MESSAGE: lambda: _("%(actor)s wrote to you about %(community)s"),
    NotificationKind.PULSE: lambda: _("%(community)s asks your opinion: a short survey"),
    NotificationKind.LAUNCH: lambda: _("As a champion of %(community)s, read a launch post before everyone"),
    NotificationKind.ANIMATION_ALERT: lambda: _("%(community)s needs its animators: see what to do"),
    NotificationKind.MODERATION: lambda: _("The animators of %(community)s took a decision about what you wrote"),
    NotificationKind.ARCHIVE_PROPOSAL: lambda: _("%(community)s: something you own is proposed for archiving"),
}

# Kinds whose words and destination live in an app above communities (a pulse, an animator's
# message): `register_notification_target(kind, url=fn, excerpt=fn)`, each fn(notification).
_TARGETS: dict[str, dict] = {}


def register_notification_target(kind, *, url=None, excerpt=None):
    _TARGETS[kind] = {"url": url, "excerpt": excerpt}


def notification_ref(notification) -> int | None:
    """The `ref` the event was notified with (services.dedupe_key ends with ":r<ref>"), which
    names the row of the app above that the notification is about."""
    head, sep, ref = notification.dedupe_key.rpartition(":r")
    return int(ref) if sep and ref.isdigit() else None


def post_title(post) -> str:
    return Truncator(str(post)).chars(60) if post is not None else ""  # Post.__str__: title, words, or a share


def _access(notification):
    """(post_readable, community_visible), as with_access() set them, or decided now (one
    notification alone: the mark-read fragment)."""
    if not hasattr(notification, "post_readable"):
        from communities.notifications.selectors import with_access

        with_access(notification.recipient, [notification])
    return notification.post_readable, notification.community_visible


def describe(notification) -> str:
    """One translated sentence, in the active language."""
    readable, visible = _access(notification)
    actor = notification.actor.display_name if notification.actor else _("Someone")
    if notification.post_id and not readable:
        return _("%(actor)s, in a conversation you no longer have access to") % {"actor": actor}
    sentence = _SENTENCES.get(notification.kind, lambda: _("Something happened in %(community)s"))()
    community = ""
    if notification.community is not None:
        community = notification.community.name if visible else _("a community you no longer have access to")
    return sentence % {"actor": actor, "title": post_title(notification.post), "community": community}


def excerpt(notification) -> str:
    """The words as the pages show them (rendered text, not markdown): a link to a restricted
    item reads "restricted item" in an e-mail too, mentions read as names."""
    hook = (_TARGETS.get(notification.kind) or {}).get("excerpt")
    if hook is not None:
        if not _access(notification)[1]:  # the words of a community they may no longer see
            return ""
        return Truncator(" ".join(html.unescape(strip_tags(hook(notification) or "")).split())).chars(280)
    source = notification.comment or notification.post
    if source is None or (notification.post_id and not _access(notification)[0]):
        return ""
    if notification.comment_id and notification.comment.deleted_at:
        return ""
    text = " ".join(html.unescape(strip_tags(source.body_html or "")).split())
    return Truncator(text).chars(280)


def target_url(notification) -> str:
    """Where the notification leads: the post (at the comment), else the community, else the list."""
    if notification.post_id and not _access(notification)[0]:
        return reverse("notifications:list")
    hook = (_TARGETS.get(notification.kind) or {}).get("url")
    url = hook(notification) if hook is not None and _access(notification)[1] else None
    if url:
        return url
    if notification.post_id:
        url = reverse("post_detail", args=[notification.post_id])
        return f"{url}#comment-{notification.comment_id}" if notification.comment_id else url
    if notification.community is not None and _access(notification)[1]:
        return reverse("community_detail", args=[notification.community.slug])
    return reverse("notifications:list")
