"""Issue 13, hole 7, as a person sees it: a reaction refused for coming too often says so on the
page (htmx does not swap a 429; static/js/rse.js shows its message)."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Community, Post
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.real_limits]


def test_a_reaction_beyond_the_budget_shows_why_it_was_refused(page, login, settings):
    settings.RSE_RATE_LIMITS = {**settings.RSE_RATE_LIMITS, "reaction": "1/hour"}
    user = UserFactory()
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    member(community, user)
    Post.objects.create(community=community, author=user, title="Gemba walk", body_md="b", body_html="<p>b</p>")
    login(user)
    page.goto(f"/c/{community.slug}/")
    post = page.locator("article", has_text="Gemba walk")
    post.get_by_role("button", name=re.compile("Thanks")).click()
    expect(page.locator("article", has_text="Gemba walk").get_by_text("1 reaction", exact=True)).to_be_visible()
    page.locator("article", has_text="Gemba walk").get_by_role("button", name=re.compile("Thanks")).click()
    expect(page.get_by_role("status").get_by_text("You are doing this too often")).to_be_visible()
    assert page.locator("article", has_text="Gemba walk").get_by_text("1 reaction", exact=True).is_visible()
