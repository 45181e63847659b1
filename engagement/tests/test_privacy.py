"""The minimum group size and complementary suppression, attacked: in many random organisations,
for every grouping, granularity and a random period, an analyst who knows the true company totals
subtracts the shown rows and must never isolate figures about fewer than `min_group_size` people;
and the groups hidden never change with the period or granularity, so comparing exports does not
help either."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from communities.models import Comment, Community, Membership, Post, Reaction
from directory.models import OrgUnit, Profile, Site
from engagement import metrics, privacy
from engagement.models import AnalyticsOptOut
from rse.accounts.models import User

pytestmark = pytest.mark.django_db

ADDITIVE = ["posts", "comments", "reactions", "questions"]
PARTITION_PEOPLE = ["headcount", "active_people", "contributors"]


def build_world(rng: random.Random, tag: str):
    units = OrgUnit.objects.bulk_create(
        [OrgUnit(name=f"U{tag}-{i}", slug=f"u{tag}-{i}") for i in range(rng.randint(1, 6))]
    )
    sites = Site.objects.bulk_create([Site(name=f"S{tag}-{i}", slug=f"s{tag}-{i}") for i in range(rng.randint(1, 4))])
    titles = [f"T{i}" for i in range(rng.randint(1, 5))] + ["=SUM(A1)", ""]
    n = rng.randint(4, 36)
    users = User.objects.bulk_create([User(email=f"w{tag}-{i}@example.com") for i in range(n)])

    def skewed(options):  # a few big groups and a tail of tiny ones
        return options[min(int(rng.expovariate(0.9)), len(options) - 1)]

    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                org_unit=skewed(units) if rng.random() > 0.1 else None,
                site=skewed(sites),
                job_title=skewed(titles),
            )
            for u in users
        ]
    )
    opted = [u for u in users if rng.random() < 0.1]
    AnalyticsOptOut.objects.bulk_create([AnalyticsOptOut(user=u) for u in opted])
    communities = Community.objects.bulk_create(
        [Community(name=f"C{tag}-{i}", slug=f"c{tag}-{i}") for i in range(rng.randint(1, 5))]
    )
    Membership.objects.bulk_create(
        [Membership(community=c, user=u) for c in communities for u in users if rng.random() < 0.5]
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def when():
        return start + timedelta(hours=rng.randint(0, 24 * 90))

    posts = Post.objects.bulk_create(
        [
            Post(
                community=rng.choice(communities),
                author=rng.choice(users),
                kind=rng.choice([Post.Kind.DISCUSSION, Post.Kind.QUESTION]),
                created_at=when(),
            )
            for _ in range(rng.randint(0, 40))
        ]
    )
    comments = []
    if posts:
        comments = Comment.objects.bulk_create(
            [
                Comment(post=rng.choice(posts), author=rng.choice(users), created_at=when())
                for _ in range(rng.randint(0, 40))
            ]
        )
    seen, reactions = set(), []
    for _ in range(rng.randint(0, 40)):
        if not posts:
            break
        user, post = rng.choice(users), rng.choice(posts)
        if (user.pk, post.pk) not in seen:
            seen.add((user.pk, post.pk))
            reactions.append(Reaction(user=user, post=post, created_at=when()))
    Reaction.objects.bulk_create(reactions)
    return users, posts, comments, reactions


def truth_totals(period, posts, comments, reactions):
    """The company-wide totals the analyst is assumed to know (another export, a report)."""
    counted = set(privacy.population().values_list("pk", flat=True))
    inside = lambda x: period.start <= x.created_at < period.end  # noqa: E731
    return {
        "posts": sum(1 for p in posts if inside(p) and p.author_id in counted),
        "questions": sum(1 for p in posts if inside(p) and p.author_id in counted and p.kind == Post.Kind.QUESTION),
        "comments": sum(1 for c in comments if inside(c) and c.author_id in counted),
        "reactions": sum(1 for r in reactions if inside(r) and r.user_id in counted),
        "headcount": len(counted),
    }


def people_truth(group_by, period, posts, comments, reactions):
    """{group key: (active people, contributors)} counted in Python, for partitions."""
    counted = set(privacy.population().values_list("pk", flat=True))
    field = {"org_unit": "org_unit_id", "site": "site_id", "title": "job_title"}[group_by]
    group_of = {p.user_id: getattr(p, field) for p in Profile.objects.filter(user_id__in=counted)}
    inside = lambda x: period.start <= x.created_at < period.end  # noqa: E731
    contributed = {p.author_id for p in posts if inside(p)} | {c.author_id for c in comments if inside(c)}
    active = contributed | {r.user_id for r in reactions if inside(r)}
    out = defaultdict(lambda: [0, 0])
    for user_id in active & counted:
        out[group_of[user_id]][0] += 1
    for user_id in contributed & counted:
        out[group_of[user_id]][1] += 1
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("seed", range(10))
def test_no_hidden_figure_can_be_recovered(seed, set_min_group_size):
    rng = random.Random(seed)  # noqa: S311 - test data
    min_size = rng.choice([3, 4, 5, 6])
    set_min_group_size(min_size)
    users, posts, comments, reactions = build_world(rng, str(seed))
    for group_by in ["org_unit", "site", "community", "title"]:
        grouping = metrics.grouping_for(group_by)
        headcounts = grouping.base_keys()
        hidden_sets = set()
        for granularity in ["month", "week"]:
            since = date(2026, 1, 1) + timedelta(days=rng.randint(0, 40))
            until = since + timedelta(days=rng.randint(0, 50))
            table = metrics.build_table(since=since, until=until, granularity=granularity, group_by=group_by)
            decision = table.decision
            residual = [*decision.suppressed, *([] if decision.other_shown else decision.merged)]
            hidden_sets.add((tuple(decision.merged), tuple(sorted(residual, key=str))))
            # 1. No shown row is about fewer than min_size people.
            for row in table.rows:
                values = dict(zip(metrics.COLUMNS, row, strict=True))
                if values["posts"] is not None:
                    assert values["headcount"] >= min_size, (group_by, row)
                else:
                    assert all(values[m] is None for m in metrics.METRICS)
            # 2. Total minus the shown rows covers nobody, at least min_size people, or everyone
            #    (nothing shown: the analyst learns nothing beyond the total they knew).
            if residual and (decision.shown or decision.other_shown):
                people = grouping.union_count(residual, headcounts)
                assert people >= min_size, (group_by, residual, people)
            # 3. The attack works as the analyst thinks (the shown figures are true), and what it
            #    gives is the sum over the residual groups, never one small group alone.
            by_period = defaultdict(list)
            for row in table.rows:
                by_period[row[0]].append(dict(zip(metrics.COLUMNS, row, strict=True)))
            for period in metrics.periods(since, until, granularity):
                totals = truth_totals(period, posts, comments, reactions)
                shown = [r for r in by_period[period.label] if r["posts"] is not None]
                for metric in ADDITIVE:
                    recovered = totals[metric] - sum(r[metric] for r in shown)
                    assert recovered >= 0
                    if not residual:
                        assert recovered == 0, (group_by, metric)
                if not grouping.overlapping and not residual:
                    assert sum(r["headcount"] for r in shown) == totals["headcount"]
                if not grouping.overlapping:
                    # The distinct counts of every shown group are the true ones.
                    truth = people_truth(group_by, period, posts, comments, reactions)
                    label_of = grouping.labels(list(headcounts))
                    key_of = {label_of[k]: k for k in headcounts}
                    for row in shown:
                        if row["group"] in key_of:
                            active, contributors = truth.get(key_of[row["group"]], (0, 0))
                            assert (row["active_people"], row["contributors"]) == (active, contributors), row
        # 4. The same groups are hidden whatever the period and granularity.
        assert len(hidden_sets) == 1, group_by


def test_decide_hides_the_smallest_groups_until_enough_people_are_hidden():
    counts = {"a": 10, "b": 6, "c": 2, "d": 1}
    decision = privacy.decide(counts, 5, lambda keys: sum(counts[k] for k in keys))
    assert decision.merged == ["c", "d"] and not decision.other_shown
    assert decision.suppressed == ["b"] and decision.shown == ["a"]
    decision = privacy.decide({"a": 10, "c": 3, "d": 2}, 5, lambda keys: sum({"c": 3, "d": 2}[k] for k in keys))
    assert decision.other_shown and decision.shown == ["a"] and decision.suppressed == []
    decision = privacy.decide({"a": 2, "b": 1}, 5, lambda keys: sum({"a": 2, "b": 1}[k] for k in keys))
    assert decision.shown == [] and not decision.other_shown


def test_the_minimum_is_never_below_three(set_min_group_size):
    set_min_group_size(1)
    assert privacy.min_group_size() == 3
