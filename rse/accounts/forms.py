from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean(self):
        # Single sign-on only (PASSWORD_LOGIN=false): no password is even checked.
        if not settings.RSE_PASSWORD_LOGIN:
            raise forms.ValidationError(_("Sign-in with a password is switched off: use single sign-on."))
        return super().clean()
