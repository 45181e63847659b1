"""The digest of what matters: opt-in, daily or weekly, at most one per person and period, with
the selection, the most active conversations and the questions I could answer."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from animation.feeding import services
from animation.feeding.models import DigestDelivery, DigestSubscription
from animation.feeding.tasks import send_digest_task, send_digests_task
from communities.models import NotificationChannel, NotificationKind, NotificationPreference, Post
from communities.notifications.services import do_deliver_notifications
from communities.notifications.tasks import send_digests_task as daily_digests_task
from communities.services import do_create_comment, do_create_post, do_highlight_post
from communities.tests.factories import member
from directory.tests.factories import SkillFactory, UserSkillFactory

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
MONDAY = datetime(2026, 3, 9, 7, 30, tzinfo=TZ)
LAST_WEEK = MONDAY - timedelta(days=3)


@pytest.fixture
def reader(community, animator):
    person = member(community)
    UserSkillFactory(user=person, skill=SkillFactory(name="Kaizen", slug="kaizen"))
    with time_machine.travel(LAST_WEEK, tick=False):
        chosen = do_create_post(animator, community, title="Our best kaizen of the month", body_md="Read it")
        do_highlight_post(animator, chosen)
        busy = do_create_post(animator, community, title="Busy thread", body_md="Talk")
        for i in range(3):
            do_create_comment(member(community), busy, body_md=f"Comment {i}")
        do_create_post(
            member(community),
            community,
            kind=Post.Kind.QUESTION,
            title="Who knows kaizen boards?",
            body_md="For the #kaizen wall",
        )
    return person


def test_an_opted_in_member_gets_one_weekly_digest_with_the_selection(reader, client):
    client.force_login(reader)
    assert client.put("/api/v1/digest/", {"frequency": "weekly"}, content_type="application/json").json() == {
        "frequency": "weekly"
    }
    with time_machine.travel(MONDAY - timedelta(hours=1), tick=False):
        send_digests_task()
    assert not mail.outbox  # Monday 6:30: not yet
    with time_machine.travel(MONDAY, tick=False):
        send_digests_task()
        send_digests_task()
        send_digest_task(reader.pk, "2026-W11")  # a duplicate message
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email] and message.subject == "Your RSE weekly digest"
    body = message.body
    assert "The selection of your communities" in body and "Our best kaizen of the month" in body
    assert "The most active conversations" in body and "Busy thread" in body and "3 new comments" in body
    assert "Questions you could answer" in body and "Who knows kaizen boards?" in body
    assert "Stop the weekly digest with one click" in body
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        send_digests_task()
    assert len(mail.outbox) == 1  # later in the same week: nothing more
    assert DigestDelivery.objects.get().period == "2026-W11"


def test_nobody_gets_it_without_asking_and_a_daily_one_is_daily(reader, community):
    with time_machine.travel(MONDAY, tick=False):
        send_digests_task()
    assert not mail.outbox  # opt-in
    services.do_set_digest_frequency(reader, "daily")
    with time_machine.travel(LAST_WEEK + timedelta(hours=5), tick=False):
        send_digests_task()
        send_digests_task()
    with time_machine.travel(LAST_WEEK + timedelta(days=1, hours=1), tick=False):
        send_digests_task()
    assert [m.subject for m in mail.outbox] == ["Your RSE daily digest"] * 2


def test_a_worker_down_at_seven_sends_the_period_digest_when_it_comes_back(reader):
    services.do_set_digest_frequency(reader, "weekly")
    with time_machine.travel(MONDAY + timedelta(days=1, hours=4), tick=False):  # Tuesday
        send_digests_task()
    assert len(mail.outbox) == 1


def test_a_subscriber_gets_digest_notifications_in_it_not_in_the_daily_run(reader, community, animator):
    NotificationPreference.objects.create(user=reader, kind=NotificationKind.REPLY, channel=NotificationChannel.DIGEST)
    post = Post.objects.filter(community=community).first()
    do_deliver_notifications(NotificationKind.REPLY, [reader.pk], actor_id=animator.pk, post_id=post.pk)
    services.do_set_digest_frequency(reader, "weekly")
    daily_digests_task()
    assert not mail.outbox
    with time_machine.travel(MONDAY, tick=False):
        send_digests_task()
    assert len(mail.outbox) == 1 and "Your notifications" in mail.outbox[0].body


def test_a_failed_send_is_sent_by_the_retry_never_twice(reader, monkeypatch):
    from communities.notifications import emails

    services.do_set_digest_frequency(reader, "weekly")
    real = emails.send_digest_email

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(emails, "send_digest_email", broken)
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(ConnectionError):
            services.do_send_periodic_digest(reader.pk, "2026-W11")
        assert not DigestDelivery.objects.exists()
        monkeypatch.setattr(emails, "send_digest_email", real)
        assert services.do_send_periodic_digest(reader.pk, "2026-W11") > 0
        assert services.do_send_periodic_digest(reader.pk, "2026-W11") == 0
    assert len(mail.outbox) == 1


def test_the_settings_page_offers_the_weekly_choice_and_the_link_stops_it(reader, client):
    client.force_login(reader)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Every week, on Monday" in page
    data = {kind: NotificationChannel.IN_APP for kind in NotificationKind.values}
    client.post(reverse("notifications:preferences"), {**data, "digest_frequency": "weekly"})
    assert DigestSubscription.objects.get(user=reader).frequency == "weekly"
    from communities.notifications.emails import unsubscribe_token

    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(reader.pk, "digest")]))
    assert not DigestSubscription.objects.filter(user=reader).exists()
    assert client.put("/api/v1/digest/", {"frequency": "hourly"}, content_type="application/json").status_code == 400
