from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership, Post
from communities.tests.factories import CommunityFactory, member
from integrations.feeds import incoming
from integrations.feeds.models import FeedEntry, FeedSubscription
from integrations.feeds.tasks import fetch_due_feeds

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture
def community():
    return CommunityFactory(name="Purchasing")


@pytest.fixture
def animator(community):
    return member(community, role=Membership.Role.ANIMATOR)


def _subscription(community, animator, url="https://supplier.example.com/feed", mode=FeedSubscription.Mode.QUEUE):
    return FeedSubscription.objects.create(community=community, url=url, mode=mode, created_by=animator)


def test_entries_from_a_local_file_are_stored_once_and_sanitised(community, animator):
    subscription = _subscription(community, animator)
    parsed = feedparser.parse(str(DATA / "news.rss"))
    new = incoming.store_entries(subscription, parsed)
    assert [e.title for e in new] == ["New catalogue & prices", "Plant visit"]  # oldest first
    assert incoming.store_entries(subscription, feedparser.parse(str(DATA / "news.rss"))) == []
    assert FeedEntry.objects.count() == 2
    html = new[0].summary_html
    assert "<strong>2027 catalogue</strong>" in html
    assert "<script" not in html and "onclick" not in html and "alert" not in html
    assert new[0].entry_id == "supplier-news-1" and new[0].published_at.day == 30
    atom = incoming.store_entries(subscription, feedparser.parse(str(DATA / "blog.atom")))
    assert "javascript" not in atom[0].summary_html and 'href="https://www.postgresql.org/"' in atom[0].summary_html


def test_a_post_from_an_entry_is_rendered_like_every_post(community, animator):
    subscription = _subscription(community, animator)
    entry = incoming.store_entries(subscription, feedparser.parse(str(DATA / "news.rss")))[0]
    incoming.do_publish_entry(animator, entry)
    post = Post.objects.get()
    assert post.title == "New catalogue & prices" and post.author == animator and post.community == community
    assert "<script" not in post.body_html and "onclick" not in post.body_html
    assert "Ask @ceo about #pricing." in post.body_text  # text, not a mention nor a tag
    assert not post.mentions.exists() and not post.hashtags.exists()
    assert 'href="https://supplier.example.com/news/catalogue"' in post.body_html
    entry.refresh_from_db()
    assert entry.status == FeedEntry.Status.PUBLISHED and entry.post == post
    with pytest.raises(ValidationError):
        incoming.do_publish_entry(animator, entry)
    with pytest.raises(PermissionDenied):
        incoming.do_publish_entry(member(community), entry)


def _serve_feed(local_server, path="/feed.rss"):
    body = (DATA / "news.rss").read_bytes()

    def respond(headers):
        if headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"',
                     "Last-Modified": "Tue, 01 Dec 2026 08:00:00 GMT"}, body  # fmt: skip

    local_server.routes[path] = (200, {}, respond)
    return local_server.url(path)


def test_fetch_with_conditional_get(community, animator, local_server):
    subscription = _subscription(community, animator, url=_serve_feed(local_server))
    assert incoming.fetch(subscription.pk) == 2
    subscription.refresh_from_db()
    assert subscription.etag == '"v1"' and subscription.last_modified.startswith("Tue, 01 Dec 2026")
    assert subscription.title == "Supplier news" and subscription.last_status == 200
    assert FeedEntry.objects.filter(status=FeedEntry.Status.QUEUED).count() == 2
    assert incoming.fetch(subscription.pk) == 0  # not due yet: no request at all
    assert len(local_server.requests) == 1
    FeedSubscription.objects.filter(pk=subscription.pk).update(next_fetch_at=timezone.now())
    assert incoming.fetch(subscription.pk) == 0
    second = local_server.requests[1]["headers"]
    assert second["if-none-match"] == '"v1"' and second["if-modified-since"] == "Tue, 01 Dec 2026 08:00:00 GMT"
    subscription.refresh_from_db()
    assert subscription.last_status == 304 and FeedEntry.objects.count() == 2


def test_publish_mode_makes_posts(community, animator, local_server, settings):
    settings.RSE_FEED_MAX_POSTS_PER_FETCH = 1
    subscription = _subscription(community, animator, url=_serve_feed(local_server), mode=FeedSubscription.Mode.PUBLISH)
    incoming.fetch(subscription.pk)
    # the newest entry becomes a post; the rest waits in the queue (less is more)
    assert list(Post.objects.values_list("title", flat=True)) == ["Plant visit"]
    assert FeedEntry.objects.get(status=FeedEntry.Status.QUEUED).title == "New catalogue & prices"


