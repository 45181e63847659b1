"""The HR export's figures, computed in SQL: one GROUP BY per table and period, never a loop over
people. Used by the export job, the command line and the dashboards.

A *grouping* says which group a person (or a post, a comment, a reaction) belongs to: org unit,
site and job title split the population (each person in one group), communities overlap (a person
is in several), and "person" gives one row per person (individual rows, when allowed).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Membership, Post
from directory.models import OrgUnit, Site
from engagement import privacy, rollup

COLUMNS = [
    "period",
    "group",
    "headcount",
    "active_people",
    "contributors",
    "posts",
    "comments",
    "reactions",
    "questions",
    "questions_answered",
    "median_hours_to_first_answer",
]
METRICS = COLUMNS[2:]
OTHER = "__other__"


# --- Periods ------------------------------------------------------------------------------------

# What any period (a dashboard's, an export's, an objective's) may cover: at most three years, between
# these days (a year 9999 overflowed the day after; 1900 to 2099 by week made ten thousand periods).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MAX_DAYS = 3 * 366


def date_error(day: date) -> str | None:
    """Why `day` cannot bound a period, or None."""
    if EARLIEST <= day <= LATEST:
        return None
    return _("Choose dates between %(first)s and %(last)s.") % {"first": EARLIEST.year, "last": LATEST.year}


def period_errors(since: date, until: date, *, since_field="since", until_field="until") -> dict:
    """{field: message} for a period that is not one: out of range, reversed, or too long."""
    for field, day in ((since_field, since), (until_field, until)):
        if error := date_error(day):
            return {field: error}
    if since > until:
        return {until_field: _("The end of the period comes before its start.")}
    if (until - since).days > MAX_DAYS:
        return {until_field: _("At most three years at a time.")}
    return {}


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # excluded


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def periods(since: date, until: date, granularity: str) -> list[Period]:
    """Calendar weeks (ISO, Monday first) or months from `since` to `until` (included), the first
    and last cut to the range."""
    out, end_day = [], until + timedelta(days=1)
    day = since
    while day < end_day:
        if granularity == "week":
            start_of = day - timedelta(days=day.weekday())
            nxt = start_of + timedelta(days=7)
            year, week, _wd = start_of.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            label = f"{day.year}-{day.month:02d}"
        stop = min(nxt, end_day)
        out.append(Period(label, _aware(day), _aware(stop)))
        day = stop
    return out


# --- Groupings ------------------------------------------------------------------------------------


class Grouping:
    """A partition of the population by a profile field (org unit, site, job title, person)."""

    overlapping = False  # a person is in one group only (communities: in several)

    def __init__(self, name: str, path: str):
        self.name, self.path = name, path  # path from a user to the group's key

    # Rows of (key, person) for everyone in the population.
    def people(self):
        return privacy.population().annotate(key=F(self.path), person=F("pk"))

    def base_keys(self) -> dict:
        """Every group, with its headcount (fixed for the export: it decides what is hidden)."""
        return {row["key"]: row["n"] for row in self.people().values("key").annotate(n=Count("pk")).order_by()}

    def union_count(self, keys, headcounts) -> int:
        return sum(headcounts.get(k, 0) for k in keys)

    def always_merged(self) -> frozenset:
        return frozenset()

    def post_key(self):
        """The group of a post (its author's)."""
        return F("author__" + self.path)

    def labels(self, keys) -> dict:
        return {k: (str(k) if k not in (None, "") else _("(not set)")) for k in keys}


class FKGrouping(Grouping):
    def __init__(self, name, path, model):
        super().__init__(name, path)
        self.model = model

    def labels(self, keys) -> dict:
        names = dict(self.model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name"))
        return {k: names.get(k, _("(not set)")) if k is not None else _("(not set)") for k in keys}


class PersonGrouping(Grouping):
    def __init__(self, names: bool):
        super().__init__("person", rollup.PATHS["person"])
        self.names = names

    def labels(self, keys) -> dict:
        if not self.names:
            return {k: privacy.pseudonym(k) for k in keys}
        from rse.accounts.models import User

        users = User.objects.filter(pk__in=keys).only("first_name", "last_name", "email")
        return {u.pk: u.get_full_name() or u.email for u in users}


class CommunityGrouping(Grouping):
    """Communities overlap: a person counts once in each community they are an active member of;
    content counts in the community it was written in."""

    overlapping = True

    def __init__(self):
        super().__init__("community", "community_id")

    def people(self):
        return Membership.objects.filter(
            status=Membership.Status.ACTIVE, user__in=privacy.population().values("pk")
        ).annotate(key=F("community_id"), person=F("user_id"))

    def base_keys(self) -> dict:
        # Every community, members or not, so that the hidden set never depends on the period.
        counts = {row["key"]: row["n"] for row in self.people().values("key").annotate(n=Count("pk")).order_by()}
        return {pk: counts.get(pk, 0) for pk in Community.objects.values_list("pk", flat=True)}

    def union_count(self, keys, headcounts) -> int:
        return self.people().filter(key__in=keys).values("person").distinct().count()

    def always_merged(self) -> frozenset:
        """A secret community is never named in an export: its figures go to "other"."""
        return frozenset(Community.objects.filter(visibility=Community.Visibility.SECRET).values_list("pk", flat=True))

    def post_key(self):
        return F("community_id")

    def labels(self, keys) -> dict:
        names = dict(Community.objects.filter(pk__in=keys).values_list("pk", "name"))
        return {k: names.get(k, _("(not set)")) for k in keys}


def grouping_for(group_by: str, *, names: bool = False) -> Grouping:
    if group_by == "org_unit":
        return FKGrouping("org_unit", rollup.PATHS["org_unit"], OrgUnit)
    if group_by == "site":
        return FKGrouping("site", rollup.PATHS["site"], Site)
    if group_by == "title":
        return Grouping("title", rollup.PATHS["title"])
    if group_by == "community":
        return CommunityGrouping()
    if group_by == "person":
        return PersonGrouping(names)
    raise ValueError(group_by)


# --- Figures ----------------------------------------------------------------------------------------


def _questions(grouping: Grouping, start, end):
    """Alive questions asked in [start, end) by people of the population, with their group's key."""
    return Post.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        kind=Post.Kind.QUESTION,
        deleted_at__isnull=True,
        author__in=privacy.population().values("pk"),
    ).annotate(key=grouping.post_key())


def _hours(seconds_list):
    return round(statistics.median(seconds_list) / 3600, 1) if seconds_list else None


CONTENT = [m for m in METRICS if m != "headcount"]


def content_figures(grouping: Grouping, spans: list, merged: list) -> dict:
    """{period label: {key: {metric but headcount: value}}} for all the periods at once: the people
    and content figures in one query over the activity roll-up (engagement/rollup.py), "other"
    (the `merged` groups together, each person once) in a second, and the questions' first
    answers in a third."""
    out: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(CONTENT, 0)))
    labels = [s.label for s in spans]
    for (i, key), values in rollup.people_figures(spans, rollup.People(group=grouping.name)).items():
        out[labels[i]][key].update(values)
    if merged:
        other = rollup.People(group=grouping.name, keys=tuple(merged))
        for (i, _none), values in rollup.people_figures(spans, other).items():
            out[labels[i]][OTHER].update(values)

    # Questions asked in the period, the first answer by someone else (whenever it came).
    merged_set = set(merged)
    first_answer = Min(
        "comments__created_at", filter=Q(comments__deleted_at__isnull=True) & ~Q(comments__author=F("author"))
    )
    asked = defaultdict(lambda: defaultdict(int))
    waits = defaultdict(lambda: defaultdict(list))
    for key, at, answered in (
        _questions(grouping, spans[0].start, spans[-1].end)
        .annotate(first=first_answer)
        .values_list("key", "created_at", "first")
    ):
        period = labels[rollup.period_index(spans, at)]
        keys = (key, OTHER) if key in merged_set else (key,)
        for k in keys:
            asked[period][k] += 1
            if answered is not None:
                waits[period][k].append(max(0.0, (answered - at).total_seconds()))
    for period, by_key in asked.items():
        for key, n in by_key.items():
            values = waits[period][key]
            out[period][key].update(
                questions=n, questions_answered=len(values), median_hours_to_first_answer=_hours(values)
            )
    for by_key in out.values():
        for values in by_key.values():
            if not values["questions_answered"]:
                values["median_hours_to_first_answer"] = None
    return out


