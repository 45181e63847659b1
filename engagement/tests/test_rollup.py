"""The activity roll-up: the figures read through it are the figures read from the content
tables, whatever part is rolled up; rolling up is idempotent; late deletions and opt-outs count."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from communities.models import Comment, Post, Reaction
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from directory.tests.factories import OrgUnitFactory, person
from engagement import kpis, metrics, rollup
from engagement.kpis import Scope
from engagement.models import ActivityRollup, AnalyticsOptOut
from engagement.tasks import roll_up_activity
from engagement.tests.test_privacy import build_world

pytestmark = pytest.mark.django_db


def midnight(*day):
    return rollup._aware(date(*day))


def everything():
    """Every figure the roll-up feeds: the exports of each grouping by month and week, and the
    dashboards' activity for the company, an org unit and a community, over periods cut anywhere."""
    out = {}
    for group_by in ["org_unit", "site", "community", "title"]:
        for granularity, since, until in [("month", date(2026, 1, 1), date(2026, 3, 31)),
                                          ("week", date(2026, 1, 7), date(2026, 3, 20))]:  # fmt: skip
            table = metrics.build_table(
                since=since, until=until, granularity=granularity, group_by=group_by, individual_rows=True
            )
            out[group_by, granularity] = (table.rows, sorted(map(str, table.individual_rows)))
    spans = [
        *metrics.periods(date(2026, 1, 10), date(2026, 3, 31), "month"),
        *metrics.periods(date(2026, 2, 3), date(2026, 2, 3), "week"),  # one day, overlapping the above
    ]
    scopes = [Scope()]
    if metrics.OrgUnit.objects.exists():
        scopes.append(Scope(org_unit=metrics.OrgUnit.objects.order_by("pk").first()))
    scopes += [Scope(community=c) for c in metrics.Community.objects.order_by("pk")]
    for i, scope in enumerate(scopes):
        out["activity", i] = kpis.activity(spans, scope)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_rolled_up_or_not_the_figures_are_the_same(seed, set_min_group_size):
    rng = random.Random(seed)  # noqa: S311 - test data
    set_min_group_size(3)
    build_world(rng, str(seed))
    live = everything()
    # January complete, February up to the 17th at 13:30 (that day in part), the rest live.
    half_day = midnight(2026, 2, 17) + timedelta(hours=13, minutes=30)
    assert rollup.roll_up(now=half_day)["rolled_at"] == half_day
    assert ActivityRollup.objects.filter(span="m", start=date(2026, 1, 1)).exists()
    assert not ActivityRollup.objects.filter(span="m", start=date(2026, 2, 1)).exists()
    assert ActivityRollup.objects.filter(span="w", start=date(2026, 2, 9)).exists()  # over on the 15th
    assert not ActivityRollup.objects.filter(span="w", start=date(2026, 2, 16)).exists()
    assert everything() == live
    rollup.roll_up(now=midnight(2026, 4, 2))  # every day rolled up, months complete
    assert ActivityRollup.objects.filter(span="m", start=date(2026, 3, 1)).exists()
    assert everything() == live


@pytest.fixture
def pair():
    unit = OrgUnitFactory(name="Ops")
    ana, ben = (person(first_name=n, org_unit=unit).user for n in ("Ana", "Ben"))
    c = CommunityFactory(name="Ops club")
    member(c, ana)
    member(c, ben)
    return ana, ben, c


