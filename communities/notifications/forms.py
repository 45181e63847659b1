from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import NotificationChannel, NotificationKind


class PreferencesForm(forms.Form):
    """One choice per kind of notification (radio buttons, each group a fieldset)."""

    def __init__(self, *args, preferences: dict, digest_choices=(), digest_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        if digest_choices:  # a digest planner is registered (notifications.digest)
            self.fields["digest_frequency"] = forms.ChoiceField(
                label=_("E-mail digest of what matters in my communities"),
                choices=digest_choices,
                initial=digest_initial,
                required=False,  # left out (an older form, a script): unchanged
                widget=forms.RadioSelect,
            )
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationChannel.choices,
                initial=preferences[kind.value],
                widget=forms.RadioSelect,
            )

    def changes(self) -> dict:
        return {kind: self.cleaned_data[kind] for kind in NotificationKind.values}


class MuteForm(forms.Form):
    community = forms.IntegerField(required=False, min_value=1)
    post = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if bool(data.get("community")) == bool(data.get("post")):
            raise forms.ValidationError(_("Mute either a community or a conversation."))
        return data