def test_each_failure_doubles_the_wait_of_that_feed_only(community, animator, local_server, settings):
    settings.RSE_FEED_FETCH_EVERY = 600
    local_server.routes["/broken"] = (500, {}, b"oops")
    broken = _subscription(community, animator, url=local_server.url("/broken"))
    healthy = _subscription(community, animator, url=_serve_feed(local_server))
    for expected_failures in (1, 2):
        FeedSubscription.objects.filter(pk=broken.pk).update(next_fetch_at=timezone.now())
        before = timezone.now()
        incoming.fetch(broken.pk)
        broken.refresh_from_db()
        assert broken.failures == expected_failures and "500" in broken.last_error
        wait = 600 * 2**expected_failures
        assert before + timedelta(seconds=wait - 5) <= broken.next_fetch_at <= timezone.now() + timedelta(seconds=wait)
    incoming.fetch(healthy.pk)
    healthy.refresh_from_db()
    assert healthy.failures == 0 and healthy.last_error == ""
    # back online: a success resets the backoff
    local_server.routes["/broken"] = local_server.routes["/feed.rss"]
    FeedSubscription.objects.filter(pk=broken.pk).update(next_fetch_at=timezone.now())
    incoming.fetch(broken.pk)
    broken.refresh_from_db()
    assert broken.failures == 0 and broken.last_error == ""


def test_beat_fetches_only_the_feeds_that_are_due(community, animator, local_server):
    due = _subscription(community, animator, url=_serve_feed(local_server))
    later = _subscription(community, animator, url=_serve_feed(local_server, "/other.rss"))
    FeedSubscription.objects.filter(pk=later.pk).update(next_fetch_at=timezone.now() + timedelta(hours=1))
    assert fetch_due_feeds() == 1
    assert [r["path"] for r in local_server.requests] == ["/feed.rss"]
    assert FeedEntry.objects.filter(subscription=due).count() == 2


def test_internal_feed_addresses_are_refused(community, animator, settings):
    settings.RSE_WEBHOOK_ALLOWED_HOSTS = []
    for url in ("http://127.0.0.1:8000/feed", "http://10.0.0.5/rss", "file:///etc/passwd"):
        with pytest.raises(ValidationError):
            incoming.do_subscribe(animator, community, url=url)
    with pytest.raises(PermissionDenied):
        incoming.do_subscribe(member(community), community, url="https://example.com/feed")


def test_the_animate_page_subscribes_and_picks(client, community, animator, local_server,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(animator)
    page = reverse("integrations:community_feeds", args=[community.slug])
    assert page in client.get(reverse("animation:index", args=[community.slug])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"url": _serve_feed(local_server), "mode": "queue"})
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "Supplier news" in html and "Plant visit" in html and "<script>alert" not in html
    catalogue, visit = FeedEntry.objects.order_by("id")
    client.post(reverse("integrations:feed_entry_action", args=[community.slug, visit.pk, "publish"]))
    client.post(reverse("integrations:feed_entry_action", args=[community.slug, catalogue.pk, "dismiss"]))
    assert list(Post.objects.values_list("title", flat=True)) == ["Plant visit"]
    assert FeedEntry.objects.get(pk=catalogue.pk).status == FeedEntry.Status.DISMISSED
    assert "Plant visit" not in client.get(page).content.decode().split("Feeds this community follows")[0]
    client.force_login(member(community))
    assert client.get(page).status_code == 403
    other = CommunityFactory()
    client.force_login(member(other, role=Membership.Role.ANIMATOR))
    url = reverse("integrations:feed_entry_action", args=[other.slug, catalogue.pk, "publish"])
    assert client.post(url).status_code == 404


def test_the_animate_page_speaks_french(client, community, animator):
    animator.language = "fr"
    animator.save(update_fields=["language"])
    client.force_login(animator)
    html = client.get(reverse("integrations:community_feeds", args=[community.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Suivre un flux externe" in html.content.decode()


def test_the_animate_page_costs_the_same_for_one_and_many(client, community, animator, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(animator)
    page = reverse("integrations:community_feeds", args=[community.slug])
    first = _subscription(community, animator)
    incoming.store_entries(first, feedparser.parse(str(DATA / "blog.atom")))
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for i in range(3):
        more = _subscription(community, animator, url=f"https://example.com/{i}.rss")
        incoming.store_entries(more, feedparser.parse(str(DATA / "news.rss")))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(page).content.decode().count("Publish as a post") == 7
