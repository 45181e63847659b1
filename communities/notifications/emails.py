"""Notification e-mails: multipart (text + HTML), in the recipient's language, each with a
one-click unsubscribe link for its kind (a signed token: works without logging in) and the
List-Unsubscribe headers mail clients show as a button (RFC 2369 / RFC 8058)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import NotificationKind
from communities.notifications import selectors, texts

UNSUBSCRIBE_SALT = "rse.notifications.unsubscribe"
DIGEST = "digest"


def unsubscribe_token(user_id, kind) -> str:
    # No expiry on purpose: an unsubscribe link in an old e-mail must still work.
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token) -> tuple[int, str]:
    """(user_id, kind); raises signing.BadSignature for a forged or damaged token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or "u" not in data or "k" not in data:
        raise signing.BadSignature("incomplete token")
    return int(data["u"]), str(data["k"])


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_url(user_id, kind) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kind)]))


def language_of(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def _send(user, subject, template, context, unsubscribe):
    context = {
        **context,
        "user": user,
        "site_name": "RSE",
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("notifications:preferences")),
    }
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_notification_email(user, notification) -> None:
    # Rendered now, at send time: a title the person may no longer read is not in it.
    selectors.with_access(user, [notification])
    with translation.override(language_of(user)):
        sentence = texts.describe(notification)
        _send(
            user,
            sentence,
            "notification",
            {
                "notification": notification,
                "sentence": sentence,
                "excerpt": texts.excerpt(notification),
                "kind_label": NotificationKind(notification.kind).label,
                "url": absolute(reverse("notifications:open", args=[notification.pk])),
            },
            unsubscribe_url(user.pk, notification.kind),
        )


def send_digest_email(user, notifications, *, sections=(), frequency="daily") -> None:
    """`sections`: a digest planner's "content that matters" (highlights, active conversations,
    questions I could answer), each {"title", "entries": [{"title", "url", "excerpt"}]}."""
    notifications = selectors.with_access(user, notifications)
    with translation.override(language_of(user)):
        entries = [
            {
                "sentence": texts.describe(n),
                "excerpt": texts.excerpt(n),
                "url": absolute(reverse("notifications:open", args=[n.pk])),
            }
            for n in notifications
        ]
        if sections and frequency == "weekly":
            subject = _("Your RSE weekly digest")
        elif sections:
            subject = _("Your RSE daily digest")
        else:
            subject = ngettext(
                "Your RSE digest: %(count)s new notification",
                "Your RSE digest: %(count)s new notifications",
                len(entries),
            ) % {"count": len(entries)}
        sections = [
            {**section, "entries": [{**e, "url": absolute(e["url"])} for e in section["entries"]]}
            for section in sections
        ]
        context = {"entries": entries, "sections": sections, "weekly": frequency == "weekly"}
        _send(user, subject, "digest", context, unsubscribe_url(user.pk, DIGEST))
