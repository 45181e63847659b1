"""Recurring prompts: one per weekly slot, in order, even run twice or after a worker was down;
the animators are warned when the list runs dry."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from animation.feeding import services
from animation.feeding.models import Prompt
from animation.feeding.tasks import publish_due_prompt_task, publish_due_prompts_task
from communities.models import Membership, Notification, NotificationKind, Post
from communities.tests.factories import member

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)  # a Monday, before the 9:00 slot


@pytest.fixture
def scheduled(community, animator):
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):
        services.do_set_prompt_schedule(animator, community, weekday=0, hour=9)
        for title in ("First question?", "Second question?", "Third question?"):
            services.do_add_prompt(animator, community, title=title)
    return community


def _titles(community):
    return list(Post.objects.filter(community=community).order_by("id").values_list("title", flat=True))


def test_one_prompt_per_week_in_order_even_run_twice(scheduled, django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY, tick=False):
        publish_due_prompts_task()
    assert _titles(scheduled) == []
    with time_machine.travel(MONDAY + timedelta(hours=1, minutes=2), tick=False):
        publish_due_prompts_task()
        publish_due_prompts_task()
        publish_due_prompt_task(scheduled.pk)
    assert _titles(scheduled) == ["First question?"]
    assert Post.objects.get(community=scheduled).kind == "question"
    with time_machine.travel(MONDAY + timedelta(days=7, hours=1, minutes=5), tick=False):
        publish_due_prompts_task()
    assert _titles(scheduled) == ["First question?", "Second question?"]


def test_a_worker_down_for_weeks_publishes_one_prompt_when_it_comes_back(scheduled):
    with time_machine.travel(MONDAY + timedelta(days=21, hours=5), tick=False):
        publish_due_prompts_task()
        publish_due_prompts_task()
    assert _titles(scheduled) == ["First question?"]
    prompt = Prompt.objects.get(status="published")
    assert timezone.localtime(prompt.slot_at).hour == 9 and prompt.slot_at.weekday() == 0


def test_the_animators_hear_once_when_the_list_runs_dry(scheduled, animator, django_capture_on_commit_callbacks):
    owner = member(scheduled, role=Membership.Role.OWNER)
    for week in range(4):
        with time_machine.travel(MONDAY + timedelta(days=7 * week, hours=2), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                publish_due_prompts_task()
                publish_due_prompts_task()
    assert _titles(scheduled) == ["First question?", "Second question?", "Third question?"]
    alerts = Notification.objects.filter(recipient=owner, kind=NotificationKind.ANIMATION_ALERT)
    # Week 2 (one left), week 3 (none left), week 4 (nothing to publish): once per slot, never twice.
    assert alerts.count() == 3


def test_the_api_lists_adds_and_schedules_members_get_403(api, community, client):
    url = f"/api/v1/communities/{community.slug}/prompts/"
    assert (
        api.put(url + "schedule/", {"weekday": 2, "hour": 10}, content_type="application/json").json()["weekday"] == 2
    )
    assert api.put(url + "schedule/", {"weekday": 9, "hour": 30}, content_type="application/json").status_code == 400
    assert api.post(url, {"title": "What did you learn this week?"}, content_type="application/json").status_code == 201
    assert api.post(url, {"title": ""}, content_type="application/json").status_code == 400
    data = api.get(url).json()
    assert data["queued"] == 1 and data["running_dry"] is True and data["results"][0]["position"] == 1
    client.force_login(member(community))
    assert client.get(url).status_code == 403


def test_the_prompts_page_warns_when_the_list_runs_dry(scheduled, animator, client):
    from django.urls import reverse

    client.force_login(animator)
    url = reverse("animation:prompts", args=[scheduled.slug])
    assert "runs dry" not in client.get(url).content.decode()
    Prompt.objects.filter(title__in=["Second question?", "Third question?"]).delete()
    assert "The list runs dry: 1 prompt left" in client.get(url).content.decode()


def test_the_prompt_list_costs_the_same_for_one_and_many(api, community, animator, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/api/v1/communities/{community.slug}/prompts/"
    services.do_add_prompt(animator, community, title="One?")
    api.get(url)
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for i in range(6):
        services.do_add_prompt(animator, community, title=f"More {i}?")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get(url).json()["results"]) == 7
    page = f"/c/{community.slug}/animate/prompts/"
    api.get(page)
    with CaptureQueriesContext(connection) as one_page:
        api.get(page)
    services.do_add_prompt(animator, community, title="Last?")
    with django_assert_num_queries(len(one_page.captured_queries)):
        api.get(page)
