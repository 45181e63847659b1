"""The daily roll-up of activity, and the one query every people figure is read with.

Counting "active people per month" straight from the content tables means, for every person,
looking for a post, a comment or a reaction in each period: at 10,000 people and a million posts
that took 13 s. Instead an idempotent beat task rolls each finished day up into ActivityRollup:
one row per person, community and day with their posts, comments and reactions, plus the
person's totals over all communities, plus the same per calendar month and per week (Monday
first) once they are over.

Reading (`people_figures`) combines, for each asked period, the month rows of its complete
months, the week rows of its complete weeks, the day rows of its other rolled days, and the content tables themselves for the days
not rolled up yet (today, or everything on a database never rolled up): one UNION ALL, grouped in
SQL. The figures are therefore the same with or without the roll-up (tests check it), and who may
be counted (opt-outs, inactive or anonymised accounts, the group a person is in) is decided at
read time, so an opt-out applies from the next computation.

The task recomputes the last RSE_ENGAGEMENT_ROLLUP_DAYS days at each run (late edits and
deletions); older days stay as rolled until `manage.py rollup_engagement --since` recomputes them.
"""

import bisect
import time as time_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import BigIntegerField, Case, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from communities.models import Comment, Membership, Post, Reaction
from engagement import privacy
from engagement.models import ActivityRollup, RollupState
from engagement.sql import compiled, read, run

DAY, WEEK, MONTH = ActivityRollup.Span.DAY, ActivityRollup.Span.WEEK, ActivityRollup.Span.MONTH
COLUMNS = ("i", "u", "c", "p", "m", "r")
MAX_PERIODS = 120  # per statement (three years by week fit in two)  # period (or day), person, community, posts, comments, reactions


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_week(day: date) -> date:
    return day + timedelta(days=7)


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


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _days_up_to(moment: datetime) -> date:
    """The first day with nothing before `moment` in it (the day after, unless `moment` is midnight)."""
    day = _local_day(moment)
    return day if _aware(day) == moment else day + timedelta(days=1)


def refresh(first_day: date, end: datetime) -> None:
    """Recompute the roll-up of what was created from `first_day` on and before `end` (the day of
    `end` partly), and of the calendar months over before `end` that those days touch. Idempotent:
    the rows of those days and months are replaced."""
    last_day = _days_up_to(end)
    if first_day >= last_day:
        return
    alias = router.db_for_write(ActivityRollup)
    table, columns = _columns(alias)
    tz = timezone.get_current_timezone()
    with transaction.atomic(using=alias):
        ActivityRollup.objects.using(alias).filter(span=DAY, start__gte=first_day, start__lt=last_day).delete()
        parts = _content_rows(_aware(first_day), end, lambda f: TruncDate(f, tzinfo=tz))
        union = parts[0].union(*parts[1:], all=True)
        sql, params = compiled(union, alias)
        run(
            alias,
            f"INSERT INTO {table} {columns} SELECT %s, x.i, x.u, x.c, SUM(x.p), SUM(x.m), SUM(x.r) "  # noqa: S608
            f"FROM ({sql}) x WHERE x.c IS NOT NULL GROUP BY x.i, x.u, x.c",
            [DAY, *params],
        )
        days = ActivityRollup.objects.using(alias).filter(
            span=DAY, start__gte=first_day, start__lt=last_day, community__isnull=False
        )
        _insert_grouped(alias, days, F("start"), total=True)
        # The months and the weeks (Monday first) touched that are over: from their day rows.
        over = _local_day(end)
        for span, first, step, trunc in (
            (MONTH, first_day.replace(day=1), _next_month, TruncMonth("start")),
            (WEEK, _monday(first_day), _next_week, TruncWeek("start")),
        ):
            starts, start = [], first
            while start < last_day:
                if step(start) <= over:
                    starts.append(start)
                start = step(start)
            if starts:
                ActivityRollup.objects.using(alias).filter(span=span, start__in=starts).delete()
                days = ActivityRollup.objects.using(alias).filter(
                    span=DAY, start__gte=starts[0], start__lt=step(starts[-1])
                )
                _insert_grouped(alias, days, trunc, total=False, span=span)


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
    sql, params = compiled(grouped, alias)
    run(
        alias,
        f"INSERT INTO {table} {columns} SELECT %s, x.i, x.u, x.c, x.p, x.m, x.r FROM ({sql}) x",  # noqa: S608
        [span, *params],
    )


