"""static/js/realtime.js in a real browser against a real daphne + Redis: the banner, the
catch-up, dedupe, counters and the live bell (PostgreSQL/Redis pass, Chromium needed)."""

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from communities.models import Community
from communities.tests.factories_realtime import CommunityFactory, PostFactory
from communities.tests.test_realtime_redis import _session_key, configured_layer, two_servers  # noqa: F401
from rse.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="needs Chromium: `make browser-deps`"),
]

INJECT = """([community, since]) => {
  window.__subscribed = [];
  window.RSERealtime.on("rse.subscribed", (p) => window.__subscribed.push(p.id));
  const section = document.createElement("section");
  section.dataset.live = "";
  section.dataset.liveCommunity = String(community);
  section.dataset.liveSince = since;
  section.innerHTML = '<div data-live-target="post-99">Reactions: <span data-live-count="reactions">0</span></div>' +
    '<ul data-live-feed></ul>';
  document.querySelector("main").appendChild(section);
  window.RSERealtime.watch(section);
}"""


def _publish(prefix, group, event, payload):
    async def send():
        layer = configured_layer(prefix)
        await layer.group_send(group, {"type": "rse.event", "event": event, "payload": payload})
        await layer.flush()

    # Playwright's sync API keeps an event loop in this thread: publish from another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, send()).result(timeout=10)


def test_live_page_shows_banner_counts_and_bell(two_servers):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    (port, _other), prefix = two_servers
    user = UserFactory()
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    since = (timezone.now() - timedelta(seconds=1)).isoformat()
    missed = PostFactory(community=community)  # created after the page "rendered": caught up
    key = _session_key(user)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 375, "height": 800})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "domain": "127.0.0.1", "path": "/"}])
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/notifications/")
        page.wait_for_function("window.RSERealtime && window.RSERealtime.isOpen()", timeout=15000)
        page.evaluate(INJECT, [community.pk, since])
        page.wait_for_function(f"window.__subscribed.includes({community.pk})", timeout=10000)

        banner = page.locator("[data-live-banner='posts']")
        expect(banner).to_have_text("New posts (1)", timeout=10000)
        expect(banner).to_have_attribute("aria-live", "polite")

        live = {"post_id": missed.pk + 1000, "community_id": community.pk}
        group = f"community.{community.pk}"
        _publish(prefix, group, "communities.post_created", live)
        expect(banner).to_have_text("New posts (2)", timeout=10000)
        _publish(prefix, group, "communities.post_created", live)  # the same post again: no double count
        _publish(prefix, group, "communities.post_created", {"post_id": missed.pk, "community_id": community.pk})
        _publish(
            prefix,
            group,
            "communities.reaction_changed",
            {"post_id": 99, "community_id": community.pk, "counts": {"reactions": 5}},
        )
        expect(page.locator("[data-live-count='reactions']")).to_have_text("5", timeout=10000)
        expect(banner).to_have_text("New posts (2)")

        _publish(prefix, f"user.{user.pk}", "notifications.new", {"unread": 7})
        bell = page.locator("#notification-bell")
        expect(bell.locator("[data-bell-count]")).to_have_text("7", timeout=10000)
        expect(bell).to_have_attribute("aria-label", "Notifications, 7 unread")
        expect(page.locator("[data-live-banner='notifications']")).to_have_text("New notifications: show them")
        browser.close()
