"""The daily roll-up of activity, and the one query every people figure is read with.

Counting "active people per month" straight from the content tables means, for every person,
looking for a post, a comment or a reaction in each period: at 10,000 people and a million posts
that took 13 s. Instead an idempotent beat task rolls each finished day up into ActivityRollup:
one row per person, community and day with their posts, comments and reactions, plus the
person's totals over all communities, plus the same per calendar month once the month is over.

Reading (`people_figures`) combines, for each asked period, the month rows of its complete
months, the day rows of its other rolled days, and the content tables themselves for the days
not rolled up yet (today, or everything on a database never rolled up): one UNION ALL, grouped in
SQL. The figures are therefore the same with or without the roll-up (tests check it), and who may
be counted (opt-outs, inactive or anonymised accounts, the group a person is in) is decided at
read time, so an opt-out applies from the next computation.

The task recomputes the last RSE_ENGAGEMENT_ROLLUP_DAYS days at each run (late edits and
deletions); older days stay as rolled until `manage.py rollup_engagement --since` recomputes them.
"""

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import BigIntegerField, Case, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from communities.models import Comment, Membership, Post, Reaction
from engagement import privacy
from engagement.models import ActivityRollup, RollupState

DAY, MONTH = ActivityRollup.Span.DAY, ActivityRollup.Span.MONTH
COLUMNS = ("i", "u", "c", "p", "m", "r")  # period (or day), person, community, posts, comments, reactions


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _run(alias, sql, params):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _sql(qs, alias):
    return qs.query.get_compiler(using=alias).as_sql()


# --- The content tables, as rows of (i, person, community, posts, comments, reactions) -------------


def _content_rows(start, end, first, community=None):
    """Alive posts and comments and every reaction created in [start, end), one row each; `first`
    turns the name of a creation-time field into the first column (a day or a period)."""
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end, deleted_at__isnull=True)
    comments = Comment.objects.filter(created_at__gte=start, created_at__lt=end, deleted_at__isnull=True)
    reactions = Reaction.objects.filter(created_at__gte=start, created_at__lt=end)
    if community is not None:
        posts = posts.filter(community=community)
        comments = comments.filter(post__community=community)
        reactions = reactions.filter(Q(post__community=community) | Q(comment__post__community=community))
    one, zero = Value(1, IntegerField()), Value(0, IntegerField())
    return [
        qs.annotate(i=first("created_at"), u=F(person), c=where, p=p, m=m, r=r).values_list(*COLUMNS).order_by()
        for qs, person, where, p, m, r in (
            (posts, "author_id", F("community_id"), one, zero, zero),
            (comments, "author_id", F("post__community_id"), zero, one, zero),
            (reactions, "user_id", Coalesce(F("post__community_id"), F("comment__post__community_id")), zero, zero, one),
        )
    ]  # fmt: skip


# --- Rolling up ------------------------------------------------------------------------------------


def _columns(alias):
    quote = connections[alias].ops.quote_name
    names = ("span", "start", "user_id", "community_id", "posts", "comments", "reactions")
    return quote(ActivityRollup._meta.db_table), "(" + ", ".join(map(quote, names)) + ")"


def refresh(first_day: date, end_day: date, rolled_until: date) -> None:
    """Recompute the roll-up of the days [first_day, end_day), and of the calendar months they touch
    that are over before `rolled_until`. Idempotent: the rows of those days and months are replaced."""
    if first_day >= end_day:
        return
    alias = router.db_for_write(ActivityRollup)
    table, columns = _columns(alias)
    tz = timezone.get_current_timezone()
    with transaction.atomic(using=alias):
        ActivityRollup.objects.using(alias).filter(span=DAY, start__gte=first_day, start__lt=end_day).delete()
        parts = _content_rows(_aware(first_day), _aware(end_day), lambda f: TruncDate(f, tzinfo=tz))
        union = parts[0].union(*parts[1:], all=True)
        sql, params = _sql(union, alias)
        _run(
            alias,
            f"INSERT INTO {table} {columns} SELECT %s, x.i, x.u, x.c, SUM(x.p), SUM(x.m), SUM(x.r) "  # noqa: S608
            f"FROM ({sql}) x WHERE x.c IS NOT NULL GROUP BY x.i, x.u, x.c",
            [DAY, *params],
        )
        days = ActivityRollup.objects.using(alias).filter(
            span=DAY, start__gte=first_day, start__lt=end_day, community__isnull=False
        )
        _insert_grouped(alias, days, F("start"), total=True)
        # The months touched that are over: their rows come from their day rows.
        month = first_day.replace(day=1)
        months = []
        while month < end_day:
            if _next_month(month) <= rolled_until:
                months.append(month)
            month = _next_month(month)
        if months:
            ActivityRollup.objects.using(alias).filter(span=MONTH, start__in=months).delete()
            days = ActivityRollup.objects.using(alias).filter(
                span=DAY, start__gte=months[0], start__lt=_next_month(months[-1])
            )
            _insert_grouped(alias, days, TruncMonth("start"), total=False, span=MONTH)