def rolled_at() -> datetime | None:
    """Everything created before this moment is in the roll-up."""
    alias = router.db_for_read(RollupState)
    return RollupState.objects.using(alias).filter(pk=1).values_list("rolled_at", flat=True).first()


def roll_up(*, since: date | None = None, now: datetime | None = None, lookback: bool = False) -> dict:
    """Roll up what was created since the last run (the day of the last run again, whole), and with
    `lookback` the last RSE_ENGAGEMENT_ROLLUP_DAYS days again too (late edits, deletions); `since`
    recomputes from that day on. One month per transaction, the state moved after each: a run
    stopped half-way leaves a roll-up that is right up to its state."""
    state, _created = RollupState.objects.get_or_create(pk=1)
    # Many rows written (a first run, a recompute, the nightly look-back): fresh planner statistics.
    many = since is not None or lookback or state.rolled_at is None
    now = max(now or timezone.now(), state.rolled_at or datetime.min.replace(tzinfo=UTC))
    rolled_day = _local_day(state.rolled_at) if state.rolled_at else None
    if since is None and rolled_day is not None:
        since = rolled_day - timedelta(days=settings.RSE_ENGAGEMENT_ROLLUP_DAYS if lookback else 0)
    if since is None:
        since = _first_day() or _local_day(now)
    since = min(since, rolled_day or since, _local_day(now))
    day, started = since, time_module.perf_counter()
    while True:
        stop = min(_aware(_next_month(day)), now)
        # Each month replaced in one transaction, the state row locked: two runs at once take turns,
        # and a reader sees a day's old rows or its new ones, never neither nor both.
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(pk=1)
            refresh(day, stop)
            state.rolled_at = max(stop, state.rolled_at or stop)
            state.save(update_fields=["rolled_at", "updated_at"])
        day = _next_month(day)
        if stop >= now:
            break
    if many:
        _analyze()
    return {"since": since, "rolled_at": state.rolled_at, "seconds": round(time_module.perf_counter() - started, 1)}


def _analyze():
    """Fresh planner statistics (PostgreSQL): the reads join the roll-up with the people, and its
    plans go wrong on a table the planner believes empty. Quarter-hourly runs leave it to autovacuum."""
    alias = router.db_for_write(ActivityRollup)
    if connections[alias].vendor == "postgresql":
        run(alias, f"ANALYZE {_columns(alias)[0]}", [])


