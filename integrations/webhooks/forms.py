from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.webhooks import catalogue


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https",
                         help_text=_("HTTPS. Internal addresses are refused unless an administrator allowed the host."))  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, required=False)

    def __init__(self, *args, communities=None, site_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [
            (name, f"{name} — {event.label}")
            for name, event in catalogue.EVENTS.items()
            if site_wide or not event.site_wide
        ]
        if communities is None:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities
            self.fields["community"].required = not site_wide
            if site_wide:
                self.fields["community"].empty_label = _("Every community (site-wide)")
