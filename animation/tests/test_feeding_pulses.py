"""Pulses: one answer per person, results hidden below 5 answers, NPS in SQL; the welcome
message; inviting quiet members back by hand."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from animation.feeding import selectors, services
from animation.feeding.models import PulseResponse
from communities.models import Community, Membership, Notification, NotificationKind
from communities.services import do_create_post, do_join_community
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_pulse_asks_every_member_and_takes_one_answer_each(community, animator, client,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    members = [member(community) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        pulse = services.do_create_pulse(animator, community, questions=["What should we change?"])
    asked = Notification.objects.filter(kind=NotificationKind.PULSE)
    assert {n.recipient_id for n in asked} == {m.pk for m in members}
    client.force_login(members[0])
    url = reverse("animation:pulse_answer", args=[community.slug, pulse.pk])
    assert client.get(reverse("notifications:open", args=[asked.filter(recipient=members[0]).get().pk])).url == url
    question = pulse.questions.get()
    assert client.post(url, {"score": "9", f"q{question.pk}": "More events"}).status_code == 302
    assert "You answered this pulse" in client.get(url).content.decode()
    again = client.post(f"/api/v1/pulses/{pulse.pk}/answers/", {"score": 3}, content_type="application/json")
    assert again.status_code == 400 and "already answered" in str(again.json())
    assert PulseResponse.objects.get(pulse=pulse).score == 9
    for bad in (11, -1, "ten", None, True):
        client.force_login(members[1])
        r = client.post(f"/api/v1/pulses/{pulse.pk}/answers/", {"score": bad}, content_type="application/json")
        assert r.status_code == 400, bad


def test_results_are_hidden_below_five_answers_then_show_distribution_and_nps(community, animator, api):
    pulse = services.do_create_pulse(animator, community)
    scores = [10, 9, 9, 7]
    for score in scores:
        services.do_answer_pulse(member(community), pulse, score=score)
    hidden = api.get(f"/api/v1/pulses/{pulse.pk}/results/").json()
    assert hidden["responses"] == 4 and hidden["hidden"] and hidden["nps"] is None and hidden["distribution"] is None
    for score in (3, 0, 10, 8, 6, 9):
        services.do_answer_pulse(member(community), pulse, score=score)
    data = api.get(f"/api/v1/pulses/{pulse.pk}/results/").json()
    # 10 answers: promoters 10,9,9,10,9 = 5; detractors 3,0,6 = 3 → NPS = 50 − 30 = 20.
    assert data["responses"] == 10 and data["nps"] == 20 and data["promoters"] == 5 and data["detractors"] == 3
    assert data["distribution"] == [1, 0, 0, 1, 0, 0, 1, 1, 1, 3, 2]
    page = api.get(reverse("animation:pulse_results", args=[community.slug, pulse.pk])).content.decode()
    assert "10 answers" in page and "<strong>20</strong>" in page


def test_nps_for_a_period_is_computed_in_sql(community, animator, django_assert_num_queries):
    pulse = services.do_create_pulse(animator, community)
    start = timezone.now()
    for i, score in enumerate([10, 10, 10, 2, 8, 9]):
        with time_machine.travel(start + timedelta(days=i), tick=False):
            services.do_answer_pulse(member(community), pulse, score=score)
    with django_assert_num_queries(1):
        early = selectors.nps_for(community, start - timedelta(hours=1), start + timedelta(days=3, hours=1))
    assert early == {"responses": 4, "promoters": 3, "detractors": 1, "passives": 0, "nps": None}
    whole = selectors.nps_for(community, start - timedelta(hours=1), start + timedelta(days=10))
    assert whole["responses"] == 6 and whole["nps"] == round(100 * (4 - 1) / 6)


def test_pulses_for_members_results_for_animators_nothing_for_outsiders(community, animator, api, client):
    created = api.post(f"/api/v1/communities/{community.slug}/pulses/", {"questions": ["Why?"] * 4},
                       content_type="application/json")  # fmt: skip
    assert created.status_code == 400
    created = api.post(f"/api/v1/communities/{community.slug}/pulses/", {"questions": ["Why?"]},
                       content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["questions"][0]["text"] == "Why?"
    pk = created.json()["id"]
    assert api.get(f"/api/v1/communities/{community.slug}/pulses/").json()["results"][0]["id"] == pk
    reader = UserFactory()  # reads an open community without being a member
    client.force_login(reader)
    assert (
        client.post(f"/api/v1/pulses/{pk}/answers/", {"score": 5}, content_type="application/json").status_code == 403
    )
    client.force_login(member(community))
    assert client.get(f"/api/v1/pulses/{pk}/results/").status_code == 403
    assert (
        client.post(f"/api/v1/pulses/{pk}/answers/", {"score": 5}, content_type="application/json").status_code == 201
    )
    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    owner = member(secret, role=Membership.Role.OWNER)
    hidden = services.do_create_pulse(owner, secret)
    client.force_login(reader)
    assert client.get(f"/api/v1/pulses/{hidden.pk}/results/").status_code == 404
    assert client.post(f"/api/v1/pulses/{hidden.pk}/answers/", {"score": 5},
                       content_type="application/json").status_code == 404  # fmt: skip


def test_the_pulse_list_costs_the_same_for_one_and_many(community, animator, api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/api/v1/communities/{community.slug}/pulses/"
    services.do_create_pulse(animator, community, questions=["A"])
    api.get(url)
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for _ in range(4):
        services.do_create_pulse(animator, community, questions=["B", "C"])
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get(url).json()["results"]) == 5


def test_new_members_get_the_welcome_message_once(community, animator, client, django_capture_on_commit_callbacks):
    services.do_update_feeding_settings(animator, community, welcome_md="Welcome! Start with the **FAQ**.")
    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        do_join_community(newcomer, community)
    from animation.feeding.tasks import send_welcome_task

    with django_capture_on_commit_callbacks(execute=True):
        send_welcome_task(community.pk, newcomer.pk)  # twice is once
    welcome = Notification.objects.get(recipient=newcomer, kind=NotificationKind.WELCOME)
    from communities.notifications.texts import excerpt

    assert excerpt(welcome) == "Welcome! Start with the FAQ."
    silent = CommunityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        do_join_community(newcomer, silent)  # no welcome message written: nothing
    assert Notification.objects.filter(recipient=newcomer, kind=NotificationKind.WELCOME).count() == 1


def test_quiet_members_are_invited_back_by_hand_with_one_message(community, animator, client,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    long_ago = timezone.now() - timedelta(days=90)
    with time_machine.travel(long_ago, tick=False):
        quiet, talker = member(community), member(community)
    do_create_post(talker, community, body_md="Still here")
    assert [m.user for m in selectors.quiet_members(community)] == [quiet]
    client.force_login(animator)
    url = reverse("animation:quiet", args=[community.slug])
    assert quiet.display_name in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body_md": "We miss you: come and see the new FAQ!", "user_ids": [str(quiet.pk)]})
    assert response.status_code == 302
    told = Notification.objects.get(kind=NotificationKind.ANIMATOR_MESSAGE)
    assert told.recipient == quiet
    client.force_login(quiet)
    page = client.get(reverse("notifications:open", args=[told.pk]), follow=True).content.decode()
    assert "We miss you" in page
    client.force_login(talker)
    assert (
        client.get(reverse("animation:message", args=[community.slug, told.dedupe_key.rpartition(":r")[2]])).status_code
        == 404
    )
