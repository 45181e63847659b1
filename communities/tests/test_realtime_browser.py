"""static/js/realtime.js in a real browser against a real daphne + Redis: the banner, the
catch-up, dedupe, counters and the live bell (PostgreSQL/Redis pass, Chromium needed)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from communities.models import Community
from communities.tests.factories_realtime import CommentFactory, CommunityFactory, PostFactory
from communities.tests.test_realtime_redis import _session_key, configured_layer, servers, two_servers  # noqa: F401
from rse.accounts.tests.factories import UserFactory
from rse.lib.events import check_event
from rse.lib.testing.browser import launched_chromium, require_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _chromium():
    """Before the servers start: skipped locally without Chromium, failing on CI."""
    require_chromium()


INJECT = """([community, since]) => {
  window.__subscribed = [];
  window.RSERealtime.on("rse.subscribed", (p) => window.__subscribed.push(p.id));
  const section = document.createElement("section");
  section.dataset.live = "";
  section.dataset.liveCommunity = String(community);
  section.dataset.liveSince = since;
  section.innerHTML = '<div data-live-target="post-99">Reactions: <span data-live-count="reactions">0</span>' +
    '<span data-live-count="comments" data-live-plural>0 comments</span></div>' +
    '<ul data-live-feed></ul>';
  document.querySelector("main").appendChild(section);
  window.RSERealtime.watch(section);
}"""


def _publish(prefix, group, event, payload):
    check_event(event, payload)  # only events the server really sends, with their real fields

    async def send():
        layer = configured_layer(prefix)
        await layer.group_send(group, {"type": "rse.event", "event": event, "payload": payload})
        await layer.flush()

    # Playwright's sync API keeps an event loop in this thread: publish from another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, send()).result(timeout=10)


def test_live_page_shows_banner_counts_and_bell(two_servers):  # noqa: F811
    from playwright.sync_api import expect

    (port, _other), prefix = two_servers
    user = UserFactory()
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    since = (timezone.now() - timedelta(seconds=1)).isoformat()
    missed = PostFactory(community=community)  # created after the page "rendered": caught up
    key = _session_key(user)

    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 375, "height": 800})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "domain": "127.0.0.1", "path": "/"}])
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/notifications/")
        page.wait_for_function("() => window.RSERealtime && window.RSERealtime.isOpen()", timeout=15000)
        page.evaluate(INJECT, [community.pk, since])
        page.wait_for_function(f"() => window.__subscribed.includes({community.pk})", timeout=20000)

        banner = page.locator("[data-live-banner='posts']")
        expect(banner).to_have_text("New posts (1)", timeout=20000)
        expect(banner).to_have_attribute("aria-live", "polite", timeout=20000)

        live = {"post_id": missed.pk + 1000, "community_id": community.pk, "author_id": user.pk, "kind": "discussion"}
        group = f"community.{community.pk}"
        _publish(prefix, group, "communities.post_created", live)
        expect(banner).to_have_text("New posts (2)", timeout=20000)
        _publish(prefix, group, "communities.post_created", live)  # the same post again: no double count
        _publish(prefix, group, "communities.post_created", {**live, "post_id": missed.pk})
        _publish(
            prefix,
            group,
            "communities.reacted",
            {"post_id": 99, "community_id": community.pk, "comment_id": None, "counts": {"reactions": 5}},
        )
        expect(page.locator("[data-live-count='reactions']")).to_have_text("5", timeout=20000)
        expect(banner).to_have_text("New posts (2)", timeout=20000)
        # A card's counter (data-live-plural) says it in words, from the JavaScript catalogue.
        for n, text in ((1, "1 comment"), (3, "3 comments")):
            counts = {"post_id": 99, "community_id": community.pk, "comment_id": None, "counts": {"comments": n}}
            _publish(prefix, group, "communities.reacted", counts)
            expect(page.locator("[data-live-count='comments']")).to_have_text(text, timeout=20000)

        _publish(prefix, f"user.{user.pk}", "notifications.new", {"unread": 7})
        bell = page.locator("#notification-bell")
        expect(bell.locator("[data-bell-count]")).to_have_text("7", timeout=20000)
        expect(bell).to_have_attribute("aria-label", "Notifications, 7 unread", timeout=20000)
        expect(page.locator("[data-unread-tab]")).to_have_text("Unread (7)", timeout=20000)
        expect(page.locator("[data-live-banner='notifications']")).to_have_text(
            "New notifications: show them", timeout=20000
        )
        # The bell refetches itself (htmx) on rse:notifications-changed, as after a reconnection:
        # the database says 0 unread, so the pushed 7 goes away.
        page.evaluate("document.body.dispatchEvent(new CustomEvent('rse:notifications-changed'))")
        expect(page.locator("#notification-bell [data-bell-count]")).to_be_hidden(timeout=20000)
        expect(page.locator("#notification-bell")).to_have_attribute(
            "aria-label", "Notifications, 0 unread", timeout=20000
        )


POST_PAGE = """([post, since, first]) => {
  window.__subscribed = [];
  window.RSERealtime.on("rse.subscribed", (p) => window.__subscribed.push(p.id));
  const section = document.createElement("section");
  section.dataset.live = "";
  section.dataset.livePost = String(post);
  section.dataset.liveSince = since;
  section.dataset.liveCommentUrl = "/fake-comment/{id}/";
  section.innerHTML = `<div data-live-target="post-${post}">Comments <span data-live-count="comments">1</span>
    Reactions <span data-live-count="reactions">0</span></div>
    <ol data-live-comments><li data-comment-id="${first}">first</li></ol>`;
  document.querySelector("main").appendChild(section);
  window.RSERealtime.watch(section);
}"""


def _page(browser, port, key):
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "domain": "127.0.0.1", "path": "/"}])
    page = context.new_page()
    # The comment fragment URL belongs to the communities pages: stand in for it here.
    page.route(
        "**/fake-comment/*/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<li data-comment-id="{0}">comment {0}</li>'.format(route.request.url.rstrip("/").rsplit("/", 1)[1]),
        ),
    )
    page.goto(f"http://127.0.0.1:{port}/notifications/")
    page.wait_for_function("() => window.RSERealtime && window.RSERealtime.isOpen()", timeout=15000)
    return page


def test_post_page_inserts_comments_and_catches_up_after_a_server_restart(servers, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect

    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    user = UserFactory()
    post = PostFactory(community=CommunityFactory(visibility=Community.Visibility.OPEN))
    first = CommentFactory(post=post)
    since = timezone.now().isoformat()
    key = _session_key(user)
    port = servers.ports[0]
    payload = {"post_id": post.pk, "community_id": post.community_id}

    with launched_chromium() as browser:
        page = _page(browser, port, key)
        page.evaluate(POST_PAGE, [post.pk, since, first.pk])
        page.wait_for_function(f"() => window.__subscribed.includes({post.pk})", timeout=20000)
        comments = page.locator("[data-live-comments] > li")

        live = CommentFactory(post=post)
        # As the comment service does: the counter in the database agrees with the event.
        post.comments_count = 2
        post.save(update_fields=["comments_count"])
        _publish(
            servers.prefix,
            f"post.{post.pk}",
            "communities.comment_created",
            {
                **payload,
                "comment_id": live.pk,
                "parent_id": None,
                "author_id": live.author_id,
                "counts": {"comments": 2},
            },
        )
        expect(page.locator(f"[data-comment-id='{live.pk}']")).to_have_text(f"comment {live.pk}", timeout=20000)
        expect(page.locator("[data-live-count='comments']")).to_have_text("2", timeout=20000)
        _publish(servers.prefix, f"post.{post.pk}", "communities.answer_accepted", {**payload, "comment_id": live.pk})
        expect(page.locator(f"[data-comment-id='{live.pk}']")).to_have_class("live-new is-accepted", timeout=20000)

        # The server goes down; what happens meanwhile reaches nobody live.
        servers.stop(0)
        missed = [CommentFactory(post=post), CommentFactory(post=post)]
        post.comments_count, post.reactions_count = 4, 3
        post.save(update_fields=["comments_count", "reactions_count"])
        servers.start(0)

        # realtime.js reconnects (backoff), re-subscribes and catches up: nothing lost, nothing twice.
        for comment in missed:
            expect(page.locator(f"[data-comment-id='{comment.pk}']")).to_be_visible(timeout=60000)
        expect(comments).to_have_count(4, timeout=20000)
        expect(page.locator("[data-live-count='comments']")).to_have_text("4", timeout=20000)
        expect(page.locator("[data-live-count='reactions']")).to_have_text("3", timeout=20000)
        assert [int(i) for i in comments.evaluate_all("els => els.map(e => e.dataset.commentId)")] == [
            first.pk,
            live.pk,
            *[c.pk for c in missed],
        ]
