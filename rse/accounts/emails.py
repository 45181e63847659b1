"""E-mails about the account itself, in the person's language (the one they chose, else the site's)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _


def language_of(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def send_email_changed_notice(user, old_email, new_email) -> None:
    """Tell the previous address that the account's e-mail changed: if someone else changed it
    (to take the account over through a password reset), its owner hears of it there."""
    with translation.override(language_of(user)):
        context = {
            "user": user,
            "old_email": old_email,
            "new_email": new_email,
            "changed_at": timezone.localtime(),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        message = EmailMultiAlternatives(
            subject=_("Your RSE e-mail address was changed"),
            body=render_to_string("emails/email_changed.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[old_email],
        )
        message.attach_alternative(render_to_string("emails/email_changed.html", context), "text/html")
        message.send()
