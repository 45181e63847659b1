"""Issue 6, "done when": two browsers side by side. A posts, comments, replies, reacts, accepts
an answer and mentions B through the pages; B's open pages show each appear without a reload,
and B's bell count rises.

pytest-django's live_server is WSGI only (no websockets): this runs a real daphne (ASGI, HTTP
and websockets) in a thread of the test process, so the in-memory channel layer carries the
events published by the views of that server to its sockets, against the test database.
"""

import re
import threading

import pytest
from django.conf import settings
from django.test import Client

from communities import services
from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory
from rse.lib.testing.faults import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15_000


@pytest.fixture(scope="session")
def asgi_server(django_db_setup):
    """A daphne server in a thread (session scope: a Twisted reactor starts once per process)."""
    from channels.routing import ProtocolTypeRouter
    from daphne.server import Server  # before twisted.internet.reactor: it installs the asyncio reactor
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from twisted.internet import reactor

    from rse.asgi import application

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(application.application_mapping["http"]),
            "websocket": application.application_mapping["websocket"],
        }
    )
    port = free_port()
    ready = threading.Event()
    server = Server(
        app,
        endpoints=[f"tcp:port={port}:interface=127.0.0.1"],
        signal_handlers=False,
        ready_callable=ready.set,
        verbosity=0,
    )
    # No database access here: the server reaches the test database only while a test marked
    # django_db(transaction=True) runs (pytest-django's blocker applies to every thread).
    thread = threading.Thread(target=server.run, daemon=True, name="daphne-test")
    thread.start()
    if not ready.wait(20):
        pytest.fail("daphne did not start")
    yield f"http://127.0.0.1:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(10)


