from django import forms
from django.utils.translation import gettext_lazy as _

from animation.seeding.models import ScheduledPost
from communities.forms import markdown_widget


class ScheduledPostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ScheduledPost.Kind.choices, initial=ScheduledPost.Kind.DISCUSSION)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body_md = forms.CharField(label=_("Text"), required=False, widget=markdown_widget(8))
    publish_at = forms.DateTimeField(
        label=_("Publish at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    is_launch = forms.BooleanField(label=_("Launch post: the champions read it before everyone"), required=False)


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=120)
    summary = forms.CharField(label=_("Summary"), max_length=240, required=False)


class BulkInvitationForm(forms.Form):
    """The choices are filled in by the view (org units, sites, skills)."""

    org_unit = forms.ChoiceField(label=_("Everyone in an org unit (and its sub-units)"), required=False)
    site = forms.ChoiceField(label=_("Everyone at a site"), required=False)
    skill = forms.ChoiceField(label=_("Everyone with a skill"), required=False)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Paste them one per line, or separated by commas or semicolons."),
    )
    file = forms.FileField(label=_("Or a file of e-mail addresses (CSV or text)"), required=False)

    def __init__(self, *args, org_units=(), sites=(), skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        self.fields["org_unit"].choices = empty + [(str(pk), name) for pk, name in org_units]
        self.fields["site"].choices = empty + [(str(pk), name) for pk, name in sites]
        self.fields["skill"].choices = empty + [(str(pk), name) for pk, name in skills]


class ChampionForm(forms.Form):
    user = forms.ChoiceField(label=_("Member"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(str(m.user_id), m.user.display_name) for m in members]


class ChampionsLeadForm(forms.Form):
    champions_lead_hours = forms.IntegerField(
        label=_("Champions read launch posts this many hours early"), min_value=1, max_value=168
    )


class StarterImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: question (required), details, answer. The first line names the columns."),
    )
