"""Issue 10 "Done when" (seeding and feeding), as the demo community manager lives it in a
browser: create a community from a template, schedule a post and see it appear on time, run a
pulse; an opted-in member receives a weekly digest with the selection. The pages fit 375 px."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from animation.feeding.models import DigestSubscription
from animation.feeding.tasks import send_digests_task
from animation.seeding.models import ScheduledPost
from animation.seeding.tasks import publish_due_posts_task
from communities.models import Community, Post
from communities.services import do_highlight_post
from communities.tests.factories import member
from rse.accounts.tests.factories import UserFactory
from rse.lib.testing.browser import fits_a_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_the_community_manager_seeds_and_feeds_and_a_member_gets_the_weekly_digest(page, live_server):
    camille = UserFactory(email="camille.durand@demo.rse.example", first_name="Camille", last_name="Durand")
    marc = UserFactory(email="marc.dubois@demo.rse.example", first_name="Marc", last_name="Dubois")

    # A community from the "Community of practice" template: charter, hashtags, starter posts.
    _log_in(page, camille)
    page.goto("/communities/new/")
    page.get_by_label("Start from a template").select_option(label="Community of practice")
    page.get_by_label("Name").fill("Lean practitioners")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Lean practitioners")).to_be_visible()
    expect(page.get_by_text("Welcome! Start here").first).to_be_visible()
    community = Community.objects.get(name="Lean practitioners")
    assert community.posts_count == 4 and "Charter" in community.description_md
    member(community, marc)

    # Schedule a post for two minutes from now, see it in the queue, then published on time.
    page.get_by_role("link", name="Animate").click()
    page.get_by_role("navigation", name="Animation tools").get_by_role("link", name="Scheduled posts").click()
    at = (timezone.localtime() + timedelta(minutes=2)).replace(second=0, microsecond=0)
    page.get_by_label("Title").fill("Our first kaizen challenge")
    page.get_by_label("Text").fill("Share one small improvement this week.")
    page.get_by_label("Publish at").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    queue = page.locator("#scheduled-queue")
    expect(queue.get_by_text("Our first kaizen challenge")).to_be_visible()
    assert fits_a_phone(page)
    with time_machine.travel(at - timedelta(seconds=30), tick=False):
        publish_due_posts_task()
    assert not Post.objects.filter(title="Our first kaizen challenge").exists()
    with time_machine.travel(at + timedelta(seconds=5), tick=False):
        publish_due_posts_task()
    page.goto(f"/c/{community.slug}/")
    expect(page.get_by_role("link", name="Our first kaizen challenge")).to_be_visible()
    assert ScheduledPost.objects.get().published_at == at + timedelta(seconds=5)

    # Run a pulse: the results wait for 5 answers.
    page.goto(f"/c/{community.slug}/animate/pulses/")
    page.get_by_label("Optional question 1").fill("What should we change first?")
    page.get_by_role("button", name="Send the pulse").click()
    expect(page.get_by_text("0 answers")).to_be_visible()
    expect(page.get_by_text("Results appear from 5 answers")).to_be_visible()
    assert fits_a_phone(page)

    # Marc answers the pulse, asks for the weekly digest in his settings, and gets it on Monday.
    post = Post.objects.get(title="Our first kaizen challenge")
    do_highlight_post(camille, post)
    page.context.clear_cookies()
    _log_in(page, marc)
    page.goto("/notifications/")
    asked = page.get_by_role("link", name="Lean practitioners asks your opinion").first
    page.goto(asked.get_attribute("href"))
    page.get_by_label("10", exact=True).check()
    page.get_by_label("What should we change first?").fill("Nothing yet!")
    assert fits_a_phone(page)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you for your answer!")).to_be_visible()
    page.goto("/notifications/preferences/")
    page.get_by_label("Every week, on Monday").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    assert DigestSubscription.objects.get(user=marc).frequency == "weekly"
    local = timezone.localtime()
    next_monday = (local + timedelta(days=7 - local.weekday())).date()
    monday = datetime(next_monday.year, next_monday.month, next_monday.day, 7, 30, tzinfo=local.tzinfo)
    with time_machine.travel(monday, tick=False):
        send_digests_task()
        send_digests_task()
    [digest] = [m for m in mail.outbox if m.to == [marc.email]]
    assert digest.subject == "Your RSE weekly digest"
    assert "The selection of your communities" in digest.body and "Our first kaizen challenge" in digest.body
