from django import forms
from django.utils.translation import gettext_lazy as _

from animation.feeding.models import PromptSchedule
from communities.forms import markdown_widget

WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip


class PromptScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    hour = forms.TypedChoiceField(label=_("Hour"), choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int)
    kind = forms.ChoiceField(label=_("Published as"), choices=PromptSchedule.Kind.choices)
    active = forms.BooleanField(label=_("Publish every week"), required=False, initial=True)


class PromptForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    body_md = forms.CharField(label=_("Details"), required=False, widget=markdown_widget(3, preview=False))


class FeedingSettingsForm(forms.Form):
    nudges_enabled = forms.BooleanField(
        label=_("Suggest unanswered questions to colleagues who could answer"), required=False
    )
    nudge_after_hours = forms.IntegerField(
        label=_("After how many hours without an answer"), min_value=1, max_value=720
    )
    welcome_md = forms.CharField(
        label=_("Welcome message for new members"),
        required=False,
        widget=markdown_widget(5, preview=False),
        help_text=_("Sent to each new member (they can switch these messages off). Leave empty for none."),
    )


class ComebackForm(forms.Form):
    body_md = forms.CharField(label=_("Your message"), widget=markdown_widget(5, preview=False))
    user_ids = forms.MultipleChoiceField(label=_("Members"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_ids"].choices = [(str(m.user_id), m.user.display_name) for m in members]


class PulseForm(forms.Form):
    question_1 = forms.CharField(label=_("Optional question 1"), max_length=200, required=False)
    question_2 = forms.CharField(label=_("Optional question 2"), max_length=200, required=False)
    question_3 = forms.CharField(label=_("Optional question 3"), max_length=200, required=False)
    closes_at = forms.DateTimeField(
        label=_("Closes at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip

    def questions(self):
        return [self.cleaned_data[f"question_{i}"] for i in (1, 2, 3) if self.cleaned_data[f"question_{i}"].strip()]


class PulseAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend this community to a colleague?"),
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "score"}),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=question.text, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def answers(self):
        return {key[1:]: value for key, value in self.cleaned_data.items() if key.startswith("q") and value}