def _insert_grouped(alias, rows, start, *, total, span=DAY):
    """INSERT … SELECT the sums of `rows` per (start, person) — per community too unless `total`."""
    table, columns = _columns(alias)
    community = Cast(Value(None), BigIntegerField()) if total else F("community_id")
    grouped = (
        rows.annotate(i=start, u=F("user_id"), c=community)
        .values("i", "u", "c")
        .annotate(p=Sum("posts"), m=Sum("comments"), r=Sum("reactions"))
        .values_list(*COLUMNS)
        .order_by()
    )
    sql, params = _sql(grouped, alias)
    _run(
        alias,
        f"INSERT INTO {table} {columns} SELECT %s, x.i, x.u, x.c, x.p, x.m, x.r FROM ({sql}) x",  # noqa: S608
        [span, *params],
    )


def rolled_until() -> date | None:
    alias = router.db_for_read(RollupState)
    return RollupState.objects.using(alias).filter(pk=1).values_list("rolled_until", flat=True).first()


def roll_up(*, since: date | None = None, today: date | None = None) -> dict:
    """Roll up every finished day not rolled up yet, and the last RSE_ENGAGEMENT_ROLLUP_DAYS again
    (late edits, deletions); `since` recomputes from that day on. One month per transaction, the
    state moved after each: a run stopped half-way leaves a roll-up that is right up to its state."""
    today = today or timezone.localdate()
    state, _created = RollupState.objects.get_or_create(pk=1)
    if since is None and state.rolled_until is not None:
        since = state.rolled_until - timedelta(days=settings.RSE_ENGAGEMENT_ROLLUP_DAYS)
    if since is None:
        since = _first_day() or today
    since = min(since, today, state.rolled_until or today)
    day, done = since, 0
    while True:
        stop = min(_next_month(day), today)
        # Each month replaced in one transaction, the state row locked: two runs at once take turns,
        # and a reader sees a day's old rows or its new ones, never neither nor both.
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(pk=1)
            refresh(day, stop, stop)
            state.rolled_until = max(stop, state.rolled_until or stop)
            state.save(update_fields=["rolled_until", "updated_at"])
        done += (stop - day).days
        day = stop
        if day >= today:
            break
    return {"since": since, "rolled_until": state.rolled_until, "days": done}


def _first_day() -> date | None:
    firsts = [m.objects.aggregate(first=Min("created_at"))["first"] for m in (Post, Comment, Reaction)]
    firsts = [f for f in firsts if f is not None]
    return timezone.localtime(min(firsts)).date() if firsts else None


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Whose figures, and by what key: `group` None (one figure per period), "org_unit", "site",
    "title", "person" or "community"; limited to an org unit, a site or a community; `keys` keeps
    only those groups, counted together as one (the export's "other", key None)."""

    group: str | None = None
    org_unit: object = None
    site: object = None
    community: object = None
    keys: tuple | None = None

    @property
    def by_community(self) -> bool:
        """Rows per community: its active members are its active people; its content is what was
        written there (by anyone of the population, member or not)."""
        return self.group == "community" or self.community is not None


PATHS = {"org_unit": "profile__org_unit_id", "site": "profile__site_id", "title": "profile__job_title", "person": "pk"}


def _people(people: People):
    """The people who may count, with their group's key: a queryset of (person, key). For
    communities the key is where the content was written (the roll-up's rows), not the person's."""
    qs = privacy.population()
    if people.org_unit is not None:
        qs = qs.filter(profile__org_unit=people.org_unit)
    if people.site is not None:
        qs = qs.filter(profile__site=people.site)
    key = F(PATHS[people.group]) if people.group not in (None, "community") else Value(None, IntegerField())
    qs = qs.annotate(pu=F("pk"), gk=key)
    if people.keys is not None and people.group != "community":
        values = [k for k in people.keys if k is not None]
        condition = Q(gk__in=values)
        if len(values) != len(people.keys):
            condition |= Q(gk__isnull=True)
        qs = qs.filter(condition)
    return qs.values_list("pu", "gk").order_by()


def _members():
    """Active memberships: in a community, only its members are counted as its active people."""
    return (
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .annotate(mu=F("user_id"), mc=F("community_id"))
        .values_list("mu", "mc")
        .order_by()
    )


def _pieces(spans, until: date | None):
    """The rolled part of the periods: the starts of their complete months, and [(first day, end day)]
    for their other rolled days."""
    months, days = [], []
    if until is None:
        return months, days
    for span in spans:
        first, end = timezone.localtime(span.start).date(), min(timezone.localtime(span.end).date(), until)
        day = first
        while day < end:
            if day.day == 1 and _next_month(day) <= end:
                months.append(day)
                day = _next_month(day)
                continue
            stop = min(_next_month(day.replace(day=1)), end)
            if days and days[-1][1] == day:
                days[-1] = (days[-1][0], stop)
            else:
                days.append((day, stop))
            day = stop
    return months, days


def _period_of(spans, field):
    """A CASE giving the index of the period a date or time falls in."""
    return Case(
        *[When(**{f"{field}__gte": s, f"{field}__lt": e}, then=Value(i)) for i, (s, e) in enumerate(spans)],
        output_field=IntegerField(),
    )


def people_figures(spans, people: People = People()) -> dict:
    """{(period index, key): {"active_people", "contributors", "posts", "comments", "reactions"}}
    for every period and key with activity. Active: posted, commented or reacted in the period;
    contributors: posted or commented. Content counts where it was written for a community, by its
    author's group otherwise. One SQL statement per layer of periods that do not overlap (one for
    consecutive periods; an objective's whole period beside its weeks takes a second)."""
    if people.keys is not None and not people.keys:
        return {}
    layers: list[list[int]] = []
    for i in sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end)):
        layer = next((ly for ly in layers if spans[ly[-1]].end <= spans[i].start), None)
        if layer is None:
            layers.append([i])
        else:
            layer.append(i)
    out = {}
    for layer in layers:
        for (j, key), values in _figures([spans[i] for i in layer], people).items():
            out[(layer[j], key)] = values
    return out


