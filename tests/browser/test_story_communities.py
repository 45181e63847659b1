"""Issue 5 "Done when", as a new user lives it in a browser: find and join communities, ask a
question, get an answer from a colleague and accept it, vote in a poll, react, share a post into
another community, find it again with search, read the Essentials view."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Community
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_a_new_user_joins_asks_gets_an_accepted_answer_votes_reacts_shares_and_searches(page, browser, live_server):
    newcomer = UserFactory(first_name="Nina", last_name="Nouveau")
    expert = UserFactory(first_name="Eric", last_name="Expert")
    lean = CommunityFactory(name="Lean Lyon", slug="lean-lyon", visibility=Community.Visibility.OPEN)
    quality = CommunityFactory(name="Quality Circle", slug="quality-circle", visibility=Community.Visibility.OPEN)
    for community in (lean, quality):
        member(community, expert)
    do_create_post(
        expert, lean, kind="poll", title="Which day for the kaizen workshop?", poll_options=["Monday", "Thursday"]
    )
    announcement = do_create_post(expert, lean, kind="discussion", title="Gemba walk photos", body_md="Look!")

    # Find the communities from the navigation and join both.
    _log_in(page, newcomer)
    page.get_by_role("navigation").get_by_role("link", name="Communities").first.click()
    page.get_by_label("Search communities").fill("lean")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Lean Lyon").click()
    expect(page.get_by_role("heading", level=1, name="Lean Lyon")).to_be_visible()
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("link", name="Ask a question")).to_be_visible()
    page.goto("/communities/")
    page.get_by_role("link", name="Quality Circle").click()
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("link", name="Ask a question")).to_be_visible()

    # Ask a question in Lean Lyon.
    page.goto("/c/lean-lyon/")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Title").fill("How long should a 5S audit take?")
    page.get_by_label("Text").fill("We spend a whole morning on it.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="How long should a 5S audit take?")).to_be_visible()
    expect(page.get_by_text("No answer yet. Do you know?")).to_be_visible()
    question_url = page.url

    # A colleague answers, in their own browser.
    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    other_page.set_default_timeout(10_000)
    _log_in(other_page, expert)
    other_page.goto(question_url)
    other_page.get_by_label("Your answer").fill("Twenty minutes, with a checklist per zone.")
    other_page.get_by_role("button", name="Answer", exact=True).click()
    expect(other_page.get_by_text("Twenty minutes, with a checklist per zone.")).to_be_visible()
    other.close()

    # The asker sees the answer and accepts it.
    page.reload()
    expect(page.get_by_text("Twenty minutes, with a checklist per zone.")).to_be_visible()
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.get_by_role("heading", name=re.compile("Accepted answer"))).to_be_visible()
    expect(page.get_by_text("Answered", exact=True)).to_be_visible()

    # Vote in the poll, on the community page.
    page.goto("/c/lean-lyon/")
    poll = page.locator("article", has_text="Which day for the kaizen workshop?")
    poll.get_by_label("Thursday").check()
    poll.get_by_role("button", name="Vote").click()
    poll = page.locator("article", has_text="Which day for the kaizen workshop?")
    expect(poll.get_by_text("1 voter", exact=True)).to_be_visible()
    expect(poll.get_by_text("100% (1)")).to_be_visible()

    # React to a post.
    post = page.locator("article", has_text="Gemba walk photos")
    post.get_by_role("button", name=re.compile("Thanks")).click()
    post = page.locator("article", has_text="Gemba walk photos")
    expect(post.get_by_role("button", name=re.compile("Thanks"))).to_have_attribute("aria-pressed", "true")
    expect(post.get_by_text("1 reaction", exact=True)).to_be_visible()

    # Share it into the other community.
    post.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share into another community")).to_be_visible()
    page.get_by_label("Share into").select_option(label="Quality Circle")
    page.get_by_label("Add a few words (optional)").fill("Worth a look for our next audit.")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("Worth a look for our next audit.")).to_be_visible()
    page.goto("/c/quality-circle/")
    shared = page.locator("article", has_text="Worth a look for our next audit.")
    expect(shared.get_by_text("Shared from Lean Lyon")).to_be_visible()
    shared.get_by_role("link", name="Read and join the conversation in its community").click()
    page.wait_for_url(f"**/posts/{announcement.pk}/")

    # Find the question again with the search box of the header.
    page.get_by_role("search").get_by_role("searchbox").fill("5S audit")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.get_by_role("main").get_by_role("link", name="How long should a 5S audit take?").click()
    page.wait_for_url(question_url)

    # Essentials: the view exists, explains itself and lists what matters (the answer to me).
    page.get_by_role("navigation").get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Essentials").click()
    expect(page.get_by_role("heading", level=1, name="Essentials")).to_be_visible()
    expect(page.get_by_text("Only what matters")).to_be_visible()
    feed = page.get_by_role("main")
    expect(feed.get_by_role("link", name="How long should a 5S audit take?")).to_be_visible()  # answers to me
    expect(feed.get_by_role("link", name="Gemba walk photos")).to_have_count(0)  # an ordinary post
