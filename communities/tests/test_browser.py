"""A real browser (Playwright + /usr/bin/chromium) through the htmx interactions: preview,
@mention autocomplete, vote, react, accept an answer. Fixtures: rse/lib/testing/browser.py
(skipped locally without Chromium, failing on CI)."""

import pytest

from communities import services
from communities.models import Post
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.browser


def login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_question_poll_and_reactions_in_a_browser(live_server, phone_page, monkeypatch):
    # Playwright's loop runs in this thread: the channel-layer send cannot run here.
    monkeypatch.setattr("rse.lib.events.publish", lambda *args, **kwargs: None)
    page = phone_page
    community = CommunityFactory(name="Browser club", slug="browser-club")
    veteran = member(
        community,
        UserFactory(first_name="Vera", last_name="Veteran", email="vera.veteran@example.com"),
        role="animator",
    )
    poll = services.do_create_post(
        veteran, community, kind="poll", title="Coffee or tea?", poll_options=["Coffee", "Tea"]
    )
    newcomer = UserFactory()
    login(page, live_server, newcomer)

    page.goto(live_server.url + "/communities/?q=browser")
    page.click("form[action='/c/browser-club/join/'] button")
    page.wait_for_load_state()
    assert "Welcome to Browser club" in page.content(), page.content()[:3000]
    assert community.memberships.filter(user=newcomer, status="active").exists()

    page.goto(live_server.url + "/c/browser-club/new/?kind=question")
    page.fill("input[name=title]", "Where is the printer?")
    area = page.locator("textarea[name=body_md]")
    area.click()
    area.type("Asking **nicely** @vera")
    page.wait_for_selector("ul.autocomplete li")
    page.keyboard.press("Enter")
    assert "@vera.veteran " in area.input_value()
    page.click("button.preview-button")
    page.wait_for_selector(".preview-out strong")
    assert page.inner_text(".preview-out strong") == "nicely"
    page.click("form.post-form button[type=submit]")
    page.wait_for_load_state()
    question = Post.objects.get(title="Where is the printer?")
    assert question.mentions.filter(user=veteran).exists()

    answer = services.do_create_comment(veteran, question, body_md="Second floor")
    page.reload()
    page.click("text=Accept this answer")
    page.wait_for_load_state()
    question.refresh_from_db()
    assert question.accepted_comment_id == answer.pk

    page.goto(live_server.url + "/c/browser-club/")
    card = page.locator(f"#post-{poll.pk}")
    card.locator("label:has-text('Tea')").click()
    card.locator("form.poll button[type=submit]").click()
    page.wait_for_selector(f"#post-{poll.pk} .poll-option .bar")
    assert "100% (1)" in page.locator(f"#post-{poll.pk}").inner_text()
    page.locator(f"#post-{poll.pk} button.reaction[value=thanks]").click()
    page.wait_for_selector(f"#post-{poll.pk} button.reaction[value=thanks][aria-pressed=true]")
    poll.refresh_from_db()
    assert poll.reactions_count == 1
