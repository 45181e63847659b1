from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.tokens.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “CRM connector”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text=_("Read: consult the API. Write: also create and change. SCIM: provisioning (administrators)."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )

    def __init__(self, *args, allow_scim=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_scim:
            self.fields["scopes"].choices = [c for c in Scope.choices if c[0] != Scope.SCIM]


class ServiceAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