def _session_key(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(browser, base_url, user):
    context = browser.new_context(base_url=base_url, viewport={"width": 1000, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": _session_key(user), "domain": "127.0.0.1", "path": "/"}]
    )
    context.add_init_script(COUNT_SUBSCRIPTIONS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return context, page


# Before the page's scripts: count the subscriptions realtime.js asks for and the answers.
COUNT_SUBSCRIPTIONS = """
window.__subscribe = { asked: 0, answered: 0 };
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  try { if (JSON.parse(data).action === "subscribe") window.__subscribe.asked += 1; } catch (e) {}
  return send.call(this, data);
};
["rse:rse.subscribed", "rse:rse.refused"].forEach((name) =>
  window.addEventListener(name, () => { window.__subscribe.answered += 1; }, true));
"""


def _open_live(page, url):
    page.goto(url)
    page.wait_for_function("() => window.RSERealtime && window.RSERealtime.isOpen()", timeout=TIMEOUT)
    # Every container of the page is subscribed once the server answered each subscription: an
    # event published before that would reach nobody (a race the test lost on a busy machine).
    page.wait_for_function(
        "() => window.__subscribe.asked > 0 && window.__subscribe.answered >= window.__subscribe.asked", timeout=TIMEOUT
    )
    page.evaluate("window.__loaded = true")


def test_two_browsers_side_by_side(browser, asgi_server):
    from playwright.sync_api import expect

    community = CommunityFactory(name="Atelier", slug="atelier", visibility=Community.Visibility.PRIVATE)
    alice = member(community, UserFactory(first_name="Alice"), role=Membership.Role.OWNER)
    bob = member(community, UserFactory(first_name="Bob", email="bob.martin@example.com"))
    question = PostFactory(community=community, author=alice, kind="question", title="Which glue?")
    poll = services.do_create_post(
        alice, community, kind="poll", title="Team lunch?", body_md="Where", poll_options=["Canteen", "Bistro"]
    )

    context_a, page_a = _page(browser, asgi_server, alice)
    context_b, feed_b = _page(browser, asgi_server, bob)
    post_b = context_b.new_page()
    post_b.set_default_timeout(TIMEOUT)
    poll_b = context_b.new_page()
    poll_b.set_default_timeout(TIMEOUT)
    try:
        _open_live(feed_b, f"/c/{community.slug}/")
        _open_live(post_b, f"/posts/{question.pk}/")
        _open_live(poll_b, f"/posts/{poll.pk}/")
        bell = post_b.locator("#notification-bell")
        expect(bell.locator("[data-bell-count]")).to_be_hidden()

        # 1. A posts through the form: B's community page shows the banner, then the post.
        page_a.goto(f"/c/{community.slug}/new/")
        page_a.locator("input[name=title]").fill("Kaizen on line 3")
        page_a.locator("textarea[name=body_md]").fill("We saved ten minutes per shift.")
        page_a.get_by_role("button", name="Publish").click()
        page_a.wait_for_url("**/posts/*/")
        banner = feed_b.locator("[data-live-banner='posts']")
        expect(banner).to_have_text("New posts (1)")
        expect(banner).to_have_attribute("aria-live", "polite")
        expect(feed_b.get_by_text("Kaizen on line 3")).to_have_count(0)
        banner.get_by_role("button").click()
        expect(feed_b.locator("[data-live-feed]").get_by_text("Kaizen on line 3")).to_be_visible()
        expect(banner).to_be_hidden()
        assert feed_b.evaluate("window.__loaded") is True  # no reload

        # 2. A answers the question: the comment appears on B's post page, the counter follows.
        page_a.goto(f"/posts/{question.pk}/")
        page_a.locator("#comments textarea[name=body_md]").last.fill("The blue epoxy, 24 h curing.")
        page_a.get_by_role("button", name="Answer", exact=True).click()
        page_a.wait_for_url(f"**/posts/{question.pk}/*")
        answer = post_b.locator("[data-live-comments] > li[data-comment-id]").first
        expect(answer).to_contain_text("The blue epoxy, 24 h curing.")
        expect(post_b.locator(f"#post-{question.pk} [data-live-count='comments']")).to_have_text("1 comment")
        answer_id = answer.get_attribute("data-comment-id")

        # 3. A replies to that answer: it lands under it.
        page_a.locator(f"#comment-{answer_id} summary").click()
        page_a.locator(f"#reply-{answer_id}").fill("Ask the supplier for the datasheet.")
        page_a.locator(f"#comment-{answer_id} .reply-box button[type=submit]").click()
        page_a.wait_for_url(f"**/posts/{question.pk}/*")
        expect(post_b.locator(f"[data-live-replies='{answer_id}'] > li")).to_contain_text("datasheet")
        expect(post_b.locator(f"#post-{question.pk} [data-live-count='comments']")).to_have_text("2 comments")

        # 3b. A corrects the answer: B reads the new text in place, the reply still under it.
        page_a.goto(f"/comments/{answer_id}/edit/")
        page_a.locator("textarea[name=body_md]").fill("The blue epoxy, 48 h curing.")
        page_a.get_by_role("button", name="Save").click()
        page_a.wait_for_url(f"**/posts/{question.pk}/*")
        expect(answer.locator(":scope > .md")).to_have_text("The blue epoxy, 48 h curing.")
        expect(answer.locator(":scope > .row").get_by_role("link", name="edited")).to_be_visible()
        expect(post_b.locator(f"[data-live-replies='{answer_id}'] > li")).to_contain_text("datasheet")

        # 4. A reacts to the question and to the answer: B's counts follow.
        page_a.locator(f"#post-{question.pk} .reactions button").first.click()
        expect(post_b.locator(f"#post-{question.pk} [data-live-count='reactions']")).to_have_text("1 reaction")
        page_a.locator(f"#comment-{answer_id} > .comment-actions .reactions button").first.click()
        expect(post_b.locator(f"[data-live-target='comment-{answer_id}'] [data-live-count='reactions']")).to_have_text(
            "1 reaction"
        )

        # 5. A accepts the answer: B sees it marked.
        page_a.locator(f"#comment-{answer_id} > .comment-actions").get_by_role(
            "button", name="Accept this answer"
        ).click()
        expect(post_b.locator(f"li[data-comment-id='{answer_id}']")).to_have_class(re.compile(r"\bis-accepted\b"))

        # 6. A mentions B: B's bell count rises on the open page, with no reload.
        page_a.locator("#comments > form textarea[name=body_md]").fill("Thanks @bob.martin, can you check?")
        page_a.get_by_role("button", name="Answer", exact=True).click()
        page_a.wait_for_url(f"**/posts/{question.pk}/*")
        expect(bell.locator("[data-bell-count]")).to_have_text("1")
        expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
        expect(post_b.locator("[data-live-comments] > li[data-comment-id]")).to_have_count(2)
        assert post_b.evaluate("window.__loaded") is True

        # 7. A votes in the poll: B's open poll refreshes its results.
        expect(poll_b.locator(f"#poll-{poll.pk}")).to_contain_text("0 voters")
        page_a.goto(f"/posts/{poll.pk}/")
        page_a.get_by_label("Bistro").check()
        page_a.get_by_role("button", name="Vote").click()
        expect(page_a.locator(f"#poll-{poll.pk}")).to_contain_text("1 voter")
        expect(poll_b.locator(f"#poll-{poll.pk}")).to_contain_text("1 voter")
        assert poll_b.evaluate("window.__loaded") is True
    finally:
        context_a.close()
        context_b.close()


def test_home_rings_for_a_followed_colleague_posting_in_a_community_i_am_not_in(browser, asgi_server):
    from playwright.sync_api import expect

    from directory.models import Follow

    community = CommunityFactory(name="Lean club", slug="lean-club", visibility=Community.Visibility.OPEN)
    alice = member(community, UserFactory(first_name="Alice"), role=Membership.Role.OWNER)
    bob = UserFactory(first_name="Bob")
    member(CommunityFactory(), bob)  # Bob has communities of his own, not this one
    Follow.objects.create(follower=bob, followed=alice)

    context_a, page_a = _page(browser, asgi_server, alice)
    context_b, home_b = _page(browser, asgi_server, bob)
    try:
        _open_live(home_b, "/")
        page_a.goto(f"/c/{community.slug}/new/")
        page_a.locator("input[name=title]").fill("5S audit results")
        page_a.locator("textarea[name=body_md]").fill("Line 3 scored 4.5.")
        page_a.get_by_role("button", name="Publish").click()
        page_a.wait_for_url("**/posts/*/")
        banner = home_b.locator("[data-live-banner='posts']")
        expect(banner).to_have_text("New posts (1)")
        banner.get_by_role("button").click()
        expect(home_b.locator("[data-live-feed]").get_by_text("5S audit results")).to_be_visible()
        assert home_b.evaluate("window.__loaded") is True
    finally:
        context_a.close()
        context_b.close()