def figures(grouping: Grouping, period: Period, merged: list, content: dict | None = None, headcounts=None) -> dict:
    """{key: {metric: value}} for every group with activity or people in the period, plus OTHER
    for the `merged` groups together (distinct people counted once). `content`: this period's
    part of content_figures() when the caller computed every period at once; `headcounts`: the
    grouping's base_keys() when the caller has them."""
    if content is None:
        content = content_figures(grouping, [period], merged).get(period.label, {})
    if headcounts is None:
        headcounts = grouping.base_keys()
    out: dict = defaultdict(lambda: {**dict.fromkeys(METRICS, 0), "median_hours_to_first_answer": None})
    for key, n in headcounts.items():
        out[key]["headcount"] = n
    if merged:
        out[OTHER]["headcount"] = grouping.union_count(merged, headcounts)
    for key, values in content.items():
        out[key].update(values)
    return out


# --- The table ----------------------------------------------------------------------------------------


@dataclass
class Table:
    decision: privacy.Decision | None
    rows: list  # [period, group, *metrics]
    individual_rows: list


class GroupedFigures:
    """One grouping with its privacy decision taken once (from headcounts only), then the rows
    of any period: shown groups, suppressed ones with empty figures, then "other"."""

    def __init__(self, group_by: str):
        self.grouping = grouping = grouping_for(group_by)
        self.headcounts = headcounts = grouping.base_keys()
        self.decision = privacy.decide(
            headcounts,
            privacy.min_group_size(),
            lambda keys: grouping.union_count(keys, headcounts),
            always_merged=grouping.always_merged(),
        )
        self.labels = grouping.labels(list(headcounts))
        self.listed = sorted(
            [*self.decision.shown, *self.decision.suppressed], key=lambda k: (str(self.labels[k]).casefold(), str(k))
        )

    def content(self, spans) -> dict:
        return content_figures(self.grouping, spans, self.decision.merged)

    def rows(self, period: Period, content: dict | None = None) -> list:
        decision, suppressed = self.decision, set(self.decision.suppressed)
        data = figures(self.grouping, period, decision.merged, content, self.headcounts)
        rows = []
        for key in self.listed:
            if key in suppressed:
                rows.append([period.label, self.labels[key], *[None] * len(METRICS)])
            else:
                values = data.get(key) or {**dict.fromkeys(METRICS, 0), "headcount": self.headcounts[key]}
                rows.append([period.label, self.labels[key], *[values[m] for m in METRICS]])
        if decision.has_other:
            other = data.get(OTHER) if decision.other_shown else None
            rows.append([period.label, _("other"), *[(other or {}).get(m) for m in METRICS]])
        return rows


def build_table(*, since, until, granularity, group_by, individual_rows=False, names=False, progress=None) -> Table:
    """The export's rows: for each period, one row per shown group, the hidden ones with empty
    figures, then "other". `progress(done, total)` is called after each step."""
    grouped = GroupedFigures(group_by)
    person = grouping_for("person", names=names) if individual_rows else None
    spans = periods(since, until, granularity)
    total = len(spans) * (2 if person else 1)
    rows, people_rows, done = [], [], 0
    content = grouped.content(spans)
    people_content = content_figures(person, spans, []) if person else {}
    people_headcounts = person.base_keys() if person else {}
    for period in spans:
        rows.extend(grouped.rows(period, content.get(period.label, {})))
        done += 1
        if progress:
            progress(done, total)
        if person:
            pdata = figures(person, period, [], people_content.get(period.label, {}), people_headcounts)
            plabels = person.labels([k for k in pdata if k is not None])
            people_rows.extend(
                [period.label, plabels[key], *[pdata[key][m] for m in METRICS]]
                for key in sorted(plabels, key=lambda k: plabels[k])
                if pdata[key]["active_people"]
            )
            done += 1
            if progress:
                progress(done, total)
    return Table(grouped.decision, rows, people_rows)
