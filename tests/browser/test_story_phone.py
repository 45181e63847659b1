"""At phone width (375 px) the main pages have no horizontal scroll and forms are usable.

Uses the demo organisation: its realistic content (long e-mail addresses in an item's history,
tables, polls) is what broke layouts before."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from communities.models import Community, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
PASSWORD = "demo-rse-2026"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _overflowing(page):
    """The elements that stick out of the screen on the right, to make a failure readable."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && e.offsetParent !== null)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        WIDTH,
    )


def _assert_fits(page):
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide: {_overflowing(page)}"


def test_main_pages_fit_a_phone_and_a_post_can_be_written_there(phone):
    call_command("seed_demo")
    community = Community.objects.filter(visibility=Community.Visibility.OPEN).order_by("slug").first()
    post = Post.objects.filter(kind="poll", community__visibility=Community.Visibility.OPEN).first()

    phone.goto("/accounts/login/")
    phone.get_by_label("E-mail address").fill("camille.durand@demo.rse.example")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url("**/")
    _assert_fits(phone)  # home feed

    for url in (
        f"/c/{community.slug}/",
        f"/posts/{post.pk}/",
        "/people/",
        "/people/experts/?q=python",
        "/repository/",
        "/repository/items/aeroline-industries/",
        "/repository/items/aeroline-industries/history/",
        "/essentials/",
        "/search/?q=lean",
        "/communities/",
    ):
        phone.goto(url)
        _assert_fits(phone)
        if url == "/people/":  # every directory tab is on screen, none hidden in a sideways scroller
            for link in phone.get_by_role("navigation", name="Directory").get_by_role("link").all():
                box = link.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, link.inner_text()

    # A form on a phone: every field is on screen and the post gets published.
    phone.goto(f"/c/{community.slug}/")
    phone.get_by_role("link", name="Ask a question").click()
    _assert_fits(phone)
    title = phone.get_by_label("Title")
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    title.fill("Where is the phone-friendly checklist?")
    phone.get_by_label("Text").fill("Asked from my phone.")
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_role("heading", name="Where is the phone-friendly checklist?")).to_be_visible()
    _assert_fits(phone)
    answer = phone.get_by_role("textbox").first
    box = answer.bounding_box()
    assert box["x"] + box["width"] <= WIDTH


def test_a_long_unbroken_skill_does_not_widen_the_profile_pages(phone):
    from directory.services import do_add_skill
    from directory.tests.factories import ProfileFactory
    from rse.accounts.tests.factories import UserFactory

    user = UserFactory(password=PASSWORD)
    ProfileFactory(user=user)
    do_add_skill(user, "Supercalifragilistic" * 4)  # 80 characters, no space
    phone.goto("/accounts/login/")
    phone.get_by_label("E-mail address").fill(user.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url("**/")
    for url in ("/people/me/edit/", f"/people/{user.pk}/"):
        phone.goto(url)
        _assert_fits(phone)
