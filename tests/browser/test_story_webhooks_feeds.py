"""Story: a community owner plugs a local receiver into their community with a signed webhook,
checks it with "Send a test", a colleague's post reaches it signed, and a member reads the
community through their private feed address."""

import json
import re

import feedparser
import pytest
from playwright.sync_api import expect

from communities.models import Community, Membership
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from integrations.tests.conftest import LocalServer
from integrations.webhooks.models import Endpoint
from integrations.webhooks.signing import verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.RSE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = LocalServer()
    yield server
    server.close()


def test_an_owner_receives_signed_webhooks_and_a_member_reads_the_private_feed(
    page, login, receiver, browser, live_server
):
    community = CommunityFactory(name="Plant Lyon", visibility=Community.Visibility.PRIVATE)
    owner = member(community, role=Membership.Role.OWNER)
    colleague = member(community)

    login(owner)
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill(receiver.url("/rse"))
    page.get_by_label(re.compile("post.created")).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1, name=receiver.url("/rse"))).to_be_visible()
    page.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("cell", name=re.compile("webhook.test"))).to_be_visible()
    expect(page.get_by_role("cell", name="200", exact=True)).to_be_visible()

    do_create_post(colleague, community, title="Line 3 restarted", body_md="Back to full speed.")
    secret = Endpoint.objects.get().secret
    last = receiver.requests[-1]
    verify(secret, last["headers"], last["body"])
    assert json.loads(last["body"])["data"]["title"] == "Line 3 restarted"

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(colleague.email)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    page.goto("/people/me/")
    page.get_by_role("link", name="My feeds (RSS/Atom)").first.click()
    page.get_by_role("button", name="Create my feed addresses").click()
    address = page.get_by_label("Atom address of Plant Lyon").input_value()
    feed = feedparser.parse(page.request.get(address).body())
    assert [e.title for e in feed.entries] == ["Line 3 restarted"]
    context.close()
