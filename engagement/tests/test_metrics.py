"""Each metric on a small hand-built dataset, against values computed by hand."""

from datetime import UTC, date, datetime

import pytest

from communities.models import Post, Reaction
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from directory.tests.factories import OrgUnitFactory, SiteFactory, person
from engagement import metrics
from engagement.models import AnalyticsOptOut

pytestmark = pytest.mark.django_db


def at(day, hour=10):
    return datetime(2026, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def world():
    """Org units A (5 people), B (5), C (3); one community; January 2026."""
    site = SiteFactory(name="Lyon")
    units = {name: OrgUnitFactory(name=name) for name in "ABC"}
    people = {}
    for name, size in (("A", 5), ("B", 5), ("C", 3)):
        for i in range(1, size + 1):
            profile = person(first_name=f"{name}{i}", org_unit=units[name], site=site, job_title=f"Title {name}")
            people[f"{name.lower()}{i}"] = profile.user
    x = CommunityFactory(name="X")
    for user in people.values():
        member(x, user)
    p = people
    q1 = PostFactory(community=x, author=p["a1"], kind=Post.Kind.QUESTION, created_at=at(5, 10))
    CommentFactory(post=q1, author=p["a1"], created_at=at(5, 11))  # the asker's own comment is no answer
    CommentFactory(post=q1, author=p["b1"], created_at=at(5, 13))  # first answer after 3 h
    Reaction.objects.create(user=p["a2"], post=q1, created_at=at(6))
    PostFactory(community=x, author=p["a1"], created_at=at(10))
    q2 = PostFactory(community=x, author=p["c1"], kind=Post.Kind.QUESTION, created_at=at(12, 9))
    CommentFactory(post=q2, author=p["a3"], created_at=at(13, 9))  # 24 h
    Reaction.objects.create(user=p["c2"], post=q2, created_at=at(14))
    PostFactory(community=x, author=p["b2"], kind=Post.Kind.QUESTION, created_at=at(20))  # never answered
    # Outside the period, deleted, or by nobody in the population: not counted.
    PostFactory(community=x, author=p["b3"], created_at=datetime(2026, 2, 2, 10, tzinfo=UTC))
    PostFactory(community=x, author=p["b4"], created_at=at(21), deleted_at=at(22))
    return {"units": units, "people": people, "community": x}


def table(group_by, **kwargs):
    t = metrics.build_table(
        since=date(2026, 1, 1), until=date(2026, 1, 31), granularity="month", group_by=group_by, **kwargs
    )
    return {row[1]: dict(zip(metrics.COLUMNS, row, strict=True)) for row in t.rows}


def test_each_metric_by_org_unit_matches_the_hand_count(world, set_min_group_size):
    set_min_group_size(3)
    rows = table("org_unit")
    assert set(rows) == {"A", "B", "C"}
    assert rows["A"] == {
        "period": "2026-01", "group": "A", "headcount": 5, "active_people": 3, "contributors": 2, "posts": 2,
        "comments": 2, "reactions": 1, "questions": 1, "questions_answered": 1, "median_hours_to_first_answer": 3.0,
    }  # fmt: skip
    assert rows["B"] == {
        "period": "2026-01", "group": "B", "headcount": 5, "active_people": 2, "contributors": 2, "posts": 1,
        "comments": 1, "reactions": 0, "questions": 1, "questions_answered": 0, "median_hours_to_first_answer": None,
    }  # fmt: skip
    assert rows["C"] == {
        "period": "2026-01", "group": "C", "headcount": 3, "active_people": 2, "contributors": 1, "posts": 1,
        "comments": 0, "reactions": 1, "questions": 1, "questions_answered": 1, "median_hours_to_first_answer": 24.0,
    }  # fmt: skip


def test_by_community_counts_what_was_written_there(world, set_min_group_size):
    set_min_group_size(3)
    row = table("community")["X"]
    assert (row["headcount"], row["active_people"], row["contributors"]) == (13, 7, 5)
    assert (row["posts"], row["comments"], row["reactions"], row["questions"]) == (4, 3, 2, 3)
    assert (row["questions_answered"], row["median_hours_to_first_answer"]) == (2, 13.5)


def test_weeks_split_the_period(world, set_min_group_size):
    set_min_group_size(3)
    t = metrics.build_table(since=date(2026, 1, 5), until=date(2026, 1, 18), granularity="week", group_by="site")
    assert [(r[0], r[1], r[5]) for r in t.rows] == [("2026-W02", "Lyon", 2), ("2026-W03", "Lyon", 1)]


def test_small_groups_merge_into_other_and_a_small_other_is_suppressed_with_a_complement(world, set_min_group_size):
    set_min_group_size(5)
    rows = table("org_unit")
    # C (3 people) is merged into "other", which is under 5: it is hidden, and so is the smallest
    # shown group (A, 5 people, the first by id among equals), or B's and the total would give C.
    assert rows["other"]["headcount"] is None and rows["other"]["posts"] is None
    assert rows["A"]["posts"] is None and rows["A"]["headcount"] is None
    assert rows["B"]["posts"] == 1 and rows["B"]["headcount"] == 5
    assert "C" not in rows


def test_an_other_big_enough_is_shown(world, set_min_group_size):
    set_min_group_size(3)
    d1 = person(first_name="D1", job_title="Title D").user
    person(first_name="D2", job_title="Title D")
    person(first_name="E1", job_title="=cmd|' /C calc'!A0")
    PostFactory(community=world["community"], author=d1, created_at=at(7))
    rows = table("title")
    assert rows["Title A"]["posts"] == 2 and rows["Title C"]["posts"] == 1
    assert rows["other"]["headcount"] == 3 and rows["other"]["posts"] == 1
    assert rows["other"]["active_people"] == 1 and rows["other"]["contributors"] == 1
    assert "Title D" not in rows and "=cmd|' /C calc'!A0" not in rows


def test_opted_out_people_are_left_out_from_the_next_computation(world, set_min_group_size):
    set_min_group_size(3)
    AnalyticsOptOut.objects.create(user=world["people"]["a1"])
    row = table("org_unit")["A"]
    assert (row["headcount"], row["posts"], row["questions"]) == (4, 0, 0)


def test_individual_rows_are_pseudonymised_and_skip_opted_out_people(world, set_min_group_size):
    set_min_group_size(3)
    AnalyticsOptOut.objects.create(user=world["people"]["b1"])
    t = metrics.build_table(
        since=date(2026, 1, 1), until=date(2026, 1, 31), granularity="month", group_by="site", individual_rows=True
    )
    labels = [row[1] for row in t.individual_rows]
    assert all(label.startswith("P-") for label in labels)
    assert len(labels) == 6  # a1 a2 a3 c1 c2 b2 active; b1 opted out
    named = metrics.build_table(
        since=date(2026, 1, 1),
        until=date(2026, 1, 31),
        granularity="month",
        group_by="site",
        individual_rows=True,
        names=True,
    )
    assert "B1 Example" not in [row[1] for row in named.individual_rows]
    assert "A1 Example" in [row[1] for row in named.individual_rows]


def test_the_queries_do_not_grow_with_the_people(world, set_min_group_size, django_assert_max_num_queries):
    set_min_group_size(3)
    with django_assert_max_num_queries(12):
        table("org_unit")
    for i in range(20):
        person(first_name=f"New{i}", org_unit=world["units"]["A"])
    with django_assert_max_num_queries(12):
        table("org_unit")


def test_a_secret_community_is_never_named_in_an_export(world, set_min_group_size, client, hr_analyst):
    from communities.models import Community

    set_min_group_size(3)
    secret = CommunityFactory(name="Project Aurora", visibility=Community.Visibility.SECRET)
    for user in list(world["people"].values())[:6]:
        member(secret, user)
    PostFactory(community=secret, author=world["people"]["a1"], created_at=at(8))
    rows = table("community")
    assert "Project Aurora" not in rows  # 6 people, yet merged into "other"
    assert (rows["other"]["headcount"], rows["other"]["posts"]) == (6, 1)
    client.force_login(hr_analyst)
    assert client.get(f"/engagement/communities/{secret.slug}/").status_code == 404