def _first_day() -> date | None:
    firsts = [m.objects.aggregate(first=Min("created_at"))["first"] for m in (Post, Comment, Reaction)]
    firsts = [f for f in firsts if f is not None]
    return timezone.localtime(min(firsts)).date() if firsts else None


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Whose figures, and by what key: `group` None (one figure per period), "org_unit", "site",
    "title", "person" or "community"; limited to org units (ids), a site or a community; `keys` keeps
    only those groups, counted together as one (the export's "other", key None)."""

    group: str | None = None
    org_units: tuple | None = None
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
    if people.org_units is not None:
        qs = qs.filter(profile__org_unit__in=people.org_units)
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


def _pieces(span, rolled: datetime | None):
    """The rolled part of a period: the starts of its complete months and of its complete weeks (over
    before the last run), and [(first day, end day)] for its other rolled days (the last run's day
    in part). A week is only taken where it does not stand in the way of a whole month."""
    months, weeks, days = [], [], []
    if rolled is None:
        return months, weeks, days
    complete = _local_day(rolled)
    day, end = _local_day(span.start), min(_local_day(span.end), _days_up_to(rolled))
    whole = min(end, complete)  # month and week rows exist up to there
    while day < end:
        month_end = _next_month(day.replace(day=1))
        if day.day == 1 and month_end <= whole:
            months.append(day)
            day = month_end
            continue
        if (
            day.weekday() == 0
            and _next_week(day) <= whole
            and (_next_week(day) <= month_end or _next_month(month_end) > whole)
        ):
            weeks.append(day)
            day = _next_week(day)
            continue
        stop = min(month_end, _monday(day) + timedelta(days=7), end)
        if days and days[-1][1] == day:
            days[-1] = (days[-1][0], stop)
        else:
            days.append((day, stop))
        day = stop
    return months, weeks, days


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
    out, rolled = {}, rolled_at() if spans else None
    for layer in layers:
        # A statement holds a SELECT per period: SQLite takes at most 500 in one compound SELECT.
        for first in range(0, len(layer), MAX_PERIODS):
            part = layer[first : first + MAX_PERIODS]
            for (j, key), values in _figures([spans[i] for i in part], people, rolled).items():
                out[(part[j], key)] = values
    return out


def _figures(spans, people: People, rolled: datetime | None) -> dict:
    alias = router.db_for_read(ActivityRollup)
    parts = []
    for i, span in enumerate(spans):  # one SELECT per period: its number is a constant, not a CASE per row
        months, weeks, days = _pieces(span, rolled)
        if not months and not weeks and not days:
            continue
        where = Q(pk__in=[])
        if months:
            where |= Q(span=MONTH, start__in=months)
        if weeks:
            where |= Q(span=WEEK, start__in=weeks)
        for first, end in days:
            where |= Q(span=DAY, start__gte=first, start__lt=end)
        rows = ActivityRollup.objects.filter(where, community__isnull=not people.by_community)
        if people.community is not None:
            rows = rows.filter(community=people.community)
        parts.append(
            rows.annotate(
                i=Value(i, IntegerField()), u=F("user_id"), c=F("community_id"), p=F("posts"), m=F("comments"),
                r=F("reactions"),
            ).values_list(*COLUMNS).order_by()
        )  # fmt: skip
    live_from = spans[0].start if rolled is None else max(spans[0].start, rolled)
    if live_from < spans[-1].end:
        bounds = [(s.start, s.end) for s in spans]
        parts += _content_rows(
            live_from, spans[-1].end, lambda f: _period_of(bounds, f), community=people.community
        )  # fmt: skip
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = compiled(union, alias)
    people_sql, people_params = compiled(_people(people), alias)
    # Per period and person (and community) first, a hash aggregate over the roll-up's rows alone,
    # then joined with who may count and per period and group: cheaper than COUNT(DISTINCT), which
    # sorts every row.
    inner_c = "a.c" if people.by_community else "NULL"
    joins, key, member, where = f"JOIN ({people_sql}) w ON w.pu = t.u", "w.gk", "1", ""
    params = [*params, *people_params]
    if people.keys is not None:
        key = "NULL"
    if people.by_community:
        members_sql, members_params = compiled(_members(), alias)
        joins += f" LEFT JOIN ({members_sql}) ms ON ms.mu = t.u AND ms.mc = t.c"
        params += members_params
        member = "CASE WHEN ms.mu IS NULL THEN 0 ELSE 1 END"
        if people.group == "community" and people.keys is None:
            key = "t.c"
        elif people.group == "community":
            where = f"WHERE t.c IN ({', '.join(['%s'] * len(people.keys))})"
            params += list(people.keys)
    grouped = "t.i" if key == "NULL" else f"t.i, {key}"
    rows = read(
        alias,
        f"SELECT t.i, {key}, SUM({member}), SUM(CASE WHEN t.p + t.m > 0 THEN {member} ELSE 0 END), "  # noqa: S608 - Django's SQL, params bound
        f"SUM(t.p), SUM(t.m), SUM(t.r) FROM (SELECT a.i, a.u, {inner_c} AS c, SUM(a.p) AS p, SUM(a.m) AS m, "
        f"SUM(a.r) AS r FROM ({sql}) a GROUP BY a.i, a.u{', a.c' if people.by_community else ''}) t {joins} {where} "
        f"GROUP BY {grouped}",
        params,
    )
    names = ("active_people", "contributors", "posts", "comments", "reactions")
    return {(i, key): dict(zip(names, map(int, values), strict=True)) for i, key, *values in rows if i is not None}


def period_index(spans, moment) -> int | None:
    """The index of the period `moment` falls in, or None."""
    i = bisect.bisect_right([s.start for s in spans], moment) - 1
    return i if i >= 0 and moment < spans[i].end else None
