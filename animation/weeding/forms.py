from django import forms
from django.utils.translation import gettext_lazy as _

from animation.weeding.models import Flag, KeywordRule, ModerationCase
from communities.forms import markdown_widget


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Flag.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note for the animators"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with “Other”."),
    )  # fmt: skip


class DecisionForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Decision"), choices=ModerationCase.Action.choices)
    reason = forms.CharField(
        label=_("Reason (sent to the author when removing, warning or suspending)"), required=False, max_length=2000
    )
    days = forms.IntegerField(label=_("Suspend for (days)"), required=False, min_value=1, max_value=365)
    body_md = forms.CharField(label=_("New text (to edit)"), required=False, widget=markdown_widget(3, preview=False))


class RuleForm(forms.Form):
    pattern = forms.CharField(
        label=_("Words or regular expression"), max_length=500,
        help_text=_("Words separated by commas (whole words, any case), or a regular expression."),
    )  # fmt: skip
    is_regex = forms.BooleanField(label=_("This is a regular expression"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=KeywordRule.Action.choices)
    message = forms.CharField(label=_("Message shown to the author"), required=False, max_length=300)
    company_wide = forms.BooleanField(label=_("For every community (administrators)"), required=False)


class WeedingSettingsForm(forms.Form):
    flag_threshold = forms.IntegerField(
        label=_("Hide an item pending review once this many people flag it"), min_value=1, max_value=100
    )
    stale_after_days = forms.IntegerField(
        label=_("Propose archiving after this many days without activity"), min_value=7, max_value=3650
    )


class ObjectionForm(forms.Form):
    objection = forms.CharField(label=_("Why keep it? (optional)"), max_length=500, required=False)
