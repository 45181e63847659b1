"""How a notification reads and where it leads: shared by the bell page, the API and e-mails."""

import html

from django.urls import NoReverseMatch, reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from communities.models import NotificationKind

# URL names the communities pages may define; the first that resolves wins.
POST_URL_NAMES = ("communities:post_detail", "post_detail", "communities:post", "post")
COMMUNITY_URL_NAMES = ("communities:community_detail", "community_detail", "communities:community", "community")

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
}


def post_title(post) -> str:
    if post is None:
        return ""
    return post.title or Truncator(post.body_md).chars(60)


def describe(notification) -> str:
    """One translated sentence, in the active language."""
    actor = notification.actor.display_name if notification.actor else _("Someone")
    sentence = _SENTENCES.get(notification.kind, lambda: _("Something happened in %(community)s"))()
    return sentence % {
        "actor": actor,
        "title": post_title(notification.post),
        "community": notification.community.name if notification.community else "",
    }


def excerpt(notification) -> str:
    """The words as the pages show them (rendered text, not markdown): a link to a restricted
    item reads "restricted item" in an e-mail too, mentions read as names."""
    source = notification.comment or notification.post
    if source is None:
        return ""
    text = " ".join(html.unescape(strip_tags(source.body_html or "")).split())
    return Truncator(text).chars(280)


def _reverse_first(names, *args):
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def target_url(notification) -> str:
    """Where the notification leads: the post (at the comment), else the community, else the list."""
    post = notification.post
    if post is not None:
        url = post.get_absolute_url() if hasattr(post, "get_absolute_url") else _reverse_first(POST_URL_NAMES, post.pk)
        if url:
            return f"{url}#comment-{notification.comment_id}" if notification.comment_id else url
    community = notification.community
    if community is not None:
        if hasattr(community, "get_absolute_url"):
            return community.get_absolute_url()
        url = _reverse_first(COMMUNITY_URL_NAMES, community.slug)
        if url:
            return url
    return reverse("notifications:list")
