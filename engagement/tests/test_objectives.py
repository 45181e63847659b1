"""Objectives: each KPI of the catalogue on a hand-built community, progress against the target,
the chart and its CSV, and who may see or set them."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from animation.feeding.models import Pulse, PulseResponse
from communities.models import Acknowledgement, Community, Membership, Post, Reaction
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from directory.tests.factories import person
from engagement import kpis, metrics, selectors
from engagement.models import Objective
from repository.models import Item, ItemType

pytestmark = pytest.mark.django_db

JAN = metrics.Period("2026-01", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
FEB = metrics.Period("2026-02", datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def community():
    c = CommunityFactory(name="Quality")
    people = [person(first_name=f"M{i}").user for i in range(8)]
    for user in people:
        member(c, user)
    c.refresh_from_db()
    m = people
    q1 = PostFactory(community=c, author=m[0], kind=Post.Kind.QUESTION, created_at=at(1, 5))
    CommentFactory(post=q1, author=m[1], created_at=at(1, 5, 14))  # 4 h
    q2 = PostFactory(community=c, author=m[2], kind=Post.Kind.QUESTION, created_at=at(1, 10))
    CommentFactory(post=q2, author=m[3], created_at=at(1, 12, 10))  # 48 h
    PostFactory(community=c, author=m[2], kind=Post.Kind.QUESTION, created_at=at(1, 20))  # unanswered
    Reaction.objects.create(user=m[4], post=q1, created_at=at(1, 6))
    post = PostFactory(community=c, author=m[5], created_at=at(2, 3))
    item_type = ItemType.objects.create(name="Customer", slug="customer")
    post.items.add(Item.objects.create(item_type=item_type, name="ACME", external_id="acme"))
    news = PostFactory(
        community=c, author=m[0], kind=Post.Kind.ANNOUNCEMENT, requires_ack=True, created_at=at(2, 4), acks_count=2
    )
    for user in m[1:3]:
        Acknowledgement.objects.create(user=user, post=news)
    pulse = Pulse.objects.create(community=c)
    for i, score in enumerate([10, 9, 9, 7, 3]):
        PulseResponse.objects.create(pulse=pulse, user=m[i], score=score, created_at=at(2, 10))
    PulseResponse.objects.create(pulse=Pulse.objects.create(community=c), user=m[0], score=10, created_at=at(1, 10))
    return c


def test_each_kpi_against_a_hand_count(community):
    spans = [JAN, FEB]
    assert kpis.series(kpis.Kpi.ACTIVE_MEMBERS, spans, community) == [5, 2]  # m0 m1 m2 m3 m4 | m5 m0
    assert kpis.series(kpis.Kpi.CONTRIBUTORS, spans, community) == [4, 2]
    assert kpis.series(kpis.Kpi.ANSWERED_24H, spans, community) == [33.3, None]  # 1 of 3 within 24 h
    assert kpis.series(kpis.Kpi.MEDIAN_FIRST_ANSWER, spans, community) == [26.0, None]  # (4 + 48) / 2
    assert kpis.series(kpis.Kpi.ITEM_CONVERSATIONS, spans, community) == [0, 1]
    assert kpis.series(kpis.Kpi.ACK_RATE, spans, community) == [None, 25.0]  # 2 of 8 members
    # NPS: 5 answers in February (3 promoters, 1 detractor) = 40; 1 in January: hidden.
    assert kpis.series(kpis.Kpi.PULSE_NPS, spans, community) == [None, 40]
    # Company-wide, the same community is all there is.
    assert kpis.series(kpis.Kpi.ACTIVE_MEMBERS, spans) == [5, 2]


def test_progress_against_target_and_the_chart(community):
    objective = Objective.objects.create(
        community=community,
        kpi=kpis.Kpi.ACTIVE_MEMBERS,
        target=4,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 28),
    )
    progress = selectors.objective_progress(objective, today=date(2026, 12, 1))
    assert [p for p, _v in progress["points"]][:2] == ["2026-W01", "2026-W02"]
    assert progress["current"] == 6 and progress["reached"] is True  # m0 to m5
    lower = Objective.objects.create(
        community=community,
        kpi=kpis.Kpi.MEDIAN_FIRST_ANSWER,
        target=12,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
    )
    assert selectors.objective_progress(lower, today=date(2026, 12, 1))["reached"] is False
    future = Objective.objects.create(
        community=community, kpi=kpis.Kpi.PULSE_NPS, target=10, starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 1)
    )
    assert selectors.objective_progress(future)["started"] is False


def test_animator_sees_and_sets_objectives_of_their_community_only(client, community):
    animator = person(first_name="Ani").user
    member(community, animator, role=Membership.Role.ANIMATOR)
    other = CommunityFactory()
    client.force_login(animator)
    url = reverse("engagement:community", args=[community.slug])
    response = client.post(
        url, {"kpi": "contributors", "target": "5", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
    )
    assert response.status_code == 302
    objective = Objective.objects.get()
    page = client.get(url).content.decode()
    assert (
        "<svg" in page and "Contributors" in page and reverse("engagement:objective_data", args=[objective.pk]) in page
    )
    data = client.get(reverse("engagement:objective_data", args=[objective.pk])).content.decode()
    assert data.splitlines()[0] == "period,contributors,target"
    assert client.get(reverse("engagement:community", args=[other.slug])).status_code == 403
    assert client.get(reverse("engagement:objectives")).status_code == 403


def test_api_lists_and_creates_objectives(client, hr_analyst, community):
    client.force_login(hr_analyst)
    response = client.post(
        "/api/v1/engagement/objectives/",
        {"kpi": "pulse_nps", "target": 30, "starts_on": "2026-01-01", "ends_on": "2026-02-28"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["community"] is None
    client.post(
        "/api/v1/engagement/objectives/",
        {
            "community": community.slug,
            "kpi": "answered_24h",
            "target": 80,
            "starts_on": "2026-01-01",
            "ends_on": "2026-01-31",
        },
        content_type="application/json",
    )
    bad = client.post(
        "/api/v1/engagement/objectives/",
        {"kpi": "answered_24h", "target": 180, "starts_on": "2026-01-01", "ends_on": "2026-01-31"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    results = client.get("/api/v1/engagement/objectives/").json()["results"]
    assert {r["kpi"] for r in results} == {"pulse_nps", "answered_24h"}
    scoped = client.get(f"/api/v1/engagement/objectives/?community={community.slug}").json()["results"]
    assert [r["current"] for r in scoped] == [33.3]
    employee = person().user
    client.force_login(employee)
    assert client.get("/api/v1/engagement/objectives/").json()["results"] == []
    assert (
        client.post(
            "/api/v1/engagement/objectives/",
            {"kpi": "pulse_nps", "target": 30, "starts_on": "2026-01-01", "ends_on": "2026-02-28"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_objective_page_queries_grow_with_objectives_not_people(
    client, hr_analyst, community, django_assert_max_num_queries
):
    client.force_login(hr_analyst)
    Objective.objects.create(kpi="active_members", target=4, starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 28))
    with django_assert_max_num_queries(20):
        client.get(reverse("engagement:objectives"))
    for i in range(15):
        member(community, person(first_name=f"X{i}").user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("engagement:objectives")).status_code == 200
    assert Community.objects.count() == 1


def test_an_objective_over_two_centuries_is_refused_and_one_already_stored_breaks_no_page(client, community):
    """A new user's finding: an objective from 1900 to 2099 was accepted, and its weekly chart of
    ten thousand periods made the community's page and the API answer 503 for everyone."""
    animator = person(first_name="Ani").user
    member(community, animator, role=Membership.Role.ANIMATOR)
    client.force_login(animator)
    url = reverse("engagement:community", args=[community.slug])
    for starts_on, ends_on, target in [
        ("1900-01-01", "2099-12-31", "5"),  # too long
        ("9999-12-01", "9999-12-31", "5"),  # out of range
        ("2026-01-01", "2026-03-31", "-5"),  # a negative count
    ]:
        response = client.post(
            url, {"kpi": "active_members", "target": target, "starts_on": starts_on, "ends_on": ends_on}
        )
        assert response.status_code == 200 and not Objective.objects.exists(), (starts_on, ends_on, target)
        page = response.content.decode()
        assert '<details class="card" open>' in page  # the errors are in sight, not folded away
    # one stored before these rules (or through the admin) is shown over its last three years
    Objective.objects.create(
        community=community, kpi="active_members", target=5, starts_on=date(1900, 1, 1), ends_on=date(2099, 12, 31)
    )
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/engagement/objectives/", {"community": community.slug}).status_code == 200


def test_an_animator_deletes_an_objective_of_their_community(client, community):
    animator = person(first_name="Ani").user
    member(community, animator, role=Membership.Role.ANIMATOR)
    objective = Objective.objects.create(
        community=community, kpi="contributors", target=5, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    delete = reverse("engagement:objective_delete", args=[objective.pk])
    client.force_login(member(community))  # a member who does not animate it
    assert client.post(delete).status_code == 403
    client.force_login(animator)
    assert delete in client.get(reverse("engagement:community", args=[community.slug])).content.decode()
    response = client.post(delete)
    assert response.status_code == 302 and not Objective.objects.exists()
    # one stored before today's rules (two centuries long) is deleted all the same
    legacy = Objective.objects.create(
        community=community, kpi="active_members", target=5, starts_on=date(1900, 1, 1), ends_on=date(2099, 12, 31)
    )
    assert client.post(reverse("engagement:objective_delete", args=[legacy.pk])).status_code == 302
    assert not Objective.objects.exists()
