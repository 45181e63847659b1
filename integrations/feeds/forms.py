from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.feeds.models import FeedSubscription


class SubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Feed URL (RSS or Atom)"), max_length=500, assume_scheme="https")
    mode = forms.ChoiceField(
        label=_("New entries"), choices=FeedSubscription.Mode.choices, initial=FeedSubscription.Mode.QUEUE
    )
