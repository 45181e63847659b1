"""Dashboards at company, org unit, site and community level: a period picker, charts drawn on
the server, and each chart's data as CSV. Every figure comes from kpis.py / metrics.py in SQL."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement import charts, kpis, metrics, privacy
from engagement.kpis import Kpi, Scope


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    granularity = forms.ChoiceField(
        label=_("Per"), required=False, choices=[("month", _("Month")), ("week", _("Week"))]
    )

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            error = metrics.date_error(data[name]) if data.get(name) else None
            if error:
                self.add_error(name, error)
        return data

    def period(self):
        """(since, until, granularity): the last 12 months by month unless chosen otherwise; a
        reversed period turned round, a longer one cut to its last three years (the page says
        which dates it shows), dates out of range (the form says so) left for the defaults."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or date(until.year - 1, until.month, 1)
        if since > until:
            since, until = until, since
        since = max(since, until - timedelta(days=metrics.MAX_DAYS))
        return since, until, data.get("granularity") or "month"


@dataclass
class Chart:
    name: str
    title: str
    points: list
    unit: str = ""
    target: float | None = None
    svg: str = field(default="", init=False)

    def __post_init__(self):
        self.svg = charts.line_chart(self.points, label=str(self.title), target=self.target, unit=self.unit)

    def csv_rows(self):
        return [[label, value] for label, value in self.points]


def scope_charts(scope: Scope, spans) -> list[Chart]:
    """Activity trends and response times for a scope (and NPS for a community)."""
    labels = [s.label for s in spans]
    activity = kpis.activity(spans, scope)

    def points(values):
        return list(zip(labels, values, strict=True))

    return [
        Chart("active", _("Active people"), points(activity["active_people"])),
        Chart("posts", _("Posts"), points(activity["posts"])),
        Chart("comments", _("Comments"), points(activity["comments"])),
        Chart("reactions", _("Reactions"), points(activity["reactions"])),
        Chart(
            "answered_24h",
            _("Questions answered within 24 h"),
            points(kpis.series(Kpi.ANSWERED_24H, spans, scope)),
            unit=" %",
        ),
        Chart(
            "first_answer",
            _("Median hours to a first answer"),
            points(kpis.series(Kpi.MEDIAN_FIRST_ANSWER, spans, scope)),
            unit=" h",
        ),
    ]


def nps_rows(spans, community=None) -> list[dict]:
    """NPS per period with its number of answers; the score hidden below 5 answers."""
    from animation.feeding.selectors import nps_by_period

    return [{"period": s.label, **entry} for s, entry in zip(spans, nps_by_period(spans, community), strict=True)]


def nps_chart(rows) -> Chart:
    return Chart("nps", _("Pulse NPS"), [(r["period"], r["nps"]) for r in rows])


def adoption(since, until) -> list[dict]:
    """Active people / headcount per org unit over the period, under the export's privacy rules
    (small org units in "other", suppressed figures left empty)."""
    grouped = metrics.GroupedFigures("org_unit")
    span = metrics.Period(
        f"{since:%Y-%m-%d}/{until:%Y-%m-%d}", metrics._aware(since), metrics._aware(until + timedelta(days=1))
    )
    out = []
    for row in grouped.rows(span):
        values = dict(zip(metrics.COLUMNS, row, strict=True))
        headcount, active = values["headcount"], values["active_people"]
        rate = round(100 * active / headcount, 1) if headcount else None
        out.append({"group": values["group"], "headcount": headcount, "active": active, "rate": rate})
    return out


def scope_too_small(scope: Scope) -> bool:
    """An org unit's or site's figures are only shown for enough people."""
    if scope.org_unit is None and scope.site is None:
        return False
    people, _field = scope.people()
    return people.count() < privacy.min_group_size()