def test_days_are_the_company_calendar_days_and_counted_by_hand(pair, settings):
    settings.TIME_ZONE = "Europe/Paris"
    ana, ben, c = pair
    post = PostFactory(community=c, author=ana, created_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    Reaction.objects.create(user=ana, post=post, created_at=datetime(2026, 2, 3, 9, tzinfo=UTC))
    # 31 January 23:30 UTC is 1 February 00:30 in Paris: a February comment.
    CommentFactory(post=post, author=ben, created_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    spans = metrics.periods(date(2026, 1, 1), date(2026, 2, 28), "month")
    expected = {
        "active_people": [1, 2], "contributors": [1, 1], "posts": [1, 0], "comments": [0, 1], "reactions": [0, 1],
    }  # fmt: skip
    assert kpis.activity(spans) == expected
    rollup.roll_up(now=midnight(2026, 3, 2))
    assert kpis.activity(spans) == expected
    assert ActivityRollup.objects.get(span="d", start=date(2026, 2, 1), community=c).comments == 1
    assert ActivityRollup.objects.get(span="m", start=date(2026, 2, 1), community=None, user=ana).reactions == 1


def rows():
    return sorted(
        ActivityRollup.objects.values_list(
            "span", "start", "user_id", "community_id", "posts", "comments", "reactions"
        ),
        key=str,
    )


def test_rolling_up_again_leaves_the_same_rows(pair):
    ana, ben, c = pair
    for day in range(1, 28):
        PostFactory(community=c, author=ana if day % 2 else ben, created_at=datetime(2026, 1, day, 12, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 2, 10))
    first = rows()
    # a row per day, then per week over (Monday 29 December to Monday 2 February: 5) and per month
    # (January), for each person, in the community and in total
    assert len(first) == 27 * 2 + 2 * 2 * 5 + 2 * 2
    rollup.roll_up(now=midnight(2026, 2, 10))
    rollup.roll_up(since=date(2026, 1, 1), now=midnight(2026, 2, 10))
    roll_up_activity.apply()  # the beat tasks, on today's date
    roll_up_activity.apply(kwargs={"lookback": True})
    call_command("rollup_engagement", "--since", "2026-01-01")
    assert rows() == first


def test_a_late_deletion_counts_once_its_days_are_rolled_up_again(pair, settings):
    settings.RSE_ENGAGEMENT_ROLLUP_DAYS = 7
    ana, _ben, c = pair
    recent = PostFactory(community=c, author=ana, created_at=datetime(2026, 3, 5, 12, tzinfo=UTC))
    old = PostFactory(community=c, author=ana, created_at=datetime(2026, 1, 5, 12, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 3, 10))
    spans = metrics.periods(date(2026, 1, 1), date(2026, 3, 31), "month")
    assert kpis.activity(spans)["posts"] == [1, 0, 1]
    Post.objects.filter(pk__in=[recent.pk, old.pk]).update(deleted_at=datetime(2026, 3, 10, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 3, 11))  # the day of the last run again: nothing older
    assert kpis.activity(spans)["posts"] == [1, 0, 1]
    rollup.roll_up(now=midnight(2026, 3, 11), lookback=True)  # the nightly run: the last 7 days
    assert kpis.activity(spans)["posts"] == [1, 0, 0]
    call_command("rollup_engagement", "--since", "2026-01-01")
    assert kpis.activity(spans)["posts"] == [0, 0, 0]


def test_an_opt_out_applies_to_rolled_up_days(pair):
    ana, ben, c = pair
    PostFactory(community=c, author=ana, created_at=datetime(2026, 1, 5, 12, tzinfo=UTC))
    Comment.objects.create(post=Post.objects.get(), author=ben, created_at=datetime(2026, 1, 6, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 2, 10))
    spans = metrics.periods(date(2026, 1, 1), date(2026, 1, 31), "month")
    assert kpis.activity(spans)["active_people"] == [2]
    AnalyticsOptOut.objects.create(user=ana)
    assert kpis.activity(spans) == {
        "active_people": [1], "contributors": [1], "posts": [0], "comments": [1], "reactions": [0]
    }  # fmt: skip


def test_reading_is_two_queries_whatever_the_periods(pair, assert_num_selects):
    ana, _ben, c = pair
    PostFactory(community=c, author=ana, created_at=datetime(2026, 1, 5, 12, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 2, 10))
    spans = metrics.periods(date(2025, 6, 1), date(2026, 5, 31), "week")
    with assert_num_selects(2):  # the roll-up's state, then one statement
        data = rollup.people_figures(spans, rollup.People(group="org_unit"))
    assert sum(v["posts"] for v in data.values()) == 1
    with assert_num_selects(2):
        data = rollup.people_figures(spans, rollup.People(group="community", keys=(c.pk,)))
    assert [v["active_people"] for v in data.values()] == [1]
    assert rollup.period_index(spans, datetime(2026, 1, 5, 12, tzinfo=UTC)) is not None
    assert rollup.period_index(spans, datetime(2027, 1, 1, tzinfo=UTC)) is None
    assert timedelta(days=7) == spans[1].end - spans[1].start


def test_a_period_is_read_from_whole_months_then_whole_weeks_then_days():
    span = metrics.periods(date(2026, 1, 10), date(2026, 3, 19), "month")  # three periods
    whole = metrics.Period("all", span[0].start, span[-1].end)
    months, weeks, days = rollup._pieces(whole, midnight(2026, 3, 31))
    assert months == [date(2026, 2, 1)]
    # the week of 26 January would stand in the way of February: days instead
    assert weeks == [date(2026, 1, 12), date(2026, 1, 19), date(2026, 3, 2), date(2026, 3, 9)]
    assert days == [
        (date(2026, 1, 10), date(2026, 1, 12)), (date(2026, 1, 26), date(2026, 2, 1)),
        (date(2026, 3, 1), date(2026, 3, 2)), (date(2026, 3, 16), date(2026, 3, 20)),
    ]  # fmt: skip
    # rolled up to the 4th of March at noon: what is over, then that day in part
    months, weeks, days = rollup._pieces(whole, midnight(2026, 3, 4) + timedelta(hours=12))
    assert months == [date(2026, 2, 1)] and weeks[-1] == date(2026, 1, 19)
    assert days[-2:] == [(date(2026, 1, 26), date(2026, 2, 1)), (date(2026, 3, 1), date(2026, 3, 5))]
    assert rollup._pieces(whole, None) == ([], [], [])


def test_three_years_by_week_is_read_in_parts_with_the_same_figures(pair):
    ana, _ben, c = pair
    for month in range(1, 13):
        PostFactory(community=c, author=ana, created_at=datetime(2025, month, 3, 12, tzinfo=UTC))
    rollup.roll_up(now=midnight(2026, 6, 1))
    spans = metrics.periods(date(2023, 6, 5), date(2026, 6, 1), "week")
    assert len(spans) > rollup.MAX_PERIODS
    together = kpis.activity(spans)
    assert sum(together["posts"]) == 12
    assert together == {name: [kpis.activity([s])[name][0] for s in spans] for name in together}