def _figures(spans, people: People) -> dict:
    alias = router.db_for_read(ActivityRollup)
    until = rolled_until()
    months, days = _pieces(spans, until)
    parts = []
    if months or days:
        local = [(timezone.localtime(s.start).date(), timezone.localtime(s.end).date()) for s in spans]
        where = Q(span=MONTH, start__in=months) if months else Q(pk__in=[])
        for first, end in days:
            where |= Q(span=DAY, start__gte=first, start__lt=end)
        rows = ActivityRollup.objects.filter(where, community__isnull=not people.by_community)
        if people.community is not None:
            rows = rows.filter(community=people.community)
        parts.append(
            rows.annotate(
                i=_period_of(local, "start"), u=F("user_id"), c=F("community_id"), p=F("posts"), m=F("comments"),
                r=F("reactions"),
            ).values_list(*COLUMNS).order_by()
        )  # fmt: skip
    live_from = spans[0].start if until is None else max(spans[0].start, _aware(until))
    if live_from < spans[-1].end:
        bounds = [(s.start, s.end) for s in spans]
        parts += _content_rows(
            live_from, spans[-1].end, lambda f: _period_of(bounds, f), community=people.community
        )  # fmt: skip
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = _sql(union, alias)
    people_sql, people_params = _sql(_people(people), alias)
    joins, params = f"JOIN ({people_sql}) w ON w.pu = a.u", [*params, *people_params]
    key, member, where = ("w.gk" if people.keys is None else "NULL"), "1 = 1", ""
    if people.by_community:
        members_sql, members_params = _sql(_members(), alias)
        joins += f" LEFT JOIN ({members_sql}) ms ON ms.mu = a.u AND ms.mc = a.c"
        params += members_params
        member = "ms.mu IS NOT NULL"
        if people.group == "community" and people.keys is None:
            key = "a.c"
        elif people.group == "community":
            where = f"WHERE a.c IN ({', '.join(['%s'] * len(people.keys))})"
            params += list(people.keys)
    rows = _run(
        alias,
        f"SELECT a.i, {key}, COUNT(DISTINCT CASE WHEN {member} THEN a.u END), "  # noqa: S608 - Django's SQL, params bound
        f"COUNT(DISTINCT CASE WHEN {member} AND a.p + a.m > 0 THEN a.u END), SUM(a.p), SUM(a.m), SUM(a.r) "
        f"FROM ({sql}) a {joins} {where} GROUP BY a.i{'' if key == 'NULL' else ', ' + key}",
        params,
    )
    names = ("active_people", "contributors", "posts", "comments", "reactions")
    return {(i, key): dict(zip(names, map(int, values), strict=True)) for i, key, *values in rows if i is not None}


def period_index(spans, moment) -> int | None:
    """The index of the period `moment` falls in, or None."""
    i = bisect.bisect_right([s.start for s in spans], moment) - 1
    return i if i >= 0 and moment < spans[i].end else None
