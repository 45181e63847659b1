"""Nudges: an unanswered question goes to at most 3 people whose skills or accepted answers
match, each nudged at most 3 times a week, only if they keep this kind of notification."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from animation.feeding import services
from animation.feeding.models import Nudge
from animation.feeding.tasks import nudge_question_task, nudge_questions_task
from communities.models import Notification, NotificationChannel, NotificationKind, NotificationPreference, Post
from communities.services import do_accept_answer, do_create_comment, do_create_post
from communities.tests.factories import CommunityFactory, member
from directory.tests.factories import SkillFactory, UserSkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def python():
    return SkillFactory(name="Python", slug="python")


def _experts(python, n):
    return [UserSkillFactory(skill=python).user for _ in range(n)]


def _question(community, author=None, title="Which #python linter?"):
    author = author or member(community)
    return do_create_post(author, community, kind=Post.Kind.QUESTION, title=title, body_md="#python")


def _nudged(post):
    return set(
        Notification.objects.filter(kind=NotificationKind.NUDGE, post=post).values_list("recipient_id", flat=True)
    )


def test_an_unanswered_question_goes_to_three_matching_people_once(
    community, python, django_capture_on_commit_callbacks
):
    experts = _experts(python, 4)
    question = _question(community)
    now = timezone.now()
    with time_machine.travel(now + timedelta(hours=23), tick=False):
        nudge_questions_task()
    assert not Nudge.objects.exists()
    with time_machine.travel(now + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nudge_questions_task()
            nudge_questions_task()
            nudge_question_task(question.pk)
    assert len(_nudged(question)) == 3 and _nudged(question) <= {u.pk for u in experts}
    assert Nudge.objects.count() == 3


def test_a_person_is_nudged_at_most_three_times_a_week_and_can_switch_it_off(
    community, python, django_capture_on_commit_callbacks
):
    [expert] = _experts(python, 1)
    quiet = UserSkillFactory(skill=python).user
    NotificationPreference.objects.create(user=quiet, kind=NotificationKind.NUDGE, channel=NotificationChannel.OFF)
    start = timezone.now()
    questions = [_question(community, title=f"#python question {i}") for i in range(5)]
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nudge_questions_task()
    assert Nudge.objects.filter(user=expert).count() == 3
    assert not Nudge.objects.filter(user=quiet).exists()
    assert sum(expert.pk in _nudged(q) for q in questions) == 3
    later = _question(community, title="#python next week")
    with time_machine.travel(start + timedelta(days=9), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nudge_questions_task()
    assert expert.pk in _nudged(later)


def test_past_accepted_answers_count_and_the_community_delay_is_respected(community, animator,
                                                                         django_capture_on_commit_callbacks):  # fmt: skip
    helper = member(community)
    asker = member(community)
    old = _question(community, author=asker, title="An old one")
    answer = do_create_comment(helper, old, body_md="Like this")
    do_accept_answer(asker, old, answer)
    services.do_update_feeding_settings(animator, community, nudge_after_hours=48)
    question = _question(community, author=asker, title="A new one")
    now = timezone.now()
    with time_machine.travel(now + timedelta(hours=25), tick=False):
        nudge_questions_task()
    assert not _nudged(question)
    with time_machine.travel(now + timedelta(hours=49), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nudge_questions_task()
    assert _nudged(question) == {helper.pk}


def test_nobody_outside_a_private_community_is_nudged_and_answered_questions_are_left(
    python, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility="private")
    outsider = UserSkillFactory(skill=python).user
    insider = member(private)
    UserSkillFactory(skill=python, user=insider)
    asked = _question(private)
    answered = _question(private, title="#python answered")
    do_create_comment(insider, answered, body_md="Ruff")
    with time_machine.travel(timezone.now() + timedelta(hours=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nudge_questions_task()
    assert _nudged(asked) == {insider.pk} and outsider.pk not in _nudged(asked)
    assert not _nudged(answered)
