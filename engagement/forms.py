from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.models import Export


def _year_ago():
    today = timezone.localdate()
    return date(today.year - 1, today.month, 1)


class ExportForm(forms.Form):
    since = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=_year_ago
    )
    until = forms.DateField(
        label=_("Until (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    granularity = forms.ChoiceField(
        label=_("Granularity"), choices=Export.Granularity.choices, initial=Export.Granularity.MONTH
    )
    group_by = forms.ChoiceField(label=_("Group by"), choices=Export.GroupBy.choices, initial=Export.GroupBy.ORG_UNIT)
    format = forms.ChoiceField(label=_("Format"), choices=Export.Format.choices, initial=Export.Format.XLSX)
    individual_rows = forms.BooleanField(
        label=_("Add individual rows (pseudonymised)"),
        required=False,
        help_text=_("Switched on by an administrator; people who opted out are never listed."),
    )

    def __init__(self, *args, individual_rows_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not individual_rows_allowed:
            del self.fields["individual_rows"]


class ObjectiveForm(forms.Form):
    kpi = forms.ChoiceField(label=_("Indicator"))
    target = forms.FloatField(label=_("Target"))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(
        label=_("Until (included)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        from engagement.kpis import Kpi

        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = Kpi.choices
