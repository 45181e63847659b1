from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Post, Reaction, Rsvp


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the limits are checked by the service (clear messages)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


def markdown_widget(rows=6, preview=True):
    attrs = {"rows": rows, "class": "md-input", "data-mention": "1"}
    if preview:
        attrs["data-preview"] = "1"
    return forms.Textarea(attrs=attrs)


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description_md = forms.CharField(
        label=_("Description"), required=False, widget=markdown_widget(), help_text=_("Markdown is welcome.")
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Community.Visibility.choices)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated, e.g. lean, quality, Lyon."))
    cover = forms.ImageField(label=_("Cover image"), required=False)

    def __init__(self, *args, templates=(), **kwargs):
        """`templates`: [(id, label, description)] from communities.hooks, offered on creation."""
        super().__init__(*args, **kwargs)
        if templates:
            self.fields["template"] = forms.ChoiceField(
                label=_("Start from a template"),
                required=False,
                choices=[("", _("No template: an empty community")), *((str(t[0]), t[1]) for t in templates)],
                help_text=" · ".join(f"{t[1]}: {t[2]}" for t in templates if t[2]),
            )
            self.order_fields(["template"])


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Post.Kind.choices, initial=Post.Kind.DISCUSSION)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body_md = forms.CharField(
        label=_("Text"),
        required=False,
        widget=markdown_widget(8),
        help_text=_("Markdown. @name to mention someone, #topic for a hashtag, [[item]] for a business item."),
    )
    requires_ack = forms.BooleanField(label=_("Ask members to confirm they have read it"), required=False)
    poll_options = forms.CharField(
        label=_("Poll options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line (2 to 10)."),
    )
    poll_multiple = forms.BooleanField(label=_("Several answers allowed"), required=False)
    poll_closes_at = forms.DateTimeField(
        label=_("Poll closes at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    event_starts_at = forms.DateTimeField(
        label=_("Event starts at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    event_ends_at = forms.DateTimeField(
        label=_("Event ends at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    event_place = forms.CharField(label=_("Place"), max_length=200, required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_("Images are shown inline; up to 5 files of 10 MB."))

    def service_kwargs(self):
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "title": d["title"],
            "body_md": d["body_md"],
            "requires_ack": d["requires_ack"],
            "poll_options": [line for line in d["poll_options"].splitlines() if line.strip()],
            "poll_multiple": d["poll_multiple"],
            "poll_closes_at": d["poll_closes_at"],
            "event_starts_at": d["event_starts_at"],
            "event_ends_at": d["event_ends_at"],
            "event_place": d["event_place"],
            "files": d["files"],
        }


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body_md = forms.CharField(label=_("Text"), required=False, widget=markdown_widget(8))


class CommentForm(forms.Form):
    body_md = forms.CharField(label=_("Your comment"), widget=markdown_widget(3, preview=False))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, question=False, **kwargs):
        super().__init__(*args, **kwargs)
        if question:  # the button says "Answer": the field says so too
            self.fields["body_md"].label = _("Your answer")


class CommentEditForm(forms.Form):
    body_md = forms.CharField(label=_("Text"), widget=markdown_widget(3, preview=False))


class ShareForm(forms.Form):
    community = forms.ChoiceField(label=_("Share into"))
    body_md = forms.CharField(label=_("Add a few words (optional)"), required=False, widget=markdown_widget(3))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the colleague to invite"))


REACTION_CHOICES = Reaction.Kind.choices
RSVP_CHOICES = Rsvp.Answer.choices
